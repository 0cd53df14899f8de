"""Which Argo CD Applications exist: one per `dist/<cluster>/<app>/` folder, and the Argo CD names they share.

The plan is derived from the data alone, so the synth, the constructs, the ApplicationSets and the
delivery checks agree on the same list. It lives in the model (the lowest layer) because all of
them read it; nothing here may import from the layers above.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from genai_gitops.model.cluster import ClusterRole
from genai_gitops.model.loader import Platform
from genai_gitops.model.traffic import PLATFORM_NAMESPACE


class AppKind(StrEnum):
    PROJECTS = "projects"              # the AppProjects of the cluster's tenants (in Argo CD's namespace)
    ADDONS = "addons"                  # Argo CD Applications for upstream Helm charts
    CLUSTER_CONFIG = "cluster-config"  # secret store, Gatekeeper templates/constraints
    CENTRAL = "central"                # the agency stack
    GUARDRAILS = "guardrails"          # a tenant's namespace, quota, limits, NetworkPolicies (platform-owned)
    TENANT = "tenant"                  # one customer's workloads (tenant-owned)


#: Argo CD sync waves between applications: operators and CRDs, then cluster config, then workloads
WAVES = {AppKind.PROJECTS: -4, AppKind.ADDONS: -3, AppKind.CLUSTER_CONFIG: -2, AppKind.CENTRAL: 0,
         AppKind.GUARDRAILS: 0, AppKind.TENANT: 1}
#: where Argo CD runs: its Applications, AppProjects and cluster secrets live here
ARGOCD_NAMESPACE = "argocd"
#: the AppProject of everything the platform owns (central stacks, add-ons, cluster config, guard rails)
PLATFORM_PROJECT = "platform"

#: labels of the Argo CD cluster secrets, from the inventory; the ApplicationSets' clusters generator matches them
CLUSTER_LABEL = "genai-gitops.io/cluster"
ENVIRONMENT_LABEL = "genai-gitops.io/environment"
ROLE_LABEL = "genai-gitops.io/role"

#: namespaced kinds only the platform project may manage in a tenant namespace (the tenant AppProjects
#: blacklist them; the delivery check proves it)
GUARDRAIL_KINDS = (("", "ResourceQuota"), ("", "LimitRange"), ("networking.k8s.io", "NetworkPolicy"),
                   ("external-secrets.io", "SecretStore"),
                   # the public entry: listeners, certificates, TLS floor and the gateway's own extensions
                   ("gateway.networking.k8s.io", "Gateway"), ("gateway.envoyproxy.io", "ClientTrafficPolicy"),
                   ("gateway.envoyproxy.io", "EnvoyPatchPolicy"), ("gateway.envoyproxy.io", "EnvoyExtensionPolicy"))


@dataclass(frozen=True, order=True)
class AppSpec:
    cluster: str
    name: str
    kind: AppKind
    #: destination namespace ("" for apps that span namespaces)
    namespace: str
    tenant: str | None = None

    @property
    def path(self) -> str:
        return f"{self.cluster}/{self.name}"

    @property
    def wave(self) -> int:
        return WAVES[self.kind]

    @property
    def project(self) -> str:
        # guard rails belong to the platform: a tenant's project may not create or override them
        return f"tenant-{self.tenant}" if self.kind is AppKind.TENANT else PLATFORM_PROJECT


def plan_apps(platform: Platform) -> list[AppSpec]:
    apps: list[AppSpec] = []
    for cluster in platform.clusters:
        if platform.tenants_on(cluster.name):
            apps.append(AppSpec(cluster.name, "projects", AppKind.PROJECTS, ARGOCD_NAMESPACE))
        apps.append(AppSpec(cluster.name, "addons", AppKind.ADDONS, ARGOCD_NAMESPACE))
        apps.append(AppSpec(cluster.name, "cluster-config", AppKind.CLUSTER_CONFIG, ""))
        if cluster.role is ClusterRole.CENTRAL:
            apps.append(AppSpec(cluster.name, "central", AppKind.CENTRAL, PLATFORM_NAMESPACE))
        for tenant in platform.tenants_on(cluster.name):
            apps.append(AppSpec(cluster.name, f"{tenant.namespace}-guardrails", AppKind.GUARDRAILS,
                                tenant.namespace, tenant.id))
            apps.append(AppSpec(cluster.name, tenant.namespace, AppKind.TENANT, tenant.namespace, tenant.id))
    return sorted(apps)

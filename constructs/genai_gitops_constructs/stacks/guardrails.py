"""A tenant's guard rails, owned by the platform project: namespace, quota, limits, NetworkPolicies."""

from __future__ import annotations

from cdk8s import ApiObject, Chart, JsonPatch
from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.loader import Platform
from genai_gitops.model.quantity import parse_quantity
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import tenant_flows
from genai_gitops_constructs.components.gateway import PublicGateway
from genai_gitops_constructs.external_secret import TENANT_SECRET_STORE
from genai_gitops_constructs.meta import TENANT_LABEL, labels
from genai_gitops_constructs.network_policy import NamespaceNetworkPolicies
from genai_gitops_constructs.stacks.tenant import open_webui_endpoint
from genai_gitops_constructs.values import quantity

# Argo CD sync waves inside the app: the namespace before what lives in it
NAMESPACE_WAVE = {"argocd.argoproj.io/sync-wave": "-1"}


def _q(value: str) -> k8s.Quantity:
    return quantity(value)


def _scaled(value: str, factor: int) -> k8s.Quantity:
    number = parse_quantity(value) * factor
    return quantity(str(int(number)) if number >= 1 else f"{int(number * 1000)}m")


class GuardrailsStack(Chart):
    def __init__(self, scope: Construct, id: str, *, tenant: TenantSpec, platform: Platform) -> None:
        ns = tenant.namespace
        super().__init__(scope, id, namespace=ns, disable_resource_name_hashes=True)
        meta = labels("guardrails", instance=ns, component="guardrails", tenant=tenant.id)
        q = tenant.quotas

        ns_labels = {
            **meta,
            "kubernetes.io/metadata.name": ns,
            TENANT_LABEL: tenant.id,
            # Pod Security Admission: every tenant workload meets `restricted`
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        }
        k8s.KubeNamespace(self, "namespace", metadata=k8s.ObjectMeta(
            name=ns, labels=ns_labels, annotations={**NAMESPACE_WAVE, "genai-gitops.io/display-name": tenant.name}))

        hard = {
            "requests.cpu": _q(q.cpu),
            # limits may burst to twice the requested CPU; memory limits are the OOM line and stay within quota
            "limits.cpu": _scaled(q.cpu, 2),
            "requests.memory": _q(q.memory),
            "limits.memory": _q(q.memory),
            "requests.storage": _q(q.storage),
            "persistentvolumeclaims": _q("10"),
            "pods": _q("50"),
            "services": _q("20"),
            "services.loadbalancers": _q("0"),
            "services.nodeports": _q("0"),
            "requests.nvidia.com/gpu": quantity(q.gpu),
        }
        k8s.KubeResourceQuota(self, "quota", metadata=k8s.ObjectMeta(name="tenant-quota", namespace=ns, labels=meta),
                              spec=k8s.ResourceQuotaSpec(hard=hard))
        k8s.KubeLimitRange(self, "limits", metadata=k8s.ObjectMeta(name="tenant-limits", namespace=ns, labels=meta),
                           spec=k8s.LimitRangeSpec(limits=[k8s.LimitRangeItem(
                               type="Container",
                               default={"cpu": _q("500m"), "memory": _q("512Mi")},
                               default_request={"cpu": _q("100m"), "memory": _q("128Mi")},
                               min={"cpu": _q("10m"), "memory": _q("16Mi")},
                               max={"cpu": _q(q.cpu), "memory": _q(q.memory)},
                           )]))
        # the tenant's own store: an IAM role that can read genai/tenants/<id>/* and nothing else,
        # so no ExternalSecret in this namespace can fetch another tenant's credentials
        store = ApiObject(self, "secret-store", api_version="external-secrets.io/v1", kind="SecretStore",
                          metadata={"name": TENANT_SECRET_STORE, "namespace": ns, "labels": meta})
        store.add_json_patch(JsonPatch.add("/spec", {"provider": {"aws": {
            "service": "SecretsManager", "region": platform.cluster(tenant.cluster).region,
            "role": f"arn:aws:iam::{platform.cluster(tenant.cluster).aws_account_id}:role/genai-eso-{ns}"}}}))
        NamespaceNetworkPolicies(self, "network", namespace=ns, flows=tenant_flows(tenant, platform.inventory),
                                 labels=meta)
        # the tenant's public entry (TLS 1.2+ and its certificate) is the platform's, like the policies above
        PublicGateway(self, "gateway", namespace=ns, endpoints=[open_webui_endpoint(tenant)], labels=meta)

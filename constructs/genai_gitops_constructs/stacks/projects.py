"""One Argo CD AppProject per tenant: the fence around what a tenant's Application may do.

A tenant project deploys only from this repository, only into `tenant-<id>` on its own cluster,
creates no cluster-scoped object at all (its Namespace comes from the platform's guard-rails app),
and may not create or override the guard rails (quota, limits, NetworkPolicies, its SecretStore).
"""

from __future__ import annotations

from cdk8s import ApiObject, Chart, JsonPatch
from constructs import Construct

from genai_gitops.model.apps import ARGOCD_NAMESPACE, GUARDRAIL_KINDS
from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.grammar import argo_group
from genai_gitops.model.loader import Platform
from genai_gitops_constructs.meta import labels


class ProjectsStack(Chart):
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec, platform: Platform) -> None:
        super().__init__(scope, id, namespace=ARGOCD_NAMESPACE, disable_resource_name_hashes=True)
        repo = platform.inventory.gitops.repo_url
        for tenant in platform.tenants_on(cluster.name):
            name = tenant.namespace
            project = ApiObject(self, name, api_version="argoproj.io/v1alpha1", kind="AppProject", metadata={
                "name": name, "namespace": ARGOCD_NAMESPACE,
                "labels": labels("app-project", instance=name, component="argocd", tenant=tenant.id),
                "finalizers": ["resources-finalizer.argocd.argoproj.io"],
            })
            roles = [{
                "name": "tenant-operators",
                "description": f"{tenant.name}: read and sync the tenant's applications",
                # Argo CD writes each group verbatim into a Casbin line (`g, <group>, proj:<p>:<role>`): checked
                # here again so that no caller of this construct can hand it a newline or a comma
                "groups": [argo_group(group) for group in tenant.oidc.argocd_groups],
                "policies": [f"p, proj:{name}:tenant-operators, applications, {action}, {name}/*, allow"
                             for action in ("get", "sync")],
            }] if tenant.oidc.argocd_groups else []
            project.add_json_patch(JsonPatch.add("/spec", {
                "description": f"Tenant {tenant.name} ({tenant.id}) on {cluster.name}",
                "sourceRepos": [repo],
                "destinations": [{"name": cluster.argocd.name, "namespace": name}],
                # no cluster-scoped objects: the Namespace is created by the platform's guard-rails app
                "clusterResourceWhitelist": [],
                "namespaceResourceBlacklist": [{"group": g, "kind": k} for g, k in GUARDRAIL_KINDS],
                "orphanedResources": {"warn": True},
                "roles": roles,
            }))

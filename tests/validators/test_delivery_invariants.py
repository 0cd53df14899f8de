"""AppProject and tenant-folder invariants (delivery.invariants), rule by rule."""

from __future__ import annotations

from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.delivery.invariants import (
    app_project_finding,
    project_findings,
    tenant_folder,
    tenant_folder_findings,
)

REPO = "https://github.com/example-org/genai-gitops.git"
# the generated shape, spelled out: a change to GUARDRAIL_KINDS must change this test too
BLACKLIST = [{"group": "", "kind": "ResourceQuota"}, {"group": "", "kind": "LimitRange"},
             {"group": "networking.k8s.io", "kind": "NetworkPolicy"},
             {"group": "external-secrets.io", "kind": "SecretStore"},
             {"group": "gateway.networking.k8s.io", "kind": "Gateway"},
             {"group": "gateway.envoyproxy.io", "kind": "ClientTrafficPolicy"},
             {"group": "gateway.envoyproxy.io", "kind": "EnvoyPatchPolicy"},
             {"group": "gateway.envoyproxy.io", "kind": "EnvoyExtensionPolicy"}]


def tenant_project(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "sourceRepos": [REPO], "destinations": [{"name": "spoke", "namespace": "tenant-alpha"}],
        "clusterResourceWhitelist": [], "namespaceResourceBlacklist": BLACKLIST,
        "roles": [{"name": "ops", "policies": ["p, proj:tenant-alpha:ops, applications, get, tenant-alpha/*, allow"]}],
    }
    spec.update(changes)
    return spec


def messages(name: str, spec: dict[str, Any]) -> list[str]:
    found = project_findings(name, spec, "dist/spoke/projects/AppProject.yaml")
    assert all(f.rule == "project-too-open" and f.severity is Severity.ERROR for f in found)
    return [f.message for f in found]


def test_the_generated_shapes_pass() -> None:
    assert messages("tenant-alpha", tenant_project()) == []
    platform = {"sourceRepos": [REPO], "destinations": [{"name": "spoke", "namespace": "*"}],
                "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}
    assert messages("platform", platform) == []


def test_roles_beyond_the_project_and_source_namespaces() -> None:
    spec = tenant_project(sourceNamespaces=["*"], roles=[{"name": "ops", "policies": [
        "p, proj:tenant-alpha:ops, applications, *, */*, allow",
        "p, proj:tenant-alpha:ops, applications, sync, tenant-beta/*, allow"]}])
    assert messages("tenant-alpha", spec) == [
        "AppProject tenant-alpha lets Applications in namespaces '*' use it (spec.sourceNamespaces)",
        "AppProject tenant-alpha role 'ops' grants 'p, proj:tenant-alpha:ops, applications, *, */*, allow', "
        "beyond the project's own Applications (tenant-alpha/*)",
        "AppProject tenant-alpha role 'ops' grants 'p, proj:tenant-alpha:ops, applications, sync, tenant-beta/*, "
        "allow', beyond the project's own Applications (tenant-alpha/*)"]


def test_platform_sources_and_clusters_are_never_globs() -> None:
    platform = {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}]}
    assert messages("platform", platform) == [
        "AppProject platform permits source repositories '*' by glob; list repositories literally",
        "AppProject platform permits destination cluster '*' by glob; name the cluster"]


def test_tenant_folders() -> None:
    assert tenant_folder("dist/spoke/tenant-alpha") == ("tenant-alpha", False)
    assert tenant_folder("dist/spoke/tenant-alpha-guardrails/") == ("tenant-alpha", True)
    assert tenant_folder("dist/spoke/central") is None
    anchor = Finding(file="argocd/apps/appset.yaml", line=None, api_version="argoproj.io/v1alpha1",
                     kind="Application", namespace="argocd", name="spoke-tenant-alpha", validator="delivery",
                     rule="", severity=Severity.ERROR, message="")
    assert app_project_finding("spoke-tenant-alpha", "tenant-alpha", ["dist/spoke/tenant-alpha"], anchor) is None
    assert app_project_finding("spoke-tenant-alpha-guardrails", "platform", ["dist/spoke/tenant-alpha-guardrails"],
                               anchor) is None
    wrong = app_project_finding("spoke-tenant-alpha", "default", ["dist/spoke/tenant-alpha"], anchor)
    assert wrong is not None and wrong.rule == "tenant-app-project" and "with AppProject default" in wrong.message


def test_guardrails_hold_only_the_tenant_namespace() -> None:
    def res(kind: str, name: str, namespace: str = "", api: str = "v1") -> Resource:
        meta = {"name": name, **({"namespace": namespace} if namespace else {})}
        return Resource({"apiVersion": api, "kind": kind, "metadata": meta}, "f.yaml")

    objects = [res("Namespace", "tenant-alpha"), res("ResourceQuota", "q", "tenant-alpha"),
               res("Namespace", "elsewhere"), res("ResourceQuota", "q", "genai-platform"),
               res("ClusterRoleBinding", "x", api="rbac.authorization.k8s.io/v1")]
    found = tenant_folder_findings(["dist/spoke/tenant-alpha-guardrails"], objects,
                                   lambda r: r.kind not in ("Namespace", "ClusterRoleBinding"))
    assert [f.message for f in found] == [
        "Namespace elsewhere in dist/spoke/tenant-alpha-guardrails is cluster-scoped; a tenant's guard rails hold "
        "only its Namespace and objects of namespace tenant-alpha",
        "ResourceQuota genai-platform/q in dist/spoke/tenant-alpha-guardrails lives outside the tenant's namespace "
        "tenant-alpha, out of reach of the tenant's policies and fences",
        "ClusterRoleBinding x in dist/spoke/tenant-alpha-guardrails is cluster-scoped; a tenant's guard rails hold "
        "only its Namespace and objects of namespace tenant-alpha"]

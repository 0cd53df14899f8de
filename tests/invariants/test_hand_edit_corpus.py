"""Issue 11, hole 9: the platform's invariants hold by policy, not only by drift.

A repository is synthesised from this folder's own data (two clusters, two tenants) and the policy
library; each case makes one dangerous hand edit to dist/ or argocd/ (or a consistent edit of data
and dist/) and runs `genai-gitops check --no-drift`, which must refuse it with the exact finding.
Each verdict is the same with the result cache as without it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops.cli import main

HERE = Path(__file__).parent
REPO = HERE.parents[1]
SPOKE = "dist/spoke"
ALPHA = f"{SPOKE}/tenant-alpha"
GUARDRAILS = f"{SPOKE}/tenant-alpha-guardrails"
CONFIG = f"{SPOKE}/cluster-config"


@pytest.fixture(scope="module")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from genai_gitops.synth import synthesize

    root = tmp_path_factory.mktemp("invariants") / "repo"
    shutil.copytree(HERE / "fixtures", root)
    shutil.copytree(REPO / "policies", root / "policies")
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist", policies_dir=root / "policies",
               argocd_dir=root / "argocd")
    # a warm result cache, as CI restores main's before checking a pull request
    code, _ = check(root)
    assert code == 0
    return root


def check(root: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    out = root.parent / "findings.json"
    code = main(["check", "--repo", str(root), "--no-drift", "--skip", "checkov", "--output", "json",
                 "--output-file", str(out), *extra])
    return code, json.loads(out.read_text(encoding="utf-8"))["findings"] if out.is_file() else []


def errors(found: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(f["validator"], f["rule"], f["message"]) for f in found if f["severity"] == "error"}


# -- edits ------------------------------------------------------------------------------------------

def edit(path: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        file = root / path
        obj = yaml.safe_load(file.read_text(encoding="utf-8"))
        change(obj)
        file.write_text(yaml.safe_dump(obj, sort_keys=False), encoding="utf-8")
    return apply


def add(path: str, obj: dict[str, Any]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / path).write_text(yaml.safe_dump(obj, sort_keys=False), encoding="utf-8")
    return apply


def remove(path: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / path).unlink()
    return apply


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for one in edits:
            one(root)
    return apply


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def binding(kind: str, name: str, role: str, subjects: list[dict[str, Any]], namespace: str = "") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta.update(namespace=namespace, labels={"genai-gitops.io/tenant": "alpha"})
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": subjects}


ALPHA_SA = {"kind": "ServiceAccount", "name": "open-webui", "namespace": "tenant-alpha"}
TOO_OPEN = "project-too-open"
BETA_ROLE = "arn:aws:iam::222222222222:role/genai-eso-tenant-beta"


@dataclass(frozen=True)
class Case:
    id: str
    apply: Callable[[Path], None]
    #: (validator, rule, exact message) that must be among the errors
    expected: tuple[str, str, str]


CASES = [
    # -- Argo CD projects and applications ----------------------------------------------------------
    Case("project-source-repos-star",
         edit(f"{SPOKE}/projects/AppProject-tenant-alpha.yaml", lambda o: o["spec"].update(sourceRepos=["*"])),
         ("delivery", TOO_OPEN, "AppProject tenant-alpha permits source repositories '*' by glob; list "
                                "repositories literally")),
    Case("project-destination-star",
         edit(f"{SPOKE}/projects/AppProject-tenant-alpha.yaml",
              lambda o: o["spec"].update(destinations=[{"server": "*", "namespace": "*"}])),
         ("delivery", TOO_OPEN, "AppProject tenant-alpha permits namespace '*' on *; a tenant project reaches only "
                                "its own namespace tenant-alpha")),
    Case("project-cluster-resources-star",
         edit(f"{SPOKE}/projects/AppProject-tenant-alpha.yaml",
              lambda o: o["spec"].update(clusterResourceWhitelist=[{"group": "*", "kind": "*"}])),
         ("delivery", TOO_OPEN, "AppProject tenant-alpha permits cluster-scoped objects */* "
                                "(spec.clusterResourceWhitelist); a tenant's Namespace comes from the platform's "
                                "guard-rails app and tenants create no cluster-scoped object")),
    Case("project-reaches-another-tenant",
         edit(f"{SPOKE}/projects/AppProject-tenant-alpha.yaml",
              lambda o: o["spec"]["destinations"].append({"name": "spoke", "namespace": "tenant-beta"})),
         ("delivery", TOO_OPEN, "AppProject tenant-alpha permits namespace 'tenant-beta' on spoke; a tenant project "
                                "reaches only its own namespace tenant-alpha")),
    Case("project-guardrail-kinds-unblocked",
         edit(f"{SPOKE}/projects/AppProject-tenant-alpha.yaml",
              lambda o: o["spec"].update(namespaceResourceBlacklist=[])),
         ("delivery", TOO_OPEN, "AppProject tenant-alpha no longer blacklists networking.k8s.io/NetworkPolicy "
                                "(spec.namespaceResourceBlacklist): the tenant could replace its guard rails")),
    Case("tenant-appset-in-platform-project",
         edit("argocd/apps/applicationset-genai-tenant.yaml",
              lambda o: o["spec"]["template"]["spec"].update(project="platform")),
         ("delivery", "tenant-app-project", "Application spoke-tenant-alpha delivers tenant folder "
                                            "dist/spoke/tenant-alpha with AppProject platform; a tenant's Application "
                                            "uses its own AppProject tenant-alpha, which confines it to namespace "
                                            "tenant-alpha")),
    Case("tenant-appset-in-another-tenants-project",
         edit("argocd/apps/applicationset-genai-tenant.yaml",
              lambda o: o["spec"]["template"]["spec"].update(project="tenant-beta")),
         ("delivery", "tenant-app-project", "Application spoke-tenant-alpha delivers tenant folder "
                                            "dist/spoke/tenant-alpha with AppProject tenant-beta; a tenant's "
                                            "Application uses its own AppProject tenant-alpha, which confines it to "
                                            "namespace tenant-alpha")),
    Case("guardrails-object-moved-out-of-the-tenant-namespace",
         edit(f"{GUARDRAILS}/NetworkPolicy-default-deny.yaml", lambda o: o["metadata"].update(namespace="alpha")),
         ("delivery", "tenant-folder-namespace",
          "NetworkPolicy alpha/default-deny in dist/spoke/tenant-alpha-guardrails lives outside the tenant's "
          "namespace tenant-alpha, out of reach of the tenant's policies and fences")),
    # -- RBAC ---------------------------------------------------------------------------------------
    Case("rolebinding-admin-in-tenant-namespace",
         add(f"{ALPHA}/RoleBinding-team-admin.yaml",
             binding("RoleBinding", "team-admin", "admin", [ALPHA_SA], "tenant-alpha")),
         ("policy", "K8sTenantRbac/tenant-rbac",
          "RoleBinding tenant-alpha/team-admin grants ClusterRole admin in tenant namespace tenant-alpha; that role "
          "is reserved for the platform (forbiddenClusterRoles). Tenants get no RBAC beyond what the platform "
          "generates (an intended binding goes into exemptBindings with a reason)")),
    Case("clusterrolebinding-cluster-admin-to-tenant",
         add(f"{CONFIG}/ClusterRoleBinding-helper.yaml",
             binding("ClusterRoleBinding", "helper", "cluster-admin", [ALPHA_SA])),
         ("policy", "K8sTenantRbac/tenant-rbac",
          "ClusterRoleBinding helper grants ClusterRole cluster-admin to ServiceAccount tenant-alpha/open-webui, a "
          "tenant subject; that role is reserved for the platform (forbiddenClusterRoles). Tenants get no RBAC "
          "beyond what the platform generates (an intended binding goes into exemptBindings with a reason)")),
    Case("wildcard-clusterrole-bound-in-tenant-namespace",
         both(add(f"{CONFIG}/ClusterRole-anything.yaml",
                  {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                   "metadata": {"name": "anything"},
                   "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]}),
              add(f"{ALPHA}/RoleBinding-anything.yaml",
                  binding("RoleBinding", "anything", "anything", [ALPHA_SA], "tenant-alpha"))),
         ("policy", "K8sTenantRbac/tenant-rbac",
          "RoleBinding tenant-alpha/anything grants ClusterRole anything in tenant namespace tenant-alpha; that role "
          "has a wildcard resources in its rules. Tenants get no RBAC beyond what the platform generates (an "
          "intended binding goes into exemptBindings with a reason)")),
    # -- secret stores ------------------------------------------------------------------------------
    Case("cluster-secret-store-admits-a-tenant",
         edit(f"{CONFIG}/ClusterSecretStore-aws-secrets-manager.yaml",
              lambda o: o["spec"]["conditions"][0]["namespaces"].append("tenant-alpha")),
         ("policy", "K8sSecretStoreScope/secret-store-scope",
          "ClusterSecretStore aws-secrets-manager admits tenant namespace tenant-alpha; tenants read only through "
          "the SecretStore in their own namespace")),
    Case("cluster-secret-store-without-conditions",
         edit(f"{CONFIG}/ClusterSecretStore-aws-secrets-manager.yaml", lambda o: o["spec"].pop("conditions")),
         ("policy", "K8sSecretStoreScope/secret-store-scope",
          "ClusterSecretStore aws-secrets-manager has no spec.conditions, so every namespace (every tenant's too) "
          "may read through it; list the platform namespaces that use it in conditions[].namespaces")),
    Case("tenant-secret-store-with-another-tenants-role",
         edit(f"{GUARDRAILS}/SecretStore-tenant-secrets.yaml",
              lambda o: o["spec"]["provider"]["aws"].update(role=BETA_ROLE)),
         ("policy", "K8sSecretStoreScope/secret-store-scope",
          f"SecretStore tenant-alpha/tenant-secrets assumes role \"{BETA_ROLE}\", "
          "which is not the tenant's own role arn:aws:iam::<account>:role/genai-eso-tenant-alpha; another role reads "
          "other tenants' (or the platform's) secrets")),
    # -- Gatekeeper itself --------------------------------------------------------------------------
    Case("constraint-switched-to-dryrun",
         edit(f"{CONFIG}/K8sRestrictedPodSecurity-restricted-pod-security.yaml",
              lambda o: o["spec"].update(enforcementAction="dryrun")),
         ("policy", "gatekeeper-policy-weakened",
          "constraint K8sRestrictedPodSecurity/restricted-pod-security is enforced as 'dryrun' where the library says "
          "'deny', unlike {policies}/k8s-restricted-pod-security/constraint.yaml; constraints are deployed exactly "
          "as policies/ declares them (change policies/ and re-synth)")),
    Case("constraint-scoped-to-warn-at-the-webhook",
         edit(f"{CONFIG}/K8sTenantRbac-tenant-rbac.yaml", lambda o: o["spec"].update(
             enforcementAction="scoped",
             scopedEnforcementActions=[{"action": "warn", "enforcementPoints": [{"name": "*"}]}])),
         ("policy", "gatekeeper-policy-weakened",
          "constraint K8sTenantRbac/tenant-rbac is enforced as 'scoped' where the library says 'deny', unlike "
          "{policies}/k8s-tenant-rbac/constraint.yaml; constraints are deployed exactly as policies/ declares them "
          "(change policies/ and re-synth)")),
    Case("constraint-removed",
         remove(f"{CONFIG}/K8sTenantPodPlacement-tenant-pod-placement.yaml"),
         ("policy", "gatekeeper-policy-missing",
          "constraint K8sTenantPodPlacement/tenant-pod-placement of the policy library is not deployed to cluster "
          "spoke: dist/spoke/cluster-config must carry every template and constraint of policies/ (run genai-gitops "
          "synth)")),
    Case("template-removed",
         remove(f"{CONFIG}/ConstraintTemplate-k8sallowedwebhooks.yaml"),
         ("policy", "gatekeeper-policy-missing",
          "ConstraintTemplate ConstraintTemplate/k8sallowedwebhooks of the policy library is not deployed to cluster "
          "spoke: dist/spoke/cluster-config must carry every template and constraint of policies/ (run genai-gitops "
          "synth)")),
    Case("constraint-excludes-a-tenant-namespace",
         edit(f"{CONFIG}/K8sTrustedImages-trusted-images.yaml",
              lambda o: o["spec"]["match"]["excludedNamespaces"].append("tenant-alpha")),
         ("policy", "gatekeeper-policy-weakened",
          "constraint K8sTrustedImages/trusted-images has another spec.match (excludedNamespaces adds "
          "[\"tenant-alpha\"]), unlike "
          "{policies}/k8s-trusted-images/constraint.yaml; constraints are deployed exactly as policies/ declares "
          "them (change policies/ and re-synth)")),
    Case("gatekeeper-config-exempts-tenants",
         edit(f"{CONFIG}/Config-config.yaml", lambda o: o["spec"].update(
             match=[{"excludedNamespaces": ["tenant-*"], "processes": ["*"]}])),
         ("policy", "gatekeeper-config",
          "Gatekeeper Config exempts 'tenant-*' (spec.match excludedNamespaces, processes ['*']), which covers "
          "tenant-alpha: tenant namespaces are never exempt from policy")),
    Case("gatekeeper-config-stops-syncing-roles",
         edit(f"{CONFIG}/Config-config.yaml", lambda o: o["spec"]["sync"].update(
             syncOnly=[k for k in o["spec"]["sync"]["syncOnly"] if k["kind"] != "ClusterRole"])),
         ("policy", "gatekeeper-config",
          "Gatekeeper Config no longer syncs rbac.authorization.k8s.io/v1 ClusterRole (spec.sync.syncOnly): the "
          "referential policies reading it would pass on an empty inventory")),
    Case("gatekeeper-chart-exempts-tenant-prefix",
         edit(f"{SPOKE}/addons/Application-spoke-gatekeeper.yaml",
              lambda o: o["spec"]["source"]["helm"]["valuesObject"]["controllerManager"].update(
                  exemptNamespacePrefixes=["tenant-"])),
         ("policy", "gatekeeper-install",
          "Gatekeeper's chart values exempt 'tenant-' (controllerManager.exemptNamespacePrefixes), which covers "
          "tenant namespaces: no constraint would judge them")),
    Case("gatekeeper-chart-webhook-off",
         edit(f"{SPOKE}/addons/Application-spoke-gatekeeper.yaml",
              lambda o: o["spec"]["source"]["helm"]["valuesObject"].update(disableValidatingWebhook=True)),
         ("policy", "gatekeeper-install",
          "Gatekeeper's chart values set disableValidatingWebhook: turns the admission webhook off: nothing is "
          "refused at admission")),
    Case("mutating-webhook-added",
         add(f"{CONFIG}/MutatingWebhookConfiguration-injector.yaml",
             {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
              "metadata": {"name": "injector"},
              "webhooks": [{"name": "inject.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
                            "clientConfig": {"url": "https://hooks.example.com/inject"},
                            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                       "resources": ["pods"]}]}]}),
         ("policy", "K8sAllowedWebhooks/allowed-webhooks",
          "MutatingWebhookConfiguration injector is not an allowed admission webhook; a webhook sees (a mutating one "
          "rewrites) every object it matches. Add it to allowedWebhooks with its reason if the platform needs it")),
    # -- tenant namespaces ----------------------------------------------------------------------------
    Case("tenant-namespace-privileged",
         edit(f"{GUARDRAILS}/Namespace-tenant-alpha.yaml", lambda o: o["metadata"]["labels"].update(
             {"pod-security.kubernetes.io/enforce": "privileged"})),
         ("policy", "K8sTenantNamespaceSecurity/tenant-namespace-security",
          "tenant Namespace tenant-alpha sets pod-security.kubernetes.io/enforce: privileged; tenant namespaces keep "
          "pod-security.kubernetes.io/enforce: restricted")),
    Case("tenant-namespace-without-restricted-label",
         edit(f"{GUARDRAILS}/Namespace-tenant-alpha.yaml",
              lambda o: o["metadata"]["labels"].pop("pod-security.kubernetes.io/enforce")),
         ("policy", "K8sTenantNamespaceSecurity/tenant-namespace-security",
          "tenant Namespace tenant-alpha has no pod-security.kubernetes.io/enforce label; set "
          "pod-security.kubernetes.io/enforce: restricted")),
    Case("tenant-namespace-unlabelled-out-of-scope",
         edit(f"{GUARDRAILS}/Namespace-tenant-alpha.yaml",
              lambda o: o["metadata"]["labels"].pop("genai-gitops.io/tenant")),
         ("policy", "K8sTenantOwnership/tenant-ownership-namespaces",
          "Namespace tenant-alpha is a tenant namespace but has no genai-gitops.io/tenant label; set it to alpha")),
    Case("tenant-namespace-ignored-by-gatekeeper",
         edit(f"{GUARDRAILS}/Namespace-tenant-alpha.yaml", lambda o: o["metadata"]["labels"].update(
             {"admission.gatekeeper.sh/ignore": "true"})),
         ("policy", "K8sTenantNamespaceSecurity/tenant-namespace-security",
          "tenant Namespace tenant-alpha carries the label admission.gatekeeper.sh/ignore (Gatekeeper skips every "
          "constraint for a namespace labelled so); remove it")),
    # -- tenant pods --------------------------------------------------------------------------------
    Case("node-name-and-tolerate-everything",
         edit(f"{ALPHA}/Deployment-open-webui.yaml", lambda o: pod_spec(o).update(
             nodeName="ip-10-50-1-5.eu-west-1.compute.internal", tolerations=[{"operator": "Exists"}])),
         ("policy", "K8sTenantPodPlacement/tenant-pod-placement",
          "Deployment tenant-alpha/open-webui tolerates every taint (operator Exists without a key), so it can run "
          "on reserved nodes; tolerate named taints only")),
    Case("host-network-and-host-path",
         edit(f"{ALPHA}/Deployment-open-webui.yaml", lambda o: pod_spec(o).update(
             hostNetwork=True, volumes=[*pod_spec(o).get("volumes", []), {"name": "root", "hostPath": {"path": "/"}}])),
         ("policy", "K8sRestrictedPodSecurity/restricted-pod-security",
          "Deployment open-webui: volume \"root\" must not be a hostPath (/)")),
    Case("privileged-container",
         edit(f"{ALPHA}/Deployment-open-webui.yaml",
              lambda o: pod_spec(o)["containers"][0]["securityContext"].update(privileged=True)),
         ("policy", "K8sRestrictedPodSecurity/restricted-pod-security",
          "Deployment open-webui: container \"open-webui\" must not be privileged")),
    # -- images (hole 10) -----------------------------------------------------------------------------
    Case("untrusted-image-on-a-trusted-registry",
         edit(f"{ALPHA}/Deployment-mcp-search.yaml",
              lambda o: pod_spec(o)["containers"][0].update(image="docker.io/evil/cryptominer:1.0")),
         ("policy", "K8sTrustedImages/trusted-images",
          "Deployment mcp-search: container \"mcp-search\" uses image \"docker.io/evil/cryptominer:1.0\" from "
          "repository docker.io/evil/cryptominer, which is not trusted: it is not in the platform's repositories "
          "nor in namespace tenant-alpha's own (tenantRepositories: [\"ghcr.io/alpha-corp/\"]); trust is per "
          "repository (a tenant declares its own in image_repositories of its tenant file)")),
    Case("tenant-image-in-another-tenants-namespace",
         edit(f"{SPOKE}/tenant-beta/Deployment-open-webui.yaml",
              lambda o: pod_spec(o)["containers"][0].update(image="ghcr.io/alpha-corp/mcp-search:2.0.0")),
         ("policy", "K8sTrustedImages/trusted-images",
          "Deployment open-webui: container \"open-webui\" uses image \"ghcr.io/alpha-corp/mcp-search:2.0.0\" from "
          "repository ghcr.io/alpha-corp/mcp-search, which is not trusted: it is not in the platform's "
          "repositories; trust is per repository (a tenant declares its own in image_repositories of its tenant "
          "file)")),
    Case("tenant-repositories-widened-in-dist",
         edit(f"{CONFIG}/K8sTrustedImages-trusted-images.yaml",
              lambda o: o["spec"]["parameters"]["tenantRepositories"][0]["repositories"].append("docker.io/evil/")),
         ("policy", "gatekeeper-policy-weakened",
          "constraint K8sTrustedImages/trusted-images has another spec.parameters (tenantRepositories adds "
          "[{\"namespace\": \"tenant-alpha\", \"repositories\": [\"ghcr.io/alpha-corp/\", \"docker.io/evil/\"]}], "
          "drops [{\"namespace\": \"tenant-alpha\", \"repositories\": [\"ghcr.io/alpha-corp/\"]}]), "
          "unlike {policies}/k8s-trusted-images/constraint.yaml; constraints are deployed exactly as policies/ "
          "declares them (change policies/ and re-synth)")),
]


def test_the_synthesised_fixture_checks_clean(synthesised: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(synthesised, root)
    code, found = check(root, "--no-cache")
    assert [f for f in found if f["severity"] == "error"] == []
    assert code == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hand_edit_is_refused(case: Case, synthesised: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(synthesised, root)
    case.apply(root)
    code, found = check(root, "--no-cache")
    validator, rule, message = case.expected
    message = message.replace("{policies}", str(root / "policies"))
    got = errors(found)
    assert (validator, rule, message) in got, sorted(got)
    assert code == 1
    # the cache (main's, warm) never changes the verdict
    warm_code, warm = check(root)
    assert (warm_code, errors(warm)) == (code, got)


def test_enough_cases() -> None:
    assert len(CASES) >= 13

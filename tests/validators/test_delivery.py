"""The delivery validator on the synthesised example repository, intact and broken on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from genai_gitops.manifests import read_paths
from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.model.loader import load_inventory
from genai_gitops.report.finding import Finding
from genai_gitops.validators.base import Target
from genai_gitops.validators.delivery import DeliveryValidator, glob_match
from genai_gitops.validators.registry import VALIDATORS, ValidatorOptions, build_validators

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from genai_gitops.synth import synthesize

    root = tmp_path_factory.mktemp("delivery-example")
    shutil.copytree(REPO / "tenants", root / "tenants")
    shutil.copy(REPO / "clusters.yaml", root / "clusters.yaml")
    policies = REPO / "policies"
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist",
               policies_dir=policies if policies.is_dir() else None, argocd_dir=root / "argocd")
    return root


@pytest.fixture()
def repo(example: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(example, root)
    return root


def inventory_of(root: Path) -> ClusterInventory:
    return load_inventory(root / "clusters.yaml")


def findings(root: Path, cluster: str | None = None, *, options: ValidatorOptions | None = None) -> list[Finding]:
    """Run the validator as `check` does: one target per cluster (or one for the whole dist/)."""
    inventory = inventory_of(root)
    validator = DeliveryValidator(options or ValidatorOptions(repo_root=root))
    if cluster is None:
        target = Target(name="dist", k8s_version="1.30", resources=read_paths([root / "dist"]).resources,
                        inventory=inventory)
    else:
        spec = inventory.by_name()[cluster]
        target = Target(name=cluster, k8s_version=spec.kubernetes_version,
                        resources=read_paths([root / "dist" / cluster]).resources, cluster=spec, inventory=inventory)
    return list(validator.validate(target))


def rules(found: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for f in found)


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_unmodified_synth_passes(example: Path) -> None:
    assert findings(example) == []
    for cluster in ("central-prod", "customer-eu-1", "customer-us-1"):
        assert findings(example, cluster) == []


def test_a_tenant_object_outside_its_namespace_is_rejected(repo: Path) -> None:
    path = repo / "dist/customer-eu-1/tenant-acme/ServiceAccount-open-webui.yaml"
    edit_yaml(path, lambda obj: obj["metadata"].update(namespace="genai-platform"))
    found = findings(repo, "customer-eu-1")
    assert rules(found) == [(
        "namespace-not-permitted",
        "ServiceAccount genai-platform/open-webui: namespace genai-platform on cluster customer-eu-1 is not "
        "permitted by AppProject tenant-acme (spec.destinations: customer-eu-1/tenant-acme)")]
    assert found[0].file == str(path) and found[0].line == 1 and found[0].validator == "delivery"


def test_a_tenant_shipping_a_cluster_scoped_object_is_rejected(repo: Path) -> None:
    path = repo / "dist/customer-eu-1/tenant-acme/ClusterRole-foo.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                                    "metadata": {"name": "foo"}, "rules": []}))
    assert rules(findings(repo, "customer-eu-1")) == [(
        "cluster-resource-not-permitted",
        "ClusterRole foo is cluster-scoped; AppProject tenant-acme permits no cluster-scoped objects "
        "(spec.clusterResourceWhitelist is empty)")]


def test_a_tenant_overriding_a_guard_rail_is_rejected(repo: Path) -> None:
    (repo / "dist/customer-eu-1/tenant-acme/ResourceQuota-more.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "more", "namespace": "tenant-acme"},
         "spec": {"hard": {"cpu": "1000"}}}))
    assert rules(findings(repo, "customer-eu-1")) == [(
        "namespaced-resource-not-permitted",
        "ResourceQuota tenant-acme/more in Application customer-eu-1-tenant-acme: AppProject tenant-acme's "
        "spec.namespaceResourceBlacklist forbids ResourceQuota (core group)")]


def test_findings_go_to_the_target_of_their_cluster(repo: Path) -> None:
    path = repo / "dist/customer-eu-1/tenant-acme/ServiceAccount-open-webui.yaml"
    edit_yaml(path, lambda obj: obj["metadata"].update(namespace="genai-platform"))
    assert findings(repo, "customer-us-1") == [] and findings(repo, "central-prod") == []
    assert len(findings(repo)) == 1  # one target for all of dist/


def test_folders_must_be_claimed_exactly_once(repo: Path) -> None:
    (repo / "dist/customer-eu-1/stray").mkdir()
    (repo / "dist/customer-eu-1/stray/ConfigMap-x.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    (repo / "dist/customer-eu-1/empty").mkdir()  # git keeps no empty folder: nothing to deliver
    twin = repo / "argocd/apps/applicationset-genai-guardrails.yaml"
    appset = yaml.safe_load(twin.read_text())
    appset["metadata"]["name"] = "twin"
    appset["spec"]["template"]["metadata"]["name"] = "twin-{{.path.basename}}"
    (repo / "argocd/apps/applicationset-twin.yaml").write_text(yaml.safe_dump(appset))
    found = rules(findings(repo, "customer-eu-1"))
    assert ("unclaimed-folder", "dist/customer-eu-1/stray/ is delivered by no Application: no ApplicationSet "
                                "generates one for it, so its objects never reach a cluster") in found
    assert ("folder-claimed-twice", "dist/customer-eu-1/tenant-acme-guardrails/ is the source of Applications "
                                    "customer-eu-1-tenant-acme-guardrails, twin-tenant-acme-guardrails: they would "
                                    "manage the same objects and overwrite each other") in found
    assert {rule for rule, _ in found} == {"unclaimed-folder", "folder-claimed-twice"}


def test_an_application_without_its_project_is_rejected(repo: Path) -> None:
    (repo / "dist/customer-eu-1/projects/AppProject-tenant-acme.yaml").unlink()
    found = findings(repo, "customer-eu-1")
    assert rules(found) == [(
        "unknown-project",
        "Application customer-eu-1-tenant-acme names AppProject tenant-acme, which is defined neither in argocd/ "
        "nor in dist/*/projects/: Argo CD refuses the Application")]
    assert found[0].kind == "Application" and found[0].file.endswith("applicationset-genai-tenant.yaml")


def test_project_sources_and_destinations(repo: Path) -> None:
    def fence(project: dict) -> None:
        project["spec"]["sourceRepos"] = ["https://github.com/example-org/other-*"]
        project["spec"]["destinations"] = [{"name": "customer-eu-1", "namespace": "tenant-elsewhere"}]

    edit_yaml(repo / "dist/customer-eu-1/projects/AppProject-tenant-acme.yaml", fence)
    found = rules(findings(repo, "customer-eu-1"))
    assert ("source-not-permitted",
            "Application customer-eu-1-tenant-acme reads https://github.com/example-org/genai-gitops.git, which "
            "AppProject tenant-acme does not permit (spec.sourceRepos: https://github.com/example-org/other-*)"
            ) in found
    assert ("destination-not-permitted",
            "Application customer-eu-1-tenant-acme deploys to customer-eu-1/tenant-acme, which AppProject "
            "tenant-acme does not permit (spec.destinations: customer-eu-1/tenant-elsewhere)") in found
    # objects in the destination namespace are not reported again, one by one
    assert {rule for rule, _ in found} == {"source-not-permitted", "destination-not-permitted"}


def test_add_on_applications_are_checked_against_their_project(repo: Path) -> None:
    path = repo / "dist/customer-eu-1/addons/Application-customer-eu-1-cert-manager.yaml"
    edit_yaml(path, lambda app: app["spec"]["source"].update(repoURL="https://charts.example.com"))
    found = findings(repo, "customer-eu-1")
    assert [(f.rule, f.file, f.name) for f in found] == [
        ("source-not-permitted", str(path), "customer-eu-1-cert-manager")]


def test_a_consumer_must_sync_after_its_provider(repo: Path) -> None:
    path = repo / "argocd/apps/applicationset-genai-guardrails.yaml"
    path.write_text(path.read_text().replace("argocd.argoproj.io/sync-wave: '0'", "argocd.argoproj.io/sync-wave: '1'"))
    found = findings(repo, "customer-us-1")
    assert {f.rule for f in found} == {"sync-wave-order"}
    assert any(f.message.startswith("Deployment tenant-globex/") and "in Application customer-us-1-tenant-globex "
               "(sync wave 1) needs Namespace tenant-globex, which Application customer-us-1-tenant-globex-guardrails "
               "delivers in sync wave 1: customer-us-1-tenant-globex must sync in a later wave" in f.message
               for f in found), [f.message for f in found]


def test_a_crd_no_application_delivers_is_reported(repo: Path) -> None:
    (repo / "dist/customer-us-1/addons/Application-customer-us-1-external-secrets.yaml").unlink()
    found = findings(repo, "customer-us-1")
    assert {f.rule for f in found} == {"crd-not-provided"}
    by_app = {f.message.split(" in Application ")[1].split(" ")[0] for f in found}
    assert by_app == {"customer-us-1-cluster-config", "customer-us-1-tenant-globex",
                      "customer-us-1-tenant-globex-guardrails"}
    assert all("needs CRD group external-secrets.io on customer-us-1, which no Application delivers" in f.message
               for f in found)


def test_a_missing_path_is_reported(repo: Path) -> None:
    appset = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "extra"},
              "spec": {"goTemplate": True, "generators": [{"list": {"elements": [{"name": "x"}]}}], "template": {
                  "metadata": {"name": "extra-{{ .name }}"},
                  "spec": {"project": "platform", "destination": {"name": "customer-eu-1", "namespace": "x"},
                           "source": {"repoURL": "https://github.com/example-org/genai-gitops.git",
                                      "path": "dist/customer-eu-1/nowhere"}}}}}
    (repo / "argocd/apps/applicationset-extra.yaml").write_text(yaml.safe_dump(appset))
    assert rules(findings(repo, "customer-eu-1")) == [
        ("missing-path", "Application extra-x reads path dist/customer-eu-1/nowhere, which does not exist in the "
                         "repository")]


def test_an_application_set_the_preview_cannot_render_is_one_finding(repo: Path) -> None:
    path = repo / "argocd/apps/applicationset-genai-tenant.yaml"
    path.write_text(path.read_text().replace("{{.path.basename}}", "{{.path.nope}}"))
    found = findings(repo, "central-prod")  # repository-wide findings go to the first cluster's target
    assert [f.rule for f in found] == ["preview-failed"]
    assert 'map has no entry for key "nope"' in found[0].message
    assert findings(repo, "customer-eu-1") == []


def test_the_repository_is_found_from_the_targets_files(repo: Path, monkeypatch) -> None:
    """`genai-gitops validate dist/` and `check` pass no repo_root: the target's files lead to it."""
    monkeypatch.chdir(repo)
    target = Target(name="dist", k8s_version="1.30", resources=read_paths([Path("dist")]).resources)
    assert list(DeliveryValidator(ValidatorOptions()).validate(target)) == []
    (repo / "dist/customer-eu-1/tenant-acme/ClusterRole-foo.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: foo}\n")
    target = Target(name="dist", k8s_version="1.30", resources=read_paths([Path("dist")]).resources,
                    inventory=inventory_of(repo))
    found = list(DeliveryValidator(ValidatorOptions()).validate(target))
    assert [(f.rule, f.file) for f in found] == [
        ("cluster-resource-not-permitted", "dist/customer-eu-1/tenant-acme/ClusterRole-foo.yaml")]


def test_ad_hoc_manifests_outside_a_repository_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    target = Target(name="x", k8s_version="1.30", resources=read_paths([tmp_path]).resources)
    assert list(DeliveryValidator(ValidatorOptions()).validate(target)) == []


def test_registered_as_delivery() -> None:
    assert VALIDATORS["delivery"] == "genai_gitops.validators.delivery:DeliveryValidator"
    assert [v.name for v in build_validators(["delivery"], ValidatorOptions())] == ["delivery"]


@pytest.mark.parametrize(("pattern", "value", "separators", "expected"), [
    ("*", "anything/at/all", "", True),
    ("tenant-*", "tenant-acme", "", True),
    ("!tenant-*", "tenant-acme", "", False),
    ("https://github.com/example-org/*", "https://github.com/example-org/repo", "/", True),
    ("https://github.com/example-org/*", "https://github.com/example-org/a/b", "/", False),
    ("https://github.com/**", "https://github.com/example-org/a/b", "/", True),
    ("customer-{eu,us}-?", "customer-us-1", "", True),
])
def test_globs_match_like_argo_cd(pattern: str, value: str, separators: str, expected: bool) -> None:
    assert glob_match(pattern, value, separators=separators) is expected

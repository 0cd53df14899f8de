"""The delivery validator on the synthesised example repository, intact and broken on purpose."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from genai_gitops.argocd.preview import preview
from genai_gitops.cache import DiskCache, MemoryCache, ResultCache
from genai_gitops.check import CheckOptions, run_check
from genai_gitops.manifests import cached as cached_manifests
from genai_gitops.manifests import read_paths
from genai_gitops.manifests import reader as manifest_reader
from genai_gitops.manifests.cached import load_folders
from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.model.loader import load_inventory
from genai_gitops.report.finding import Finding
from genai_gitops.report.run import INTERNAL_ERROR_RULE
from genai_gitops.validators.base import Target
from genai_gitops.validators.delivery import APPS_NAMESPACE, DeliveryCheck, DeliveryValidator
from genai_gitops.validators.delivery.preview_cache import cached_preview
from genai_gitops.validators.registry import VALIDATORS, ValidatorOptions, build_validators

REPO = Path(__file__).resolve().parents[2]
FIXTURE_REPO = REPO / "tests" / "fixtures" / "repo"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("delivery-example")
    shutil.copytree(FIXTURE_REPO / "tenants", root / "tenants")
    shutil.copy(FIXTURE_REPO / "clusters.yaml", root / "clusters.yaml")
    resynthesize(root)
    return root


def resynthesize(root: Path) -> None:
    from genai_gitops.synth import synthesize

    policies = REPO / "policies"
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist",
               policies_dir=policies if policies.is_dir() else None, argocd_dir=root / "argocd")


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
    # the project itself is wider than a tenant project may be
    assert [m for r, m in found if r == "project-too-open"] == [
        "AppProject tenant-acme permits namespace 'tenant-elsewhere' on customer-eu-1; a tenant project reaches "
        "only its own namespace tenant-acme",
        "AppProject tenant-acme permits source repositories 'https://github.com/example-org/other-*' by glob; "
        "list repositories literally"]
    # objects in the destination namespace are not reported again, one by one
    assert {rule for rule, _ in found} == {"source-not-permitted", "destination-not-permitted", "project-too-open"}


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
    # the first object named is whichever kind sorts first (a CronJob, a Deployment...)
    assert any(f.message.split(" ", 1)[1].startswith("tenant-globex/") and "in Application customer-us-1-tenant-globex "
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
              "spec": {"goTemplate": True, "goTemplateOptions": ["missingkey=error"],
                       "generators": [{"list": {"elements": [{"name": "x"}]}}], "template": {
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


# ---------------------------------------------------------------------------------------------
# The cache: same findings, fewer parses
# ---------------------------------------------------------------------------------------------

CLUSTERS = (None, "central-prod", "customer-eu-1", "customer-us-1")


def break_a_few_things(root: Path) -> None:
    """Findings of most rules, in several clusters and for the repository as a whole."""
    edit_yaml(root / "dist/customer-eu-1/tenant-acme/ServiceAccount-open-webui.yaml",
              lambda obj: obj["metadata"].update(namespace="genai-platform"))
    (root / "dist/customer-eu-1/tenant-acme/ClusterRole-foo.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: foo}\n")
    (root / "dist/customer-us-1/addons/Application-customer-us-1-external-secrets.yaml").unlink()
    guardrails = root / "argocd/apps/applicationset-genai-guardrails.yaml"
    guardrails.write_text(guardrails.read_text().replace("argocd.argoproj.io/sync-wave: '0'",
                                                         "argocd.argoproj.io/sync-wave: '1'"))
    (root / "dist/elsewhere/stray").mkdir(parents=True, exist_ok=True)
    (root / "dist/elsewhere/stray/ConfigMap-x.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")


def cached_findings(root: Path, cache: ResultCache) -> dict[str | None, list[Finding]]:
    """`findings` per target with a cache; the targets carry no resources (the validator reads the
    repository itself), so nothing is parsed here but what the validator parses."""
    inventory = inventory_of(root)
    validator = DeliveryValidator(ValidatorOptions(repo_root=root, cache=cache))
    out: dict[str | None, list[Finding]] = {}
    for cluster in CLUSTERS:
        spec = inventory.by_name()[cluster] if cluster else None
        target = Target(name=cluster or "dist", k8s_version="1.30", resources=(), cluster=spec, inventory=inventory)
        out[cluster] = list(validator.validate(target))
    return out


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file a manifest reader parses from now on (read_paths, as the preview reads argocd/, or
    parse_folders)."""
    parsed: list[str] = []
    read_text = manifest_reader.read_text

    def counting(text: str, file: str):
        parsed.append(file)
        return read_text(text, file)

    monkeypatch.setattr(manifest_reader, "read_text", counting)
    monkeypatch.setattr(cached_manifests, "read_text", counting)
    return parsed


@pytest.mark.parametrize("broken", [False, True], ids=["intact", "broken"])
def test_findings_are_the_same_with_and_without_the_cache(repo: Path, tmp_path: Path, broken: bool) -> None:
    if broken:
        break_a_few_things(repo)
    plain = {c: findings(repo, c) for c in CLUSTERS}
    assert (any(plain.values()) and plain["central-prod"]) if broken else not any(plain.values())
    cache = DiskCache(tmp_path / "cache")
    assert cached_findings(repo, cache) == plain  # cold: fills the cache
    assert cache.misses and list((tmp_path / "cache" / APPS_NAMESPACE).iterdir())
    assert cached_findings(repo, cache) == plain  # warm: answered from it


def test_after_a_tenant_edit_only_the_changed_folders_are_parsed(repo: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    break_a_few_things(repo)
    cache = DiskCache(tmp_path / "cache")
    cached_findings(repo, cache)
    before = {f.path: f.key for f in load_folders([repo / "dist"])}
    tenant = repo / "tenants/acme.yaml"
    tenant.write_text(tenant.read_text().replace('cpu: "24"', 'cpu: "32"'))
    resynthesize(repo)  # writes dist/ and argocd/ afresh
    break_a_few_things(repo)
    changed = {f.path for f in load_folders([repo / "dist"]) if before.get(f.path) != f.key}
    assert 1 <= len(changed) <= 4, changed

    parsed = count_parses(monkeypatch)
    warm = cached_findings(repo, cache)
    dist_parsed = [f for f in parsed if f.startswith(str(repo / "dist") + os.sep)]
    assert {os.path.dirname(f) for f in dist_parsed} == changed
    assert len(dist_parsed) == len(set(dist_parsed))  # each file once: later runs find it in the cache
    assert all(f.startswith(str(repo / "argocd") + os.sep) for f in parsed if f not in dist_parsed)
    monkeypatch.undo()
    assert warm == {c: findings(repo, c) for c in CLUSTERS}  # the same as a cold run without a cache


def test_damaged_or_foreign_cache_entries_are_ignored(repo: Path, tmp_path: Path) -> None:
    break_a_few_things(repo)
    plain = {c: findings(repo, c) for c in CLUSTERS}
    cache = DiskCache(tmp_path / "cache")
    cached_findings(repo, cache)
    entries = sorted((tmp_path / "cache" / APPS_NAMESPACE).rglob("*.json"))
    assert entries
    for i, path in enumerate(entries):
        if i % 3 == 0:  # damaged on disk: the checksum no longer matches
            path.write_bytes(path.read_bytes()[:-5] + b"xxxxx")
        elif i % 3 == 1:  # well-formed, but not facts
            cache.put(APPS_NAMESPACE, path.stem, {"facts": {"crds": "nope"}, "objects": {}})
        else:  # good facts, findings of another shape
            entry = cache.get(APPS_NAMESPACE, path.stem)
            assert entry is not None
            cache.put(APPS_NAMESPACE, path.stem, {**entry, "objects": {k: [{"file": 1}] for k in entry["objects"]}})
    assert cached_findings(repo, cache) == plain
    assert cached_findings(repo, cache) == plain  # rewritten correctly


def run_delivery_check(repo: Path, cache_dir: Path | None):
    report = run_check(CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml",
                                    dist=repo / "dist", argocd=repo / "argocd", policies=REPO / "policies",
                                    validators=("delivery",), drift=False, cache_dir=cache_dir, workers=1))
    # the tree walk (genai_gitops/tree.py) runs whatever --only says; this test is about delivery
    return sorted((f.rule, f.file, f.message) for f in report.findings if f.validator != "tree"), report


def test_check_answers_delivery_from_its_cache(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cluster whose delivery findings did not change is answered from the cache, its folders never
    parsed; findings of no cluster (on the first cluster's target) follow changes anywhere."""
    cache = tmp_path / "cache"
    assert run_delivery_check(repo, cache)[0] == run_delivery_check(repo, None)[0] == []
    parsed = count_parses(monkeypatch)
    again, report = run_delivery_check(repo, cache)
    # nothing parsed, no target loaded; the summary still counts every file, all of them from the cache
    assert again == [] and parsed == [] and report.cached_files == len(report.files) > 0
    monkeypatch.undo()

    # a change in one cluster's folder: only that cluster is loaded (and only that folder parsed)
    (repo / "dist/customer-eu-1/tenant-acme/ConfigMap-extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: tenant-acme}\n")
    found, report = run_delivery_check(repo, cache)
    assert found == [] and report.resources == len(read_paths([repo / "dist"]).resources)
    # only the changed folder was read and parsed again
    assert len(report.files) - report.cached_files == len(list((repo / "dist/customer-eu-1/tenant-acme").iterdir()))

    (repo / "dist/elsewhere/stray").mkdir(parents=True)
    (repo / "dist/elsewhere/stray/ConfigMap-x.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    found, _ = run_delivery_check(repo, cache)
    assert found == run_delivery_check(repo, None)[0] and [rule for rule, _, _ in found] == ["unclaimed-folder"]


def test_a_cluster_sees_changes_in_other_clusters_folders(repo: Path, tmp_path: Path) -> None:
    """A CRD shipped in one cluster's folder sets the scope of its kind everywhere: a cluster whose own
    folders did not change must not be answered from a result computed before."""
    (repo / "dist/customer-eu-1/tenant-acme/Widget-w.yaml").write_text(
        "apiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w, namespace: tenant-acme}\n")
    cache = tmp_path / "cache"
    before, _ = run_delivery_check(repo, cache)
    assert {rule for rule, _, _ in before} == {"crd-not-provided"}
    (repo / "dist/customer-us-1/addons/CustomResourceDefinition-widgets.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": {"name": "widgets.example.io"},
         "spec": {"group": "example.io", "scope": "Cluster", "names": {"kind": "Widget"}}}))
    after, _ = run_delivery_check(repo, cache)
    assert after == run_delivery_check(repo, None)[0]
    assert ("cluster-resource-not-permitted", str(repo / "dist/customer-eu-1/tenant-acme/Widget-w.yaml"),
            "Widget w is cluster-scoped; AppProject tenant-acme permits no cluster-scoped objects "
            "(spec.clusterResourceWhitelist is empty)") in after


def test_a_crash_is_an_internal_error_not_a_failed_check(repo: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(DeliveryCheck, "run", broken)
    found, report = run_delivery_check(repo, tmp_path / "cache")
    assert {rule for rule, _, _ in found} == {INTERNAL_ERROR_RULE} and len(found) == len(report.targets)
    monkeypatch.undo()
    assert run_delivery_check(repo, tmp_path / "cache")[0] == []  # the failure was not cached


def test_the_cached_preview_is_the_preview_until_the_tree_changes(repo: Path, tmp_path: Path) -> None:
    inventory = inventory_of(repo)
    cache = DiskCache(tmp_path / "cache")

    def both() -> tuple[list, list]:
        return cached_preview(repo, inventory, load_folders([repo / "argocd"]), cache), preview(repo, inventory)

    cold, fresh = both()
    assert cold == fresh and cache.misses == 1
    warm, fresh = both()
    assert warm == fresh and cache.hits == 1  # from the cache
    # a folder the git generators list (a new tenant) and a folder turning empty (and so vanishing from git)
    shutil.copytree(repo / "dist/customer-eu-1/tenant-acme", repo / "dist/customer-eu-1/tenant-newco")
    changed, fresh = both()
    assert changed == fresh and "customer-eu-1-tenant-newco" in {app.name for app in changed}
    for file in (repo / "dist/customer-eu-1/tenant-newco").iterdir():
        file.unlink()
    emptied, fresh = both()
    assert emptied == fresh == cold


def test_argo_cd_reads_nothing_the_check_does_not(repo: Path) -> None:
    """The generated Applications force the directory type and read only non-hidden YAML/JSON: a
    Jsonnet file, a hidden file or kustomization.yaml is not deployed; a symbolic link still is."""
    (repo / "dist/customer-eu-1/tenant-acme/main.jsonnet").write_text("{}")
    (repo / "dist/customer-eu-1/tenant-acme/.hidden.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    (repo / "dist/customer-eu-1/tenant-acme/kustomization.yaml").write_text("resources: []\n")
    (repo / "dist/customer-eu-1/tenant-initech/Service-link.yaml").symlink_to("../tenant-acme/Service-ollama.yaml")
    found = [(rule, message) for rule, message in rules(findings(repo, "customer-eu-1"))
             if rule in ("reads-unchecked-file", "source-not-directory")]
    assert found == [("reads-unchecked-file", "Application customer-eu-1-tenant-initech: Argo CD reads "
                      "dist/customer-eu-1/tenant-initech/Service-link.yaml, which the check does not read (Jsonnet, "
                      "a hidden file or a symbolic link); remove it and set spec.source.directory.include to "
                      "'*.{yaml,yml,json}' and exclude to '.*', as the generated ApplicationSets do")]


def test_an_application_without_directory_globs_reads_what_the_check_does_not(repo: Path) -> None:
    appset = repo / "argocd/apps/applicationset-genai-tenant.yaml"
    edit_yaml(appset, lambda data: data["spec"]["template"]["spec"]["source"].update(directory={"recurse": False}))
    (repo / "dist/customer-eu-1/tenant-acme/kustomization.yaml").write_text("resources: []\n")
    (repo / "dist/customer-eu-1/tenant-initech/main.jsonnet").write_text("{}")
    found = [(rule, message) for rule, message in rules(findings(repo, "customer-eu-1"))
             if rule in ("reads-unchecked-file", "source-not-directory")]
    fix = ("set spec.source.directory.include to '*.{yaml,yml,json}' and exclude to '.*', as the generated "
           "ApplicationSets do")
    assert found == [
        ("reads-unchecked-file", "Application customer-eu-1-tenant-initech: Argo CD reads "
                                 "dist/customer-eu-1/tenant-initech/main.jsonnet, which the check does not read "
                                 f"(Jsonnet, a hidden file or a symbolic link); remove it and {fix}"),
        ("source-not-directory", "Application customer-eu-1-tenant-acme: Argo CD renders "
                                 "dist/customer-eu-1/tenant-acme as Kustomize, which the check does not render (it "
                                 f"reads plain manifests only); {fix}"),
    ]


# -- sync phases inside one Application (sync_phases.py) ---------------------------------------------

def test_a_post_sync_hook_waits_for_every_workload_of_its_application(repo: Path) -> None:
    path = repo / "dist/central-prod/central/Job-report.yaml"
    path.write_text(yaml.safe_dump({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "report", "namespace": "genai-platform",
                     "annotations": {"argocd.argoproj.io/hook": "PostSync"}},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
                                       "containers": [{"name": "report", "image": "example/report:1.0"}]}}}}))
    found = [f for f in findings(repo, "central-prod") if f.rule == "hook-waits-for-unrelated"]
    assert len(found) == 1 and found[0].file == str(path)
    assert found[0].message.startswith("Job genai-platform/report is a PostSync hook of Application "
                                       "central-prod-central: Argo CD runs it only after every resource of the "
                                       "sync is healthy, so it waits for all ")
    assert " more); " in found[0].message and found[0].message.endswith(
        "give it its own Application, or make it a Job or CronJob that waits for the one thing it needs")


def test_a_hook_that_runs_before_the_secret_it_reads_is_reported(repo: Path) -> None:
    path = repo / "dist/central-prod/central/Job-lago-migrate.yaml"
    edit_yaml(path, lambda job: job["metadata"]["annotations"].update({"argocd.argoproj.io/sync-wave": "-1"}))
    found = [f for f in findings(repo, "central-prod") if f.rule == "applied-before-its-inputs"]
    assert [f.message for f in found] == [
        "Job genai-platform/lago-migrate (sync wave -1 of Application central-prod-central) reads ConfigMap "
        "lago-cable, which ConfigMap genai-platform/lago-cable creates in sync wave 0; move it to wave 0 or later",
        "Job genai-platform/lago-migrate (sync wave -1 of Application central-prod-central) reads Secret lago, "
        "which ExternalSecret genai-platform/lago creates in sync wave 0; move it to wave 0 or later"]
    edit_yaml(path, lambda job: job["metadata"]["annotations"].update({"argocd.argoproj.io/hook": "PreSync"}))
    found = [f for f in findings(repo, "central-prod") if f.rule == "applied-before-its-inputs"]
    assert len(found) == 2 and all("is a PreSync hook of Application central-prod-central and reads" in f.message
                                   and f.message.endswith("make the hook a Sync hook in a later wave") for f in found)


def _straightforward(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str | None, list[Finding]]:
    """Every target's findings the plain way: no cache, each Application's folders parsed on their own,
    every folder listed again for the unchecked-reads rule, every AppProject question answered afresh."""
    from genai_gitops.validators.delivery import reading, repository
    from genai_gitops.validators.delivery.projects import Project

    class Forgetful(dict):
        def __setitem__(self, key, value) -> None:
            return None

    with monkeypatch.context() as patch:
        patch.setattr(reading, "parse_by_folder", lambda folders, cache: None)
        patch.setattr(repository.Repository, "listings", Forgetful(), raising=False)
        original = repository.Repository.__init__

        def init(self, *args, **kwargs) -> None:
            original(self, *args, **kwargs)
            self.listings = Forgetful()

        patch.setattr(repository.Repository, "__init__", init)
        patch.setattr(Project, "cluster_resource_problem", Project._cluster_resource_problem)
        patch.setattr(Project, "namespaced_resource_problem", Project._namespaced_resource_problem)
        return {c: findings(root, c) for c in CLUSTERS}


def test_fast_paths_find_exactly_what_the_straightforward_one_does(repo: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch parsing (forked on two processes here), the one-entry cache of every Application's record,
    folders listed once and the AppProject memo give the same findings, in the same order, as the
    straightforward path: cold, warm, and after an edit that changes one folder's findings."""
    break_a_few_things(repo)
    app = repo / "dist/customer-eu-1/tenant-acme"
    (app / ".hidden.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n")
    (app / "main.jsonnet").write_text("{}\n")
    os.symlink(app / "ServiceAccount-open-webui.yaml", app / "Service-link.yaml")
    expected = _straightforward(repo, monkeypatch)
    got = sorted({f.rule for found in expected.values() for f in found})
    assert {"unclaimed-folder", "namespace-not-permitted", "cluster-resource-not-permitted",
            "reads-unchecked-file"} <= set(got), got
    monkeypatch.setattr(cached_manifests, "PARALLEL_FOLDERS", 1)  # the batch goes through forked workers
    cache = DiskCache(tmp_path / "cache")
    assert cached_findings(repo, cache) == expected  # cold
    assert cached_findings(repo, cache) == expected  # warm: every record from the one entry
    entries = list((tmp_path / "cache" / APPS_NAMESPACE).rglob("*.json"))
    assert len(entries) == 1

    edit_yaml(repo / "dist/customer-us-1/tenant-globex/ServiceAccount-open-webui.yaml",
              lambda obj: obj["metadata"].update(namespace="kube-system"))
    changed = _straightforward(repo, monkeypatch)
    assert changed != expected
    assert cached_findings(repo, cache) == changed
    assert {c: findings(repo, c, options=ValidatorOptions(repo_root=repo, cache=MemoryCache()))
            for c in CLUSTERS} == changed

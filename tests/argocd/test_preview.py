"""The offline preview on the example repository, and the ApplicationSet features it renders or refuses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from genai_gitops.argocd.preview import PreviewError, preview
from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.model.loader import load_inventory
from genai_gitops.model.scaffold import tenant_yaml
from genai_gitops.model.tenant import UsageMode

#: every Application of the example data: name -> (project, destination cluster, namespace, wave)
EXPECTED = {
    "central-prod-addons": ("platform", "in-cluster", "argocd", -3),
    "central-prod-central": ("platform", "in-cluster", "genai-platform", 0),
    "central-prod-cluster-config": ("platform", "in-cluster", "", -2),
    "customer-eu-1-addons": ("platform", "in-cluster", "argocd", -3),
    "customer-eu-1-cluster-config": ("platform", "customer-eu-1", "", -2),
    "customer-eu-1-projects": ("platform", "in-cluster", "argocd", -4),
    "customer-eu-1-tenant-acme": ("tenant-acme", "customer-eu-1", "tenant-acme", 1),
    "customer-eu-1-tenant-acme-guardrails": ("platform", "customer-eu-1", "tenant-acme", 0),
    "customer-eu-1-tenant-initech": ("tenant-initech", "customer-eu-1", "tenant-initech", 1),
    "customer-eu-1-tenant-initech-guardrails": ("platform", "customer-eu-1", "tenant-initech", 0),
    "customer-us-1-addons": ("platform", "in-cluster", "argocd", -3),
    "customer-us-1-cluster-config": ("platform", "customer-us-1", "", -2),
    "customer-us-1-projects": ("platform", "in-cluster", "argocd", -4),
    "customer-us-1-tenant-globex": ("tenant-globex", "customer-us-1", "tenant-globex", 1),
    "customer-us-1-tenant-globex-guardrails": ("platform", "customer-us-1", "tenant-globex", 0),
}


def folders(root: Path) -> set[str]:
    return {f"dist/{p.parent.name}/{p.name}" for p in (root / "dist").glob("*/*") if p.is_dir()}


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_example_repository_yields_exactly_one_application_per_folder(example_repo: Path,
                                                                      inventory: ClusterInventory) -> None:
    apps = preview(example_repo, inventory)
    assert {a.name: (a.project, a.cluster, a.namespace, a.sync_wave) for a in apps} == EXPECTED
    assert sorted(a.path for a in apps) == sorted(folders(example_repo))
    for app in apps:
        cluster, folder = app.path.split("/")[1:]
        assert app.name == f"{cluster}-{folder}"
        environment = inventory.by_name()[cluster].environment.value
        assert app.labels == {"environment": environment, "cluster": cluster, "app-kind": app.labels["app-kind"]}
        assert app.spec["source"] == {"repoURL": inventory.gitops.repo_url, "targetRevision": "main",
                                      "path": app.path, "directory": {"recurse": False, "include": "*.{yaml,yml,json}",
                                                                      "exclude": ".*"}}


@pytest.mark.parametrize(("cluster", "mode", "extra"), [
    ("customer-us-1", UsageMode.EXTERNAL, []),
    # central-prod has no tenant yet: its first one brings the projects app along
    ("central-prod", UsageMode.HYBRID, ["central-prod-projects"]),
])
def test_a_new_tenant_adds_exactly_its_applications_and_leaves_argocd_untouched(
        repo_copy: Path, resynthesize, cluster: str, mode: UsageMode, extra: list[str]) -> None:
    inventory = load_inventory(repo_copy / "clusters.yaml")
    before_apps = {a.name: a for a in preview(repo_copy, inventory)}
    before_argocd = digest(repo_copy / "argocd")
    (repo_copy / "tenants" / "hooli.yaml").write_text(tenant_yaml("hooli", inventory.by_name()[cluster], mode))
    resynthesize(repo_copy)
    after_apps = {a.name: a for a in preview(repo_copy, inventory)}
    assert digest(repo_copy / "argocd") == before_argocd  # ApplicationSets are static
    added = sorted(set(after_apps) - set(before_apps))
    assert added == sorted([f"{cluster}-tenant-hooli", f"{cluster}-tenant-hooli-guardrails", *extra])
    assert set(before_apps) <= set(after_apps)
    tenant, guardrails = after_apps[f"{cluster}-tenant-hooli"], after_apps[f"{cluster}-tenant-hooli-guardrails"]
    destination = inventory.by_name()[cluster].argocd.name
    assert (tenant.project, tenant.cluster, tenant.namespace) == ("tenant-hooli", destination, "tenant-hooli")
    assert (guardrails.project, guardrails.cluster, guardrails.namespace) == ("platform", destination, "tenant-hooli")


# --------------------------------------------------------------------------------------------
# ApplicationSet features, on small ApplicationSets written into a copy
# --------------------------------------------------------------------------------------------

def write_appset(root: Path, name: str, spec: dict) -> None:
    appset = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
              "metadata": {"name": name, "namespace": "argocd"}, "spec": spec}
    (root / "argocd" / "apps" / f"applicationset-{name}.yaml").write_text(yaml.safe_dump(appset))


def list_spec(elements: list[dict], template: dict, **extra) -> dict:
    return {"goTemplate": True, "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}], "template": template, **extra}


REPO_URL = "https://github.com/example-org/genai-gitops.git"
TEMPLATE = {"metadata": {"name": "extra-{{ .name }}"},
            "spec": {"project": "platform", "destination": {"name": "{{ .name }}", "namespace": "x"},
                     "source": {"repoURL": REPO_URL, "path": "dist/{{ .name }}"}}}


def extra_apps(root: Path, inventory: ClusterInventory) -> dict:
    return {a.name: a for a in preview(root, inventory) if a.name.startswith("extra-")}


def test_template_patch_is_rendered_and_merged_but_cannot_change_the_project(repo_copy: Path,
                                                                             inventory: ClusterInventory) -> None:
    patch = """
metadata:
  annotations:
    argocd.argoproj.io/sync-wave: "{{ .wave }}"
spec:
  project: somewhere-else
  syncPolicy:
    automated: {prune: {{ .prune }}}
  source:
    helm:
      valuesObject: {replicas: {{ index .values "replicas" }}}
"""
    write_appset(repo_copy, "extra", list_spec(
        [{"name": "customer-eu-1", "wave": "5", "prune": "true", "values": {"replicas": "2"}}], TEMPLATE,
        templatePatch=patch))
    app = extra_apps(repo_copy, inventory)["extra-customer-eu-1"]
    assert app.sync_wave == 5 and app.project == "platform"
    assert app.spec["syncPolicy"] == {"automated": {"prune": True}}
    assert app.spec["source"]["helm"] == {"valuesObject": {"replicas": 2}}
    assert app.spec["source"]["path"] == "dist/customer-eu-1"  # merged, not replaced


def test_finalizer_unless_resources_are_preserved(repo_copy: Path, inventory: ClusterInventory) -> None:
    from genai_gitops.argocd.preview import render_applications

    appset = {"metadata": {"name": "extra"}, "spec": list_spec([{"name": "a"}], TEMPLATE)}
    assert render_applications(appset, repo_copy, inventory)[0]["metadata"] == {
        "name": "extra-a", "namespace": "argocd", "finalizers": ["resources-finalizer.argocd.argoproj.io"]}
    appset["spec"]["syncPolicy"] = {"preserveResourcesOnDeletion": True}
    assert render_applications(appset, repo_copy, inventory)[0]["metadata"] == {"name": "extra-a",
                                                                               "namespace": "argocd"}


def test_a_generator_template_overrides_the_application_set_template(repo_copy: Path,
                                                                      inventory: ClusterInventory) -> None:
    spec = list_spec([], TEMPLATE)
    spec["generators"] = [{"list": {"elements": [{"name": "a"}],
                                    "template": {"metadata": {"name": "extra-own-{{ .name }}"}, "spec": {}}}}]
    write_appset(repo_copy, "extra", spec)
    app = extra_apps(repo_copy, inventory)["extra-own-a"]
    assert app.cluster == "a" and app.project == "platform"  # the rest comes from the ApplicationSet's template


@pytest.mark.parametrize(("spec_change", "message", "unsupported"), [
    ({"goTemplate": False}, "only Go templates (goTemplate: true) are supported", True),
    ({"goTemplateOptions": ["missingkey=error", "strict"]}, "spec.goTemplateOptions: ['missingkey=error', 'strict']: "
     "the offline preview renders Go templates only with [missingkey=error]", True),
    ({"goTemplateOptions": ["missingkey=zero"]}, "only with [missingkey=error]", True),
    ({"goTemplateOptions": None}, "spec.goTemplateOptions: None: the offline preview renders", True),
    ({"templatePatch": "spec:\n  {{- if .name }}\n  project: x\n  {{- end }}"},
     "templatePatch: `{{- if .name }}`: the trim marker {{-: not supported by the offline preview", True),
    ({"generators": [{"scmProvider": {"github": {"organization": "x"}}}]},
     "the scmProvider generator is not supported", True),
    ({"generators": [{"list": {"elements": [{"name": "a"}], "elementz": []}}]}, "elementz not supported", True),
    ({"template": {**TEMPLATE, "metadata": {"name": "extra-{{ .nope }}"}}},
     'template.metadata.name: template: base:1:9: executing "base" at <.nope>: map has no entry for key "nope"',
     False),
    ({"template": {**TEMPLATE, "metadata": {"name": "extra-{{ index .labels \"x\" }}"}},
      "generators": [{"list": {"elements": [{"name": "a", "labels": {}}]}}]},
     "metadata.name rendered as 'extra-<no value>'", False),
    ({"template": {**TEMPLATE, "metadata": {"name": "extra-same"}},
      "generators": [{"list": {"elements": [{"name": "a"}, {"name": "b"}]}}]},
     "contains applications with duplicate name: extra-same", False),
])
def test_problems_are_reported_with_the_application_set(repo_copy: Path, inventory: ClusterInventory,
                                                        spec_change: dict, message: str, unsupported: bool) -> None:
    write_appset(repo_copy, "extra", {**list_spec([{"name": "a"}], TEMPLATE), **spec_change})
    with pytest.raises(PreviewError) as info:
        preview(repo_copy, inventory)
    assert "ApplicationSet extra" in str(info.value) and message in str(info.value)
    assert info.value.unsupported is unsupported


def test_two_application_sets_generating_one_name_conflict(repo_copy: Path, inventory: ClusterInventory) -> None:
    write_appset(repo_copy, "extra", list_spec([{"name": "a"}], TEMPLATE))
    write_appset(repo_copy, "extra-twin", list_spec([{"name": "a"}], TEMPLATE))
    with pytest.raises(PreviewError, match="generates Application extra-a, which ApplicationSet extra"):
        preview(repo_copy, inventory)

"""The delivery check on ApplicationSets edited by hand beyond the template engine's contract.

argocd/ must equal a fresh synth, and the offline preview renders exactly what the synth writes:
field paths, `index`, `trimSuffix`, missingkey=error. Anything else is one error finding on the
ApplicationSet's file, naming the field and the fix - never a preview that silently differs from
Argo CD - and Go's own errors (a missing key, an index out of range) are findings too.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops.argocd.gotemplate import FIX
from genai_gitops.argocd.preview import preview
from genai_gitops.manifests import read_paths
from genai_gitops.model.apps import CLUSTER_LABEL
from genai_gitops.model.loader import load_inventory
from genai_gitops.report.finding import Severity
from genai_gitops.validators.base import Target
from genai_gitops.validators.delivery import DeliveryValidator
from genai_gitops.validators.registry import ValidatorOptions

#: the first cluster's target, which gets the repository-wide findings
FIRST = "central-prod"


@pytest.fixture()
def repo(synthesized: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(synthesized, root)
    return root


def edit_appset(root: Path, kind: str, change: Callable[[dict[str, Any]], None]) -> str:
    """Change one ApplicationSet of argocd/apps as a person would; its file, as findings name it."""
    path = root / "argocd" / "apps" / f"applicationset-genai-{kind}.yaml"
    appset = yaml.safe_load(path.read_text())
    change(appset)
    path.write_text(yaml.safe_dump(appset, sort_keys=False))
    return str(path)


def findings(root: Path, cluster: str = FIRST) -> list[tuple[str, str, str]]:
    inventory = load_inventory(root / "clusters.yaml")
    spec = inventory.by_name()[cluster]
    target = Target(name=cluster, k8s_version=spec.kubernetes_version, cluster=spec, inventory=inventory,
                    resources=read_paths([root / "dist" / cluster]).resources)
    found = list(DeliveryValidator(ValidatorOptions(repo_root=root)).validate(target))
    assert all(f.severity is Severity.ERROR and f.validator == "delivery" for f in found)
    return [(f.rule, f.file, f.message) for f in found]


def template(appset: dict[str, Any]) -> dict[str, Any]:
    return appset["spec"]["template"]


def clusters_selector(appset: dict[str, Any]) -> dict[str, Any]:
    return appset["spec"]["generators"][0]["matrix"]["generators"][1]["clusters"]["selector"]["matchLabels"]


def cannot_preview(file: str, appset: str, detail: str) -> str:
    return f"cannot preview the ApplicationSets: {file}: ApplicationSet genai-{appset}: {detail}"


@pytest.mark.parametrize(("kind", "change", "detail"), [
    ("tenant", lambda a: template(a)["metadata"].update(name="{{ .path.basename | lower }}"),
     "template.metadata.name: `{{ .path.basename | lower }}`: the pipeline |"),
    ("guardrails", lambda a: template(a)["spec"]["destination"].update(namespace="{{ upper .path.basename }}"),
     "template.spec.destination.namespace: `{{ upper .path.basename }}`: the function upper"),
    ("tenant", lambda a: template(a)["spec"].update(project="{{ if .path }}{{ .path.basename }}{{ end }}"),
     "template.spec.project: `{{ if .path }}`: {{if}}"),
    ("central", lambda a: template(a)["spec"]["source"].update(path="{{- .path.path }}"),
     "template.spec.source.path: `{{- .path.path }}`: the trim marker {{-"),
    ("addons", lambda a: template(a)["metadata"]["labels"].update(cluster="{{ .path.segments }}"),
     "template.metadata.labels.cluster: `{{ .path.segments }}`: printing a value of type []string"),
    ("tenant", lambda a: clusters_selector(a).update({CLUSTER_LABEL: "{{ index .path.segments 1 | lower }}"}),
     "genai-tenant: matrix.generators[1].clusters.selector.matchLabels.genai-gitops.io/cluster: "
     "`{{ index .path.segments 1 | lower }}`: the pipeline |"),
    ("tenant", lambda a: a["spec"].update(templatePatch="spec:\n  source:\n    helm:\n      valuesObject: "
                                                        "{{ toYaml .path }}\n"),
     "templatePatch: `{{ toYaml .path }}`: the function toYaml"),
])
def test_a_construct_outside_the_contract_is_one_unsupported_template_finding(
        repo: Path, kind: str, change: Callable[[dict[str, Any]], None], detail: str) -> None:
    file = edit_appset(repo, kind, change)
    assert findings(repo) == [("unsupported-template", file, cannot_preview(file, kind, f"{detail}: {FIX}"))]


@pytest.mark.parametrize("options", [["missingkey=zero"], ["missingkey=default"], None])
def test_template_options_other_than_missingkey_error_are_refused(repo: Path, options: list[str] | None) -> None:
    file = edit_appset(repo, "guardrails", lambda a: a["spec"].update(goTemplateOptions=options))
    assert findings(repo) == [("unsupported-template", file, cannot_preview(
        file, "guardrails", f"spec.goTemplateOptions: {options!r}: the offline preview renders Go templates only "
        "with [missingkey=error], as `genai-gitops synth` writes them; set goTemplateOptions: [missingkey=error], "
        "or regenerate argocd/ with `genai-gitops synth`"))]
    assert findings(repo, "customer-eu-1") == []  # one finding for the repository, not one per cluster


@pytest.mark.parametrize(("change", "detail"), [
    # missingkey=error: the controller fails on the ApplicationSet, and so does the preview
    (lambda a: template(a)["spec"]["source"].update(path="{{.path.nope}}"),
     'template.spec.source.path: template: base:1:7: executing "base" at <.path.nope>: map has no entry for key '
     '"nope"'),
    # the folder path has three segments: 3 passes Go's bound check and fails in reflect, 9 does not pass it
    (lambda a: template(a)["metadata"].update(name="{{index .path.segments 3}}"),
     'template.metadata.name: template: base:1:2: executing "base" at <index .path.segments 3>: error calling '
     "index: reflect: slice index out of range"),
    (lambda a: template(a)["metadata"].update(name="{{index .path.segments 9}}"),
     'template.metadata.name: template: base:1:2: executing "base" at <index .path.segments 9>: error calling '
     "index: index out of range: 9"),
    # a field path to a label the cluster secret lacks (unlike `index`, below)
    (lambda a: template(a)["metadata"].update(name="{{.path.basename}}{{.metadata.labels.nope}}"),
     'template.metadata.name: template: base:1:29: executing "base" at <.metadata.labels.nope>: map has no entry '
     'for key "nope"'),
])
def test_go_template_errors_are_preview_failed_findings(repo: Path, change: Callable[[dict[str, Any]], None],
                                                       detail: str) -> None:
    file = edit_appset(repo, "tenant", change)
    assert findings(repo) == [("preview-failed", file, cannot_preview(file, "tenant", detail))]


def test_index_of_a_missing_label_renders_empty_as_in_argo_cd(repo: Path) -> None:
    """`index` is not subject to missingkey: a label the cluster secret lacks renders as "", as in Argo CD
    (a legal label value: no finding, and the preview shows it)."""
    edit_appset(repo, "tenant", lambda a: template(a)["metadata"]["labels"].update(
        environment='{{index .metadata.labels "genai-gitops.io/nope"}}'))
    assert findings(repo) == []
    tenants = [a for a in preview(repo, load_inventory(repo / "clusters.yaml")) if a.application_set == "genai-tenant"]
    assert tenants and {a.labels["environment"] for a in tenants} == {""}

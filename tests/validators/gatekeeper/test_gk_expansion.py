"""ExpansionTemplates generate the objects gator derives from workloads."""

from __future__ import annotations

from typing import Any

import pytest

from genai_gitops.validators.gatekeeper.expansion import Expander, ExpansionError, ExpansionTemplate


def expansion(name: str = "pods", **spec: Any) -> dict[str, Any]:
    base = {"applyTo": [{"groups": ["apps"], "kinds": ["Deployment"], "versions": ["v1"]}],
            "templateSource": "spec.template", "generatedGVK": {"group": "", "version": "v1", "kind": "Pod"}}
    return {"apiVersion": "expansion.gatekeeper.sh/v1alpha1", "kind": "ExpansionTemplate",
            "metadata": {"name": name}, "spec": base | spec}


DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "API", "namespace": "t"},
              "spec": {"template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": []}}}}


def test_generated_object_is_named_placed_and_owned_like_gatekeeper_does() -> None:
    [result] = Expander([ExpansionTemplate.from_object(expansion(enforcementAction="dryrun"))]).expand(DEPLOYMENT)
    assert result.template_name == "pods" and result.enforcement_action == "dryrun"
    assert result.obj == {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"labels": {"app": "api"}, "namespace": "t", "name": "api-pod",
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "API"}]},
        "spec": {"containers": []},
    }
    assert DEPLOYMENT["spec"]["template"]["metadata"] == {"labels": {"app": "api"}}  # the parent is untouched


def test_expansion_recurses_and_lists_the_deepest_first() -> None:
    cronjob = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "t"},
               "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}}
    templates = [
        ExpansionTemplate.from_object(expansion(
            "jobs", applyTo=[{"groups": ["batch"], "kinds": ["CronJob"], "versions": ["v1"]}],
            templateSource="spec.jobTemplate", generatedGVK={"group": "batch", "version": "v1", "kind": "Job"})),
        ExpansionTemplate.from_object(expansion(
            "job-pods", applyTo=[{"groups": ["batch"], "kinds": ["Job"], "versions": ["v1"]}])),
    ]
    names = [r.obj["metadata"]["name"] for r in Expander(templates).expand(cronjob)]
    assert names == ["nightly-job-pod", "nightly-job"]


def test_objects_no_template_applies_to_are_not_expanded() -> None:
    assert Expander([ExpansionTemplate.from_object(expansion())]).expand({"apiVersion": "v1", "kind": "Pod"}) == []


@pytest.mark.parametrize(("spec", "message"), [
    ({"templateSource": ""}, "ExpansionTemplate pods has empty source field"),
    ({"generatedGVK": {}}, "ExpansionTemplate pods has empty generatedGVK field"),
    ({"applyTo": []}, "ExpansionTemplate pods must specify ApplyTo"),
    ({"generatedGVK": {"group": "apps", "version": "v1", "kind": "Deployment"}}, "also applies to that same GVK"),
])
def test_invalid_expansion_templates(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ExpansionError, match=message):
        ExpansionTemplate.from_object(expansion(**spec))


def test_missing_source_field_is_an_error() -> None:
    expander = Expander([ExpansionTemplate.from_object(expansion())])
    with pytest.raises(ExpansionError, match=r"could not find source field 'spec\.template' in resource api"):
        expander.expand({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"}})

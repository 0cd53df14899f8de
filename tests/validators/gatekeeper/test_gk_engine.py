"""Constraints x objects -> violations: matching, parameters, enforcement actions, errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gatekeeper_fixtures import constraint, load_one, namespace, pod, template

from genai_gitops.validators.gatekeeper.engine import (
    AUDIT,
    GATOR,
    WEBHOOK,
    Constraint,
    ConstraintError,
    PolicyEngine,
)
from genai_gitops.validators.gatekeeper.expansion import Expander, ExpansionTemplate
from genai_gitops.validators.gatekeeper.inventory import Inventory
from genai_gitops.validators.gatekeeper.review import review_object

Build = Callable[..., PolicyEngine]
LABELS = "policies/requiredlabels/template.yaml"
REGISTRIES = "policies/allowedregistries/template.yaml"


def deployment(name: str = "api", labels: dict[str, str] | None = None, image: str = "registry.example.com/a:1",
               ns: str = "tenant-a") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
            "spec": {"template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": name, "image": image}]}}}}


def messages(engine: PolicyEngine, obj: dict) -> list[str]:
    return sorted(v.msg for v in engine.review(review_object(obj)))


def test_violations_carry_msg_details_constraint_and_action(engine_for: Build) -> None:
    engine = engine_for(LABELS, constraint("GgRequiredLabels", "owner", parameters={"labels": [{"key": "owner"}]}))
    [violation] = engine.review(review_object(deployment()))
    assert violation.msg == 'Deployment api is missing the labels ["owner"]'
    assert violation.details == {"missing": ["owner"]}
    assert (violation.constraint.kind, violation.constraint.name) == ("GgRequiredLabels", "owner")
    assert violation.actions == frozenset({"deny"})


def test_unmatched_objects_are_not_evaluated(engine_for: Build) -> None:
    engine = engine_for(LABELS, constraint("GgRequiredLabels", match={"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]},
                                           parameters={"labels": [{"key": "owner"}]}))
    assert messages(engine, deployment()) == []
    assert messages(engine, pod()) == ['Pod web is missing the labels ["owner"]']


def test_schema_defaults_reach_the_template(engine_for: Build) -> None:
    # workloadsOnly defaults to false, so a Pod is checked even though the constraint does not say so
    engine = engine_for(LABELS, constraint("GgRequiredLabels", parameters={"labels": [{"key": "team"}]}))
    assert messages(engine, pod()) == ['Pod web is missing the labels ["team"]']


def test_parameters_failing_the_schema_are_a_schema_error(engine_for: Build) -> None:
    engine = engine_for(LABELS)
    with pytest.raises(ConstraintError) as err:
        engine.add_constraint(constraint("GgRequiredLabels", "bad", parameters={"labels": "owner"}))
    assert err.value.schema
    assert str(err.value) == ("GgRequiredLabels/bad: schema validation failed: "
                              "spec.parameters['labels']: \"owner\" is not of type \"array\"")


def test_constraint_without_template(engine_for: Build) -> None:
    with pytest.raises(ConstraintError, match="missing ConstraintTemplate: 'ggother' not found"):
        engine_for(LABELS).add_constraint(constraint("GgOther"))


@pytest.mark.parametrize(("spec", "points", "expected"), [
    ({}, (GATOR,), {"deny"}),
    ({"enforcementAction": "dryrun"}, (GATOR,), {"dryrun"}),
    ({"enforcementAction": "scoped", "scopedEnforcementActions": [
        {"action": "deny", "enforcementPoints": [{"name": WEBHOOK}]},
        {"action": "warn", "enforcementPoints": [{"name": AUDIT}]}]}, (WEBHOOK, AUDIT), {"deny", "warn"}),
    ({"enforcementAction": "scoped", "scopedEnforcementActions": [
        {"action": "warn", "enforcementPoints": [{"name": "*"}]}]}, (GATOR,), {"warn"}),
    ({"enforcementAction": "scoped", "scopedEnforcementActions": [
        {"action": "deny", "enforcementPoints": [{"name": WEBHOOK}]}]}, (GATOR,), set()),
])
def test_enforcement_actions_at_points(spec: dict, points: tuple[str, ...], expected: set[str]) -> None:
    assert Constraint.from_object(constraint("GgX", **spec)).actions_at(points) == expected


def test_scoped_constraint_not_enforced_at_the_point_is_skipped(engine_for: Build) -> None:
    scoped = constraint("GgRequiredLabels", enforcementAction="scoped", parameters={"labels": [{"key": "owner"}]},
                        scopedEnforcementActions=[{"action": "deny", "enforcementPoints": [{"name": WEBHOOK}]}])
    assert messages(engine_for(LABELS, scoped), pod()) == []
    assert len(messages(engine_for(LABELS, scoped, points=(WEBHOOK,)), pod())) == 1


def test_scoped_without_actions_is_invalid() -> None:
    with pytest.raises(ConstraintError, match=r"spec\.scopedEnforcementActions must be defined"):
        Constraint.from_object(constraint("GgX", enforcementAction="scoped"))


def test_undecidable_match_is_reported_as_a_violation(engine_for: Build) -> None:
    engine = engine_for(REGISTRIES, load_one("policies/allowedregistries/samples/registries/constraint.yaml"))
    assert messages(engine, pod()) == [
        "unable to match constraints: error matching the requested object: web :failed to run Match criteria: "
        "namespace selector for namespace-scoped object but missing Namespace"]
    engine.set_inventory(Inventory([namespace("tenant-a", **{"genai.example.com/tenant": "a"})]))
    assert messages(engine, pod(containers=[{"name": "c", "image": "docker.io/x"}])) == [
        'container c uses docker.io/x; allowed registries: ["registry.example.com/"]']


def test_evaluation_errors_become_violations_carrying_the_error(engine_for: Build) -> None:
    rego = 'package ggerr\nviolation[{"msg": msg}] { msg := sprintf("%v", [to_number(input.review.object.x)]) }\n'
    engine = engine_for(template("GgErr", rego), constraint("GgErr"))
    [msg] = messages(engine, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "x": "abc"})
    assert "ggerr.rego" in msg and "Stack backtrace" not in msg


def test_inventory_is_replaced_not_merged(engine_for: Build) -> None:
    engine = engine_for("policies/configmaprefs/template.yaml", constraint("GgConfigMapRefs"))
    workload = load_one("policies/configmaprefs/samples/refs/deployment.yaml")
    engine.set_inventory(Inventory([load_one("policies/configmaprefs/samples/refs/configmap.yaml")]))
    assert messages(engine, workload) == []
    engine.set_inventory(Inventory())
    assert len(messages(engine, workload)) == 1


def test_expanded_objects_are_reviewed_with_their_parent(engine_for: Build) -> None:
    engine = engine_for(LABELS, constraint("GgRequiredLabels", parameters={"labels": [{"key": "owner"}]},
                                           match={"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}],
                                                  "source": "Generated"}))
    expander = Expander([ExpansionTemplate.from_object({
        "apiVersion": "expansion.gatekeeper.sh/v1alpha1", "kind": "ExpansionTemplate",
        "metadata": {"name": "expand-deployments"},
        "spec": {"applyTo": [{"groups": ["apps"], "kinds": ["Deployment"], "versions": ["v1"]}],
                 "templateSource": "spec.template", "generatedGVK": {"kind": "Pod", "group": "", "version": "v1"},
                 "enforcementAction": "warn"}})])
    parent = deployment()
    [violation] = engine.review_expanded(review_object(parent), expander)
    assert violation.msg == '[Implied by expand-deployments] Pod api-pod is missing the labels ["owner"]'
    assert violation.actions == frozenset({"warn"}) and violation.obj is parent

"""Gatekeeper's `spec.match`, criterion by criterion."""

from __future__ import annotations

from typing import Any

import pytest
from gatekeeper_fixtures import namespace, pod

from genai_gitops.validators.gatekeeper.match import (
    ConstraintMatcher,
    LabelSelector,
    Matchable,
    MatchError,
    scope_of,
)


def matches(match: dict[str, Any] | None, obj: dict[str, Any], **kwargs: Any) -> bool:
    return ConstraintMatcher(match).matches(Matchable(obj, **kwargs))


def test_no_match_section_matches_everything() -> None:
    assert matches(None, pod()) and matches({}, namespace("x"))


def test_kinds_need_group_and_kind() -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}}
    pods = {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}
    assert matches(pods, pod()) and not matches(pods, deployment)
    assert matches({"kinds": [{"apiGroups": ["*"], "kinds": ["Deployment"]}]}, deployment)
    assert matches({"kinds": [{"kinds": ["Deployment"]}]}, deployment)
    assert not matches({"kinds": [{"apiGroups": ["batch"], "kinds": ["*"]}]}, deployment)


def test_scope_reads_the_namespace_field_as_gator_does() -> None:
    cluster_pod = pod(namespace=None)
    assert matches({"scope": "Cluster"}, namespace("x")) and matches({"scope": "Cluster"}, cluster_pod)
    assert matches({"scope": "Namespaced"}, pod()) and not matches({"scope": "Namespaced"}, cluster_pod)
    assert not matches({"scope": "Namespaced"}, namespace("x"))
    # the validator knows a Pod is namespaced even when the manifest leaves the namespace to Argo CD
    assert matches({"scope": "Namespaced"}, cluster_pod, namespaced=True)


def test_namespaces_and_exclusions_use_globs_and_skip_cluster_scoped_objects() -> None:
    assert matches({"namespaces": ["tenant-*"]}, pod(namespace="tenant-a"))
    assert not matches({"namespaces": ["tenant-*"]}, pod(namespace="platform"))
    assert matches({"namespaces": ["tenant-*"]}, namespace("tenant-b"))
    assert matches({"namespaces": ["tenant-*"]}, pod(namespace=None))
    assert not matches({"excludedNamespaces": ["kube-*"]}, pod(namespace="kube-system"))
    assert not matches({"excludedNamespaces": ["kube-*"]}, namespace("kube-public"))
    assert matches({"excludedNamespaces": ["kube-*"]}, pod(namespace="tenant-a"))


@pytest.mark.parametrize(("selector", "labels", "expected"), [
    ({"matchLabels": {"app": "web"}}, {"app": "web"}, True),
    ({"matchLabels": {"app": "web"}}, {"app": "api"}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}, {"tier": "b"}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {"tier": "a"}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {"tier": ""}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, {"tier": "x"}, False),
    ({}, {"anything": "x"}, True),
])
def test_label_selector(selector: dict[str, Any], labels: dict[str, str], expected: bool) -> None:
    assert matches({"labelSelector": selector}, pod(labels=labels)) is expected


@pytest.mark.parametrize(("selector", "message"), [
    ({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
     "spec.match.labelSelector.matchExpressions[0].operator: Invalid value: 'Equals': not a valid selector operator"),
    ({"matchExpressions": [{"key": "a", "operator": "In"}]},
     "spec.match.labelSelector.matchExpressions[0].values: Required value: must be specified when `operator` is "
     "'In' or 'NotIn'"),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
     "spec.match.labelSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is "
     "'Exists' or 'DoesNotExist'"),
    ({"matchLabels": {"bad key!": "x"}},
     "spec.match.labelSelector.matchLabels: Invalid value: 'bad key!': not a valid label key"),
])
def test_invalid_selectors_are_rejected_when_the_constraint_is_read(selector: dict[str, Any], message: str) -> None:
    with pytest.raises(MatchError) as err:
        LabelSelector.parse(selector, "spec.match.labelSelector")
    assert str(err.value) == message


def test_namespace_selector_reads_the_namespace_or_the_namespace_itself() -> None:
    selector = {"namespaceSelector": {"matchLabels": {"tenant": "yes"}}}
    assert matches(selector, pod(), namespace=namespace("tenant-a", tenant="yes"))
    assert not matches(selector, pod(), namespace=namespace("tenant-a"))
    assert matches(selector, namespace("tenant-a", tenant="yes"))
    assert matches(selector, pod(namespace=None))  # cluster-scoped: the selector does not apply
    with pytest.raises(MatchError, match="namespace selector for namespace-scoped object but missing Namespace"):
        matches(selector, pod())


def test_name_globs_also_match_generate_name() -> None:
    generated = pod(name="")
    generated["metadata"]["generateName"] = "job-"
    assert matches({"name": "web"}, pod()) and not matches({"name": "web"}, pod(name="api"))
    assert matches({"name": "job-*"}, generated) and not matches({"name": "*-job"}, generated)


def test_source() -> None:
    assert matches({"source": "Generated"}, pod(), source="Generated")
    assert not matches({"source": "Generated"}, pod(), source="Original")
    assert matches({"source": "All"}, pod(), source="Original")
    with pytest.raises(MatchError, match="invalid source field 'Elsewhere'"):
        ConstraintMatcher({"source": "Elsewhere"})


def test_known_scopes() -> None:
    assert scope_of("", "Namespace") is False and scope_of("apps", "Deployment") is True
    assert scope_of("constraints.gatekeeper.sh", "AnyConstraint") is False
    assert scope_of("example.com", "Widget") is None

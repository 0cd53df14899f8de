"""The merge generator: the first child's sets, overridden by later children's sets with equal merge keys."""

from __future__ import annotations

import pytest

from genai_gitops.argocd.generators import GeneratorError, transform


def test_later_children_override_matching_sets(context) -> None:
    merge = {"merge": {"mergeKeys": ["name"], "generators": [
        {"clusters": {"values": {"replicas": "1"}}},
        {"list": {"elements": [{"name": "eu-1", "values": {"replicas": "3"}}, {"name": "nowhere", "x": "y"}]}},
    ]}}
    params = {p["name"]: p for p in transform(merge, context, "g")}
    assert sorted(params) == ["eu-1", "in-cluster", "us-1"]  # an unmatched later set is dropped
    assert params["eu-1"]["values"] == {"replicas": "3"} and params["us-1"]["values"] == {"replicas": "1"}
    assert params["eu-1"]["server"] == "https://eu-1.example.com"


def test_sets_must_be_unique_by_merge_key(context) -> None:
    merge = {"merge": {"mergeKeys": ["path.basename"], "generators": [
        {"list": {"elements": [{"path": {"basename": "a"}}, {"path": {"basename": "b"}}]}},
        {"list": {"elements": []}},
    ]}}
    # with goTemplate a merge key is a top-level name: "path.basename" is looked up literally
    with pytest.raises(GeneratorError, match=r'Duplicate key was \{"path.basename":null\} \(merge keys are '
                                             r"top-level parameter names"):
        transform(merge, context, "g")


def test_merge_needs_two_generators_and_a_key(context) -> None:
    with pytest.raises(GeneratorError, match="Merge requires two or more"):
        transform({"merge": {"mergeKeys": ["a"], "generators": [{"list": {"elements": []}}]}}, context, "g")
    with pytest.raises(GeneratorError, match="Merge requires at least one"):
        transform({"merge": {"generators": [{"list": {"elements": []}}] * 2}}, context, "g")

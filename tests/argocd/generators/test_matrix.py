"""The matrix generator: combinations, the second child templated with the first child's params."""

from __future__ import annotations

import pytest

from genai_gitops.argocd.generators import GeneratorError, transform
from genai_gitops.model.apps import CLUSTER_LABEL


def test_second_child_is_rendered_with_each_first_child_params(context) -> None:
    for folder in ("dist/eu-1/tenant-a", "dist/us-1/tenant-b", "dist/gone/tenant-c"):
        (context.repo_root / folder).mkdir(parents=True)
        (context.repo_root / folder / "a.yaml").write_text("{}")
    matrix = {"matrix": {"generators": [
        {"git": {"repoURL": "https://github.com/example-org/genai-gitops.git", "revision": "main",
                 "directories": [{"path": "dist/*/tenant-*"}]}},
        {"clusters": {"selector": {"matchLabels": {CLUSTER_LABEL: "{{index .path.segments 1}}"}}}},
    ]}}
    params = transform(matrix, context, "generators[0]")
    # a folder whose cluster is not in the inventory matches no secret: no Application
    assert [(p["path"]["basename"], p["name"]) for p in params] == [("tenant-a", "eu-1"), ("tenant-b", "us-1")]


def test_on_a_key_conflict_the_first_child_wins_and_maps_merge(context) -> None:
    matrix = {"matrix": {"generators": [
        {"list": {"elements": [{"name": "first", "shared": {"a": "1"}, "empty": ""}]}},
        {"list": {"elements": [{"name": "second", "shared": {"a": "2", "b": "2"}, "empty": "x", "only": "2"}]}},
    ]}}
    assert transform(matrix, context, "g") == [
        {"name": "first", "shared": {"a": "1", "b": "2"}, "empty": "", "only": "2"}]


def test_matrix_needs_exactly_two_generators(context) -> None:
    with pytest.raises(GeneratorError, match="found 3 generators, Matrix supports exactly two"):
        transform({"matrix": {"generators": [{"list": {"elements": []}}] * 3}}, context, "g")


def test_nesting_is_limited_as_in_argo_cds_crd(context) -> None:
    inner = {"matrix": {"generators": [{"list": {"elements": [{"a": "1"}]}}, {"list": {"elements": [{"b": "2"}]}}]}}
    assert transform({"matrix": {"generators": [inner, {"list": {"elements": [{"c": "3"}]}}]}}, context, "g") == [
        {"a": "1", "b": "2", "c": "3"}]
    too_deep = {"matrix": {"generators": [{"matrix": {"generators": [inner, inner]}}, inner]}}
    with pytest.raises(GeneratorError, match="nested more than one level deep"):
        transform(too_deep, context, "g")


@pytest.mark.parametrize("kind", ["scmProvider", "pullRequest", "clusterDecisionResource", "plugin"])
def test_generators_that_need_a_live_system_are_refused_by_name(context, kind: str) -> None:
    from genai_gitops.argocd.generators import UnsupportedGeneratorFeature

    with pytest.raises(UnsupportedGeneratorFeature, match=f"the {kind} generator is not supported"):
        transform({"matrix": {"generators": [{kind: {}}, {"list": {"elements": []}}]}}, context, "g")


def test_values_of_the_second_child_may_name_either_childs_params(context) -> None:
    matrix = {"matrix": {"generators": [
        {"list": {"elements": [{"app": "web"}]}},
        {"clusters": {"selector": {"matchLabels": {CLUSTER_LABEL: "eu-1"}},
                      # rendered with the first child's params before the clusters generator runs; a value
                      # naming a key only the clusters generator produces is left for it to render
                      "values": {"from_first": "{{ .app }}", "from_second": "{{ .name }}"}}},
    ]}}
    assert transform(matrix, context, "g")[0]["values"] == {"from_first": "web", "from_second": "eu-1"}


def test_post_selectors_see_flattened_params(context) -> None:
    for folder in ("apps/web", "apps/db"):
        (context.repo_root / folder).mkdir(parents=True)
        (context.repo_root / folder / "a.yaml").write_text("{}")
    entry = {"git": {"repoURL": "https://github.com/example-org/genai-gitops.git", "revision": "main",
                     "directories": [{"path": "apps/*"}]},
             "selector": {"matchLabels": {"path.basename": "db"}}}
    assert [p["path"]["path"] for p in transform(entry, context, "g")] == ["apps/db"]

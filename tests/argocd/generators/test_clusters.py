"""The clusters generator over the inventory (Argo CD's cluster secrets)."""

from __future__ import annotations

import pytest

from genai_gitops.argocd.generators import GeneratorError, new_context, transform
from genai_gitops.argocd.gotemplate import StringMap, render
from genai_gitops.model.apps import CLUSTER_LABEL, ENVIRONMENT_LABEL, ROLE_LABEL


def test_each_inventory_cluster_is_a_labelled_secret(context) -> None:
    params = transform({"clusters": {}}, context, "generators[0]")
    assert [p["name"] for p in params] == ["eu-1", "in-cluster", "us-1"]
    eu = next(p for p in params if p["name"] == "eu-1")
    assert eu == {"name": "eu-1", "nameNormalized": "eu-1", "server": "https://eu-1.example.com", "project": "",
                  "metadata": {"labels": {"argocd.argoproj.io/secret-type": "cluster", CLUSTER_LABEL: "eu-1",
                                          ENVIRONMENT_LABEL: "prod", ROLE_LABEL: "customer"}}}
    assert isinstance(eu["metadata"]["labels"], StringMap)
    # the in-cluster secret carries the inventory name of the cluster Argo CD runs on
    local = next(p for p in params if p["name"] == "in-cluster")
    assert local["server"] == "https://kubernetes.default.svc"
    assert local["metadata"]["labels"][CLUSTER_LABEL] == "central"


def test_selector_picks_clusters_by_label(context) -> None:
    by_name = transform({"clusters": {"selector": {"matchLabels": {CLUSTER_LABEL: "central"}}}}, context, "g")
    assert [p["name"] for p in by_name] == ["in-cluster"]
    staging = transform({"clusters": {"selector": {"matchExpressions": [
        {"key": ENVIRONMENT_LABEL, "operator": "In", "values": ["staging", "dev"]}]}}}, context, "g")
    assert [p["name"] for p in staging] == ["us-1"]


def test_the_local_cluster_without_a_secret_is_offered_only_to_an_empty_selector(tmp_path, clusters_of) -> None:
    context = new_context(tmp_path, clusters_of(("eu-1", {})))
    everything = transform({"clusters": {}}, context, "g")
    assert [p["name"] for p in everything] == ["eu-1", "in-cluster"]
    # no labels to match, no metadata at all: templates reading .metadata fail on it, as in Argo CD
    assert "metadata" not in everything[1]
    selected = transform({"clusters": {"selector": {"matchLabels": {ROLE_LABEL: "customer"}}}}, context, "g")
    assert [p["name"] for p in selected] == ["eu-1"]


def test_values_are_rendered_with_the_clusters_params(context) -> None:
    params = transform({"clusters": {"selector": {"matchLabels": {CLUSTER_LABEL: "eu-1"}},
                                     "values": {"revision": "{{ .name }}-main", "env": "fixed"}}}, context, "g")
    assert params[0]["values"] == {"revision": "eu-1-main", "env": "fixed"}
    assert render("{{ .values.revision }}", params[0]) == "eu-1-main"


def test_flat_list_returns_one_parameter_set(context) -> None:
    params = transform({"clusters": {"flatList": True}}, context, "g")
    assert len(params) == 1 and [c["name"] for c in params[0]["clusters"]] == ["eu-1", "in-cluster", "us-1"]


def test_an_invalid_label_value_fails_like_kubernetes(context) -> None:
    with pytest.raises(GeneratorError, match="invalid label value 'dist/eu-1'"):
        transform({"clusters": {"selector": {"matchLabels": {CLUSTER_LABEL: "dist/eu-1"}}}}, context, "g")


def test_a_label_value_that_is_not_a_string_is_refused(context) -> None:
    # matchLabels is a map[string]string: Argo CD cannot decode a number there
    with pytest.raises(GeneratorError) as info:
        transform({"clusters": {"selector": {"matchLabels": {CLUSTER_LABEL: 1}}}}, context, "g")
    assert str(info.value) == ("test: clusters.selector.matchLabels.genai-gitops.io/cluster: expected a string, got 1 "
                               "(quote it: label values are strings)")

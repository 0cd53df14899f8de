"""The list generator."""

from __future__ import annotations

import pytest

from genai_gitops.argocd.generators import GeneratorError, UnsupportedGeneratorFeature, transform


def test_elements_are_parameter_sets_with_json_numbers(context) -> None:
    params = transform({"list": {"elements": [{"cluster": "eu-1", "replicas": 2, "tags": {"a": True}}]}},
                       context, "generators[0]")
    assert params == [{"cluster": "eu-1", "replicas": 2.0, "tags": {"a": True}}]
    assert isinstance(params[0]["replicas"], float)  # Argo CD decodes elements from JSON: float64


def test_elements_yaml_is_appended(context) -> None:
    params = transform({"list": {"elements": [{"a": "1"}], "elementsYaml": "- a: '2'\n- a: '3'\n"}},
                       context, "generators[0]")
    assert [p["a"] for p in params] == ["1", "2", "3"]


def test_post_selector_filters_parameter_sets(context) -> None:
    entry = {"list": {"elements": [{"env": "dev"}, {"env": "prod"}]},
             "selector": {"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}}
    assert transform(entry, context, "generators[0]") == [{"env": "prod"}]


def test_an_element_must_be_an_object(context) -> None:
    with pytest.raises(GeneratorError, match=r"elements\[0\]: error unmarshling list element"):
        transform({"list": {"elements": ["eu-1"]}}, context, "generators[0]")


def test_unknown_fields_are_refused_by_name(context) -> None:
    with pytest.raises(UnsupportedGeneratorFeature, match=r"field\(s\) element not supported"):
        transform({"list": {"element": []}}, context, "generators[0]")


def test_a_post_selector_over_a_parameter_that_is_not_a_string_is_refused(context) -> None:
    # Argo CD would match Go's %v of the number; the preview does not emulate fmt, so it refuses by name
    entry = {"list": {"elements": [{"env": "prod", "replicas": 2}]},
             "selector": {"matchLabels": {"env": "prod"}}}
    with pytest.raises(UnsupportedGeneratorFeature) as info:
        transform(entry, context, "generators[0]")
    assert str(info.value) == ("generators[0].selector: parameter replicas is 2.0: the offline preview matches "
                               "post-selectors against string parameters only (quote the value)")

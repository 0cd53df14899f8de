"""Gatekeeper's builtins are available to templates: regorus' own and the ones added as extensions."""

from __future__ import annotations

from gatekeeper_fixtures import template

from genai_gitops.validators.gatekeeper.template import CompiledTemplate, ConstraintTemplate

REGO = """package ggb

violation[{"msg": msg}] {
  strings.any_prefix_match("registry.example.com/a", ["docker.io/", "registry.example.com/"])
  strings.any_suffix_match("api.internal", [".internal"])
  response := external_data({"provider": "cosign", "keys": [input.review.object.image]})
  response.system_error != ""
  msg := sprintf("%v %v", [response.status_code, response.system_error])
}
"""


def test_string_helpers_and_offline_external_data() -> None:
    compiled = CompiledTemplate(ConstraintTemplate.from_object(template("GgB", REGO)))
    [violation] = compiled.bind().violations('{"review": {"object": {"image": "x"}}}')
    assert violation["msg"] == "400 external data provider 'cosign' is not available in an offline check"

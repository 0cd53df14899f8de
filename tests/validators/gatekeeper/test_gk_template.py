"""Reading ConstraintTemplates as Gatekeeper does, compiling each once, binding per inventory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gatekeeper_fixtures import load_one, template

from genai_gitops.validators.gatekeeper.template import (
    CompiledTemplate,
    ConstraintTemplate,
    TemplateCompiler,
    TemplateError,
    UnsupportedTemplateError,
)

REGO = 'package ggt\nviolation[{"msg": "always"}] { true }\n'


def test_legacy_rego_field() -> None:
    t = ConstraintTemplate.from_object(load_one("policies/requiredlabels/template.yaml"))
    assert (t.name, t.kind, t.rego_version, t.libs) == ("ggrequiredlabels", "GgRequiredLabels", "v0", ())
    assert t.parameters_schema is not None and "labels" in t.parameters_schema["properties"]


def test_code_block_with_version_and_libs() -> None:
    t = ConstraintTemplate.from_object(load_one("policies/allowedregistries/template.yaml"))
    assert t.rego_version == "v1"
    assert len(t.libs) == 1 and t.libs[0].startswith("package lib.gg.workloads")


def test_legacy_rego_wins_over_code_as_in_gatekeeper_conversion() -> None:
    obj = template("GgBoth", REGO, version="v1")
    obj["spec"]["targets"][0]["rego"] = REGO.replace("always", "legacy")
    t = ConstraintTemplate.from_object(obj)
    assert "legacy" in t.rego and t.rego_version == "v0"


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda o: o["metadata"].update(name="other"),
     "the ConstraintTemplate's name 'other' is not equal to the lowercase of its kind: 'ggt'"),
    (lambda o: o["spec"]["crd"]["spec"]["names"].pop("kind"),
     "ConstraintTemplate 'ggt' does not specify spec.crd.spec.names.kind"),
    (lambda o: o["spec"]["targets"][0].update(target="other.target"),
     "ConstraintTemplate 'ggt': target 'other.target' is not admission.k8s.gatekeeper.sh"),
    (lambda o: o["spec"]["targets"].append(o["spec"]["targets"][0]),
     "ConstraintTemplate 'ggt' must have exactly one target, found 2"),
])
def test_invalid_templates_say_what_is_wrong(mutate: Callable[[dict[str, Any]], Any], message: str) -> None:
    obj = template("GgT", REGO)
    mutate(obj)
    with pytest.raises(TemplateError) as err:
        ConstraintTemplate.from_object(obj)
    assert str(err.value) == message


def test_cel_only_template_is_unsupported_not_invalid() -> None:
    obj = template("GgCel", REGO)
    obj["spec"]["targets"][0] = {"target": "admission.k8s.gatekeeper.sh",
                                 "code": [{"engine": "K8sNativeValidation", "source": {"validations": []}}]}
    with pytest.raises(UnsupportedTemplateError, match="only K8sNativeValidation"):
        ConstraintTemplate.from_object(obj)


def test_missing_violation_rule_and_syntax_errors_fail_compilation() -> None:
    with pytest.raises(TemplateError, match=r"missing required rules: \[violation\]"):
        CompiledTemplate(ConstraintTemplate.from_object(template("GgT", "package ggt\ndeny[m] { m := 1 }\n")))
    with pytest.raises(TemplateError) as err:
        CompiledTemplate(ConstraintTemplate.from_object(template("GgT", "package ggt\nviolation[{ {\n")))
    assert "ConstraintTemplate 'ggt'" in str(err.value) and "Stack backtrace" not in str(err.value)


def test_each_template_is_compiled_once() -> None:
    compiler = TemplateCompiler()
    first = compiler.compile(ConstraintTemplate.from_object(template("GgT", REGO)))
    again = compiler.compile(ConstraintTemplate.from_object(template("GgT", REGO)))
    changed = compiler.compile(ConstraintTemplate.from_object(template("GgT", REGO.replace("always", "x"))))
    assert first is again and changed is not first and len(compiler) == 2


def test_bound_copies_do_not_share_inventory() -> None:
    rego = 'package ggi\nviolation[{"msg": sprintf("%v", [count(data.inventory)])}] { true }\n'
    compiled = CompiledTemplate(ConstraintTemplate.from_object(template("GgI", rego)))
    assert compiled.reads_inventory
    with_data = compiled.bind('{"cluster": {}, "namespace": {}}')
    empty = compiled.bind()
    assert with_data.violations('{"review": {}}') == [{"msg": "2", "details": {}}]
    assert empty.violations('{"review": {}}') == [{"msg": "0", "details": {}}]


def test_results_without_msg_are_dropped_and_details_default_to_empty() -> None:
    rego = ('package ggd\nviolation[{"msg": "a", "details": {"k": 1}}] { true }\n'
            'violation[{"other": "no msg"}] { true }\nviolation[{"msg": "b"}] { true }\n')
    bound = CompiledTemplate(ConstraintTemplate.from_object(template("GgD", rego))).bind()
    assert sorted(bound.violations("{}"), key=lambda v: v["msg"]) == [
        {"msg": "a", "details": {"k": 1}}, {"msg": "b", "details": {}}]


def test_parameter_schema_errors_and_defaults() -> None:
    schema = {"type": "object", "properties": {
        "limit": {"type": "integer", "default": 3},
        "names": {"type": "array", "items": {"type": "string"}},
        "nested": {"type": "object", "properties": {"on": {"type": "boolean", "default": True}}},
        "maybe": {"type": "string", "nullable": True}}}
    compiled = CompiledTemplate(ConstraintTemplate.from_object(template("GgS", REGO.replace("ggt", "ggs"),
                                                                        schema=schema)))
    assert compiled.parameter_errors({"names": ["a"], "maybe": None}) == []
    assert compiled.parameter_errors({"names": "a"}) == ["spec.parameters['names']: \"a\" is not of type \"array\""]
    assert compiled.apply_defaults({"nested": {}}) == {"limit": 3, "nested": {"on": True}}

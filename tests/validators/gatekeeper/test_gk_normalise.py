"""Each rewrite gives regorus OPA's reading of the construct; checked on the text and by evaluation."""

from __future__ import annotations

import json
from typing import Any

import regorus

from genai_gitops.validators.gatekeeper.normalise import (
    end_expressions_before_parenthesis,
    fill_missing_sprintf_arguments,
    hoist_negated_operands,
    normalise_rego,
    split_multi_body_rules,
)


def evaluate(source: str, query: str, input_: Any = None, *, v0: bool = True) -> Any:
    engine = regorus.Engine()
    engine.set_rego_v0(v0)
    engine.add_policy("test.rego", source)
    engine.set_input_json(json.dumps(input_ or {}))
    return json.loads(engine.eval_rule_as_json(query))


MULTI_BODY = """package t

kind_of(obj) = k {
  obj.a
  k := "a"
} {
  obj.b
  k := "b"
}

result[k] { k := kind_of(input.obj) }
"""


def test_multi_body_rule_becomes_one_rule_per_body() -> None:
    out = split_multi_body_rules(MULTI_BODY)
    assert out.count("kind_of(obj) = k {") == 2
    assert evaluate(out, "data.t.result", {"obj": {"b": True}}) == ["b"]
    assert evaluate(out, "data.t.result", {"obj": {"a": True}}) == ["a"]


def test_set_rule_heads_with_brackets_are_repeated() -> None:
    source = 'package t\nviolation[{"msg": m}] { input.x; m := "x" } { input.y; m := "y" }\n'
    out = split_multi_body_rules(source)
    assert 'violation[{"msg": m}] { input.y; m := "y" }' in out
    assert evaluate(out, "data.t.violation", {"y": True}) == [{"msg": "y"}]


def test_else_chains_and_literals_are_not_bodies() -> None:
    source = ('package t\ndefault allowed = {}\nnames := {"a", "b"}\n'
              'f(x) = 1 { x == 1 } else = 2 { x == 2 }\n')
    assert split_multi_body_rules(source) == source


def test_braces_in_strings_and_comments_are_ignored() -> None:
    source = 'package t\np { x := "} {" } # } {\nq { true }\n'
    assert split_multi_body_rules(source) == source


def test_line_starting_with_parenthesis_ends_the_previous_expression() -> None:
    source = ("package t\nspread_ok {\n  input.minimum\n  (input.max - input.min) >= input.minimum\n}\n")
    out = end_expressions_before_parenthesis(source)
    assert "  input.minimum;\n  (input.max" in out
    assert evaluate(out, "data.t.spread_ok", {"minimum": 2, "max": 5, "min": 1}) is True


def test_parenthesis_after_an_operator_or_inside_a_call_is_left_alone() -> None:
    source = "package t\np {\n  x := 1 +\n  (2 * 3)\n  y := f(\n    (x))\n}\n"
    assert end_expressions_before_parenthesis(source) == source


def test_sprintf_with_missing_arguments_prints_what_go_prints() -> None:
    source = 'package t\nmsg := sprintf("a %v, b %d, c %v", [1])\n'
    out = fill_missing_sprintf_arguments(source)
    assert 'sprintf("a %v, b %%!d(MISSING), c %%!v(MISSING)", [1])' in out
    assert evaluate(out, "data.t.msg") == "a 1, b %!d(MISSING), c %!v(MISSING)"


def test_sprintf_with_enough_or_computed_arguments_is_left_alone() -> None:
    source = 'package t\na := sprintf("%v %v", [1, [2, 3]])\nb := sprintf("%v %v", args)\nc := sprintf(f, [1])\n'
    assert fill_missing_sprintf_arguments(source) == source


NEGATED = """package t

accepts(rule, value, ranges) { rule == "any" }

violation[{"msg": "call"}] {
  params := input.params
  not accepts(params.rule, 1, params.ranges)
}

violation[{"msg": "comparison"}] {
  not input.object.flag == false
}
"""


def test_operands_of_a_negated_call_are_bound_first_as_opa_does() -> None:
    out = hoist_negated_operands(NEGATED)
    assert "__gk_operand_2 := params.ranges; not accepts(__gk_operand_1, 1, __gk_operand_2)" in out.replace(
        "__gk_operand_1 := params.rule; ", "")
    # params.ranges is undefined: OPA's body is undefined, so no violation (regorus alone reports one)
    given = {"params": {"rule": "strict"}, "object": {"flag": False}}
    assert evaluate(out, "data.t.violation", given) == []
    assert evaluate(NEGATED, "data.t.violation", given) == [{"msg": "call"}]


def test_negated_comparison_with_an_undefined_side_is_undefined() -> None:
    out = hoist_negated_operands(NEGATED)
    assert evaluate(out, "data.t.violation", {"params": {"rule": "any", "ranges": []}, "object": {}}) == []
    assert evaluate(out, "data.t.violation",
                    {"params": {"rule": "any", "ranges": []}, "object": {"flag": True}}) == [{"msg": "comparison"}]


def test_negations_without_bindable_operands_are_left_alone() -> None:
    source = ('package t\np {\n  not input.x\n  not x = 1\n  not f(input.y) with input as {}\n'
              '  not startswith("a", "b")\n  s := "not f(x.y)"  # not g(x.y)\n}\n')
    assert hoist_negated_operands(source) == source


def test_negations_inside_comprehensions_bind_inside_them() -> None:
    source = "package t\nbad := [c | c := input.cs[_]; not startswith(c.image, \"ok/\")]\n"
    out = hoist_negated_operands(source)
    assert "c := input.cs[_]; __gk_operand_1 := c.image; not startswith(__gk_operand_1, \"ok/\")" in out
    assert evaluate(out, "data.t.bad", {"cs": [{"image": "ok/a"}, {"image": "x/b"}, {}]}) == [{"image": "x/b"}]


def test_v1_rules_are_not_split_but_still_normalised() -> None:
    source = "package t\nviolation contains msg if {\n  not startswith(input.image, input.prefix)\n  msg := \"x\"\n}\n"
    out = normalise_rego(source, "v1")
    assert "__gk_operand_1 := input.image" in out
    assert evaluate(out, "data.t.violation", {"image": "a"}, v0=False) == []

"""The OpenAPI v3 (CRD) subset -> JSON Schema translation used for constraint parameters."""

from __future__ import annotations

import jsonschema_rs

from genai_gitops.validators.schema.openapi import add_preserve_unknown_fields, to_json_schema


def valid(openapi: dict, value: object) -> bool:
    return jsonschema_rs.Draft202012Validator(to_json_schema(openapi)).is_valid(value)


def test_objects_are_closed_like_a_structural_schema():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert to_json_schema(schema) == {"type": "object", "properties": {"a": {"type": "string"}},
                                      "additionalProperties": False}
    assert not valid(schema, {"b": "x"})
    # an object without properties keeps nothing: every field is unknown
    assert not valid({"type": "object"}, {"b": 1})
    assert valid({"type": "object"}, {})


def test_preserve_unknown_fields_and_additional_properties_stay_open():
    assert valid({"type": "object", "x-kubernetes-preserve-unknown-fields": True}, {"b": 1})
    assert valid({"type": "object", "additionalProperties": {"type": "integer"}}, {"b": 1})
    assert not valid({"type": "object", "additionalProperties": {"type": "integer"}}, {"b": "1"})


def test_nullable_and_null():
    assert valid({"type": "string", "nullable": True}, None)
    assert not valid({"type": "string"}, None)
    assert valid({"type": "string", "nullable": True, "enum": ["a"]}, None)


def test_int_or_string():
    schema = {"x-kubernetes-int-or-string": True}
    assert valid(schema, 1) and valid(schema, "50%")
    assert not valid(schema, 1.5) and not valid(schema, [])


def test_openapi_boolean_exclusive_bounds_become_numbers():
    schema = {"type": "integer", "minimum": 1, "exclusiveMinimum": True, "maximum": 5, "exclusiveMaximum": True}
    assert to_json_schema(schema) == {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 5}
    assert valid(schema, 2) and not valid(schema, 1) and not valid(schema, 5)
    assert to_json_schema({"type": "integer", "minimum": 1, "exclusiveMinimum": False}) == {"type": "integer",
                                                                                          "minimum": 1}


def test_set_lists_reject_duplicates():
    schema = {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"}
    assert valid(schema, ["a", "b"]) and not valid(schema, ["a", "a"])


def test_junctor_branches_do_not_close_objects():
    # in a structural schema anyOf only adds value checks: the fields come from `properties`
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
              "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}
    translated = to_json_schema(schema)
    assert translated["anyOf"] == [{"required": ["a"]}, {"required": ["b"]}]
    assert valid(schema, {"a": "x"}) and valid(schema, {"a": "x", "b": "y"})
    assert not valid(schema, {})


def test_cel_rules_formats_and_descriptions_are_dropped():
    schema = {"type": "string", "format": "date-time", "description": "when",
              "x-kubernetes-validations": [{"rule": "self != ''"}]}
    assert to_json_schema(schema) == {"type": "string"}


def test_embedded_resources_always_allow_their_type_and_metadata():
    schema = {"type": "object", "x-kubernetes-embedded-resource": True, "properties": {"spec": {"type": "object"}}}
    assert valid(schema, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {}})


def test_legacy_schema_opens_every_object_but_keeps_declared_types():
    schema = {"type": "object", "properties": {"ranges": {"type": "array", "items": {
        "type": "object", "properties": {"min": {"type": "integer"}}}}, "tags": {"type": "array"}}}
    opened = add_preserve_unknown_fields(schema)
    assert "x-kubernetes-preserve-unknown-fields" not in schema  # the template itself is not changed
    assert valid(opened, {"other": 1, "ranges": [{"min": 1, "note": "kept"}], "tags": [{"a": 1}]})
    assert not valid(opened, {"ranges": [{"min": "1"}]})

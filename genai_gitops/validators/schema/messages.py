"""Turn JSON Schema errors into messages for people: the dotted path of the field, what is wrong,
and what to write instead where that can be told (the field meant by a typo, quoting a number).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsonschema_rs

from genai_gitops.validators.schema.registry import K8S_DEFINITIONS_URI

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_ARTICLES = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "a boolean",
             "object": "an object", "array": "a list", "null": "null"}
#: an unknown field's message lists the allowed fields when there are at most this many
_MAX_LISTED_FIELDS = 12


def field_path(parts: Sequence[str | int]) -> str:
    """['spec', 'containers', 0, 'image'] -> 'spec.containers[0].image'.

    Keys that are not plain identifiers (label keys with dots and slashes) are quoted:
    metadata.labels['app.kubernetes.io/name'].
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(object)"


def literal(value: Any, limit: int = 60) -> str:
    """A short rendering of a value: strings quoted, YAML's spelling of null and booleans."""
    if isinstance(value, str):
        text = repr(value if len(value) <= limit else value[:limit] + "...")
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        text = json.dumps(value, default=str, sort_keys=True)
        if len(text) > limit:
            text = text[:limit] + "..."
    return text


def describe(value: Any) -> str:
    """'the string '2'', 'an object', ... (for type errors)."""
    if isinstance(value, bool):
        return f"the boolean {literal(value)}"
    if isinstance(value, str):
        return f"the string {literal(value)}"
    if isinstance(value, int | float):
        return f"the number {literal(value)}"
    if value is None:
        return "null"
    return "an object" if isinstance(value, dict) else "a list"


def _one_of(types: Sequence[str]) -> str:
    names = [_ARTICLES.get(t, t) for t in types]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _type_hint(expected: Sequence[str], value: Any) -> str:
    if isinstance(value, str) and _NUMBER.match(value.strip()) and {"integer", "number"} & set(expected):
        return "; write the number without quotes"
    if "string" in expected and isinstance(value, bool):
        return "; quote the value (unquoted true/false/yes/no/on/off are booleans in YAML)"
    if "string" in expected and isinstance(value, int | float):
        return f'; quote it: "{value}"'
    if "array" in expected and not isinstance(value, list):
        return "; write it as a list (one '- ' item per entry)"
    return ""


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    by_case = {c.lower(): c for c in choices}
    if word.lower() in by_case:
        return by_case[word.lower()]
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return close[0] if close else None


#: (definition name, field) -> the other Kubernetes versions that know the field, or None
FieldHistory = Callable[[str, str], str | None]


class ErrorExplainer:
    """Explains errors of one compiled schema; `documents` are what its `$ref`s point into.

    `field_history(definition, field)`, when given, tells in which other Kubernetes versions an
    unknown field of a built-in definition exists, so a version mismatch is not reported as a typo.
    """

    def __init__(self, schema: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]],
                 field_history: FieldHistory | None = None, version_label: str = "this Kubernetes version") -> None:
        self.schema = schema
        self.documents = documents
        self.field_history = field_history
        self.version_label = version_label

    def explain(self, error: jsonschema_rs.ValidationError) -> list[str]:
        """One or more 'path: message' lines (an error naming several unknown fields gives one each)."""
        path = list(error.instance_path)
        kind = error.kind
        name = kind.name
        value = error.instance
        if name == "additionalProperties" and isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            allowed = sorted(self._sibling_properties(error))
            definition = self._definition_name(error)
            return [self._unknown_field(path, field, allowed, definition) for field in kind.unexpected]
        if name == "required" and isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            return [f"{field_path([*path, kind.property])}: required field {kind.property!r} is missing"]
        where = field_path(path)
        if name == "type" and isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
            expected = [t for t in kind.types if t != "null"] or list(kind.types)
            return [f"{where}: must be {_one_of(expected)}, not {describe(value)}{_type_hint(expected, value)}"]
        if name == "enum" and isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
            options = list(kind.options)
            message = f"{where}: {literal(value)} is not one of {_literal_list(options)}"
            strings = [o for o in options if isinstance(o, str)]
            hint = _suggest(value, strings) if isinstance(value, str) else None
            return [message + (f"; did you mean {hint!r}?" if hint else "")]
        if name == "const" and isinstance(kind, jsonschema_rs.ValidationErrorKind.Constant):
            return [f"{where}: must be {literal(kind.expected_value)}, not {literal(value)}"]
        if name in ("oneOf", "anyOf"):
            return [self._alternatives(where, error)]
        return [f"{where}: {self._simple(name, kind, value, error)}"]

    # ----------------------------------------------------------------- pieces
    def _unknown_field(self, path: list[str | int], field: str, allowed: list[str], definition: str | None) -> str:
        where = field_path([*path, field])
        history = self.field_history(definition, field) if definition and self.field_history else None
        if history:
            return (f"{where}: unknown field {field!r} in {self.version_label}; it exists in Kubernetes {history}, "
                    "so either the cluster's Kubernetes version is wrong or the field must go")
        hint = _suggest(field, allowed) if allowed else None
        if hint:
            return f"{where}: unknown field {field!r}; did you mean {hint!r}?"
        if not allowed:
            return f"{where}: unknown field {field!r}; no fields are allowed here, remove it"
        if len(allowed) <= _MAX_LISTED_FIELDS:
            return f"{where}: unknown field {field!r}; allowed here: {', '.join(allowed)}"
        return f"{where}: unknown field {field!r}; remove it or check its spelling and indentation"

    def _alternatives(self, where: str, error: jsonschema_rs.ValidationError) -> str:
        kind = error.kind
        value = error.instance
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.OneOfMultipleValid):
            if value is None:
                return (f"{where}: null is ambiguous here (it matches more than one allowed type); "
                        "give a value or remove the field")
            return f"{where}: {literal(value)} matches more than one of the allowed forms; make it match exactly one"
        branches = getattr(kind, "context", None) or []
        types: list[str] = []
        for branch in branches:
            if not branch or any(e.kind.name != "type" or list(e.instance_path) != list(error.instance_path)
                                 for e in branch):
                types = []
                break
            for e in branch:
                if isinstance(e.kind, jsonschema_rs.ValidationErrorKind.Type):
                    types.extend(t for t in e.kind.types if t != "null" and t not in types)
        if types:
            return f"{where}: must be {_one_of(types)}, not {describe(value)}{_type_hint(types, value)}"
        # report the branch that came closest (fewest errors), which is usually the one meant
        closest: list[jsonschema_rs.ValidationError] = min((b for b in branches if b), key=len, default=[])
        detail = "; ".join(line for e in closest for line in self.explain(e))
        return f"{where}: {literal(value)} matches none of the allowed forms" + (
            f" (closest: {detail})" if detail else "")

    @staticmethod
    def _simple(name: str, kind: jsonschema_rs.ValidationErrorKind, value: Any,
                error: jsonschema_rs.ValidationError) -> str:
        limit = getattr(kind, "limit", None)
        if name == "pattern":
            return f"{literal(value)} does not match the pattern {getattr(kind, 'pattern', '')!r}"
        if name == "minLength":
            return "must not be empty" if limit == 1 else f"{literal(value)} is shorter than {limit} characters"
        if name == "maxLength":
            return f"{literal(value)} is longer than {limit} characters"
        if name == "minimum":
            return f"{literal(value)} is less than the minimum {limit}"
        if name == "maximum":
            return f"{literal(value)} is more than the maximum {limit}"
        if name == "exclusiveMinimum":
            return f"{literal(value)} must be more than {limit}"
        if name == "exclusiveMaximum":
            return f"{literal(value)} must be less than {limit}"
        if name == "minItems":
            return f"needs at least {limit} item{'s' if limit != 1 else ''}, has {len(value)}"
        if name == "maxItems":
            return f"allows at most {limit} item{'s' if limit != 1 else ''}, has {len(value)}"
        if name == "minProperties":
            return f"needs at least {limit} field{'s' if limit != 1 else ''}"
        if name == "maxProperties":
            fields = ", ".join(sorted(value)) if isinstance(value, dict) else ""
            return f"allows at most {limit} field{'s' if limit != 1 else ''}, has {fields}; keep one"
        if name == "uniqueItems":
            return "has duplicate items; every item must be different"
        if name == "not":
            return f"{literal(value)} is not allowed here"
        if name == "falseSchema":
            return "no value is allowed here; remove the field"
        return error.message

    @staticmethod
    def _definition_name(error: jsonschema_rs.ValidationError) -> str | None:
        """'io.k8s.api.core.v1.Container' when the failing node is a Kubernetes definition's top level."""
        location = error.absolute_keyword_location or ""
        uri, _, pointer = location.partition("#")
        tokens = pointer.split("/")[1:]
        if uri == K8S_DEFINITIONS_URI and len(tokens) == 3 and tokens[0] == "$defs":
            return tokens[1]
        return None

    def _sibling_properties(self, error: jsonschema_rs.ValidationError) -> set[str]:
        """The fields the failing schema node declares (the node holding `additionalProperties`)."""
        node = self._node(error)
        properties = node.get("properties") if isinstance(node, dict) else None
        return set(properties) if isinstance(properties, dict) else set()

    def _node(self, error: jsonschema_rs.ValidationError) -> Any:
        location = error.absolute_keyword_location
        if location:
            uri, _, pointer = location.partition("#")
            node: Any = self.documents.get(uri)
            tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
        else:
            node, tokens = self.schema, [str(t) for t in error.schema_path]
        for token in tokens[:-1]:
            if isinstance(node, dict):
                node = node.get(token)
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        return node


def _literal_list(options: Sequence[Any]) -> str:
    return "[" + ", ".join(literal(o) for o in options) + "]"

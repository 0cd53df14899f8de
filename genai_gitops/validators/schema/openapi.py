"""Translate the OpenAPI v3 subset Kubernetes accepts in CRDs into JSON Schema (draft 2020-12).

Used for Gatekeeper constraint parameters, whose schema is a ConstraintTemplate's
`spec.crd.spec.validation.openAPIV3Schema`. The translation follows how the API server treats a
structural schema, so that "valid here" means "accepted there":

- an object node that declares neither `additionalProperties` nor
  `x-kubernetes-preserve-unknown-fields: true` gets `additionalProperties: false` — the API server
  prunes unknown fields there, and strict field validation (kubectl's default) rejects them;
- nodes inside `allOf`/`anyOf`/`oneOf`/`not` only add value checks, they never declare fields, so
  they are translated without closing their objects (closing them would reject valid fields);
- `nullable: true` adds `null` to the type; otherwise null is rejected (the API server would drop
  the field silently, which in a Git repository is almost always a templating mistake);
- `x-kubernetes-int-or-string` becomes `type: [integer, string]`;
- OpenAPI's boolean `exclusiveMinimum`/`exclusiveMaximum` become draft 2020-12 numbers;
- `x-kubernetes-list-type: set` becomes `uniqueItems` (the API server rejects duplicates);
- CEL rules (`x-kubernetes-validations`), `format`, `default` and descriptions are dropped: JSON
  Schema cannot express CEL, and formats are not asserted by either JSON Schema library here.
"""

from __future__ import annotations

import copy
from typing import Any

_COPIED_KEYWORDS = ("enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "multipleOf",
                    "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties")


def add_preserve_unknown_fields(node: dict[str, Any]) -> dict[str, Any]:
    """Return a copy opened up the way Gatekeeper opens a `legacySchema: true` template.

    Gatekeeper marks every object (or untyped) node as preserving unknown fields and gives
    untyped arrays open items, so unknown parameters are kept instead of rejected.
    """
    opened = copy.deepcopy(node)
    _open_in_place(opened)
    return opened


def _open_in_place(node: dict[str, Any]) -> None:
    kind = node.get("type", "")
    if kind in ("", "object"):
        node["x-kubernetes-preserve-unknown-fields"] = True
    elif kind == "array" and not isinstance(node.get("items"), dict):
        node["items"] = {"x-kubernetes-preserve-unknown-fields": True}
    for child in (node.get("properties") or {}).values():
        if isinstance(child, dict):
            _open_in_place(child)
    for key in ("items", "additionalProperties"):
        child = node.get(key)
        if isinstance(child, dict):
            _open_in_place(child)


def to_json_schema(node: Any, *, structural: bool = True) -> dict[str, Any]:
    """Translate one OpenAPI v3 schema node (and everything under it)."""
    if not isinstance(node, dict):
        return {}
    out: dict[str, Any] = {}
    nullable = node.get("nullable") is True
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    kind = node.get("type")
    if node.get("x-kubernetes-int-or-string") is True:
        kind = ["integer", "string"]
    if isinstance(kind, str):
        out["type"] = [kind, "null"] if nullable else kind
    elif isinstance(kind, list):
        out["type"] = [*kind, "null"] if nullable else list(kind)

    for keyword in _COPIED_KEYWORDS:
        if keyword in node:
            out[keyword] = copy.deepcopy(node[keyword])
    if nullable and isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"].append(None)
    for keyword, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if node.get(keyword) is True and limit in out:
            out[keyword] = out.pop(limit)
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    if isinstance(node.get("required"), list):
        out["required"] = list(node["required"])

    properties = node.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {name: to_json_schema(child, structural=structural)
                             for name, child in properties.items()}
    if node.get("x-kubernetes-embedded-resource") is True:
        # an embedded object always carries apiVersion/kind/metadata, declared or not
        embedded = out.setdefault("properties", {})
        embedded.setdefault("apiVersion", {"type": "string"})
        embedded.setdefault("kind", {"type": "string"})
        embedded.setdefault("metadata", {"type": "object"})
    additional = node.get("additionalProperties")
    if isinstance(additional, bool):
        out["additionalProperties"] = additional
    elif isinstance(additional, dict):
        out["additionalProperties"] = to_json_schema(additional, structural=structural)
    elif structural and not preserve and (kind == "object" or isinstance(properties, dict)):
        out["additionalProperties"] = False

    items = node.get("items")
    if isinstance(items, dict):
        out["items"] = to_json_schema(items, structural=structural)
    elif isinstance(items, list):
        out["prefixItems"] = [to_json_schema(item, structural=structural) for item in items]

    for junctor in ("allOf", "anyOf", "oneOf"):
        branches = node.get(junctor)
        if isinstance(branches, list):
            out[junctor] = [to_json_schema(branch, structural=False) for branch in branches]
    if isinstance(node.get("not"), dict):
        out["not"] = to_json_schema(node["not"], structural=False)
    return out

"""What the API server does around JSON Schema validation, which JSON Schema itself cannot say.

Two steps of the apiextensions-apiserver (k8s.io/apiextensions-apiserver, pkg/apiserver/schema):

- `defaulting/prunenulls.go` (PruneNonNullableNullsWithoutDefaults) and `defaulting/algorithm.go`: before
  validation a `null` for a field that is not nullable is dropped, or replaced by the field's default when
  it has one; a missing field with a default gets it. So `syncPolicy:` left empty is not an error there.
- `listtype/validation.go` (ValidateListSetsAndMaps): an array with `x-kubernetes-list-type: set` must not
  repeat an element, one with `map` must not repeat the values of its `x-kubernetes-list-map-keys`
  ("Duplicate value"). Built-in kinds carry the same markers in their OpenAPI; their hand-written
  validation and server-side apply reject such duplicates too (containers, ports, volumes...).

A `Shape` is compiled once per schema (following `$ref`s across the registered documents) and keeps only
the nodes that lead to a list-type array, so checking a valid object walks a few paths, not the object.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin


@dataclass(eq=False)
class _Node:
    properties: dict[str, _Node] = field(default_factory=dict)
    additional: _Node | None = None
    items: _Node | None = None
    list_type: str | None = None
    map_keys: tuple[str, ...] = ()
    nullable: bool = True
    default: Any = None
    has_default: bool = False
    #: defaults of properties, applied when the property is missing
    defaults: dict[str, Any] = field(default_factory=dict)
    #: True when this node or one below it is a list-type array
    lists: bool = False


#: id(schema node) -> (that node, kept alive so its id is never reused; its compiled form)
Memo = dict[int, tuple[Mapping[str, Any], _Node]]


@dataclass(frozen=True)
class Duplicate:
    path: str
    value: Any
    list_type: str
    keys: tuple[str, ...]

    @property
    def message(self) -> str:
        shown = json.dumps(self.value, sort_keys=True, default=str)
        if self.list_type == "set":
            return (f"{self.path}: Duplicate value: {shown}; this list is a set "
                    "(x-kubernetes-list-type: set): remove the repeated entry")
        keys = ", ".join(self.keys)
        return (f"{self.path}: Duplicate value: {shown}; entries of this list are keyed by {keys} "
                "(x-kubernetes-list-type: map): give each entry a unique "
                f"{'value' if len(self.keys) == 1 else 'combination'} of {keys} or merge them")


class Shape:
    """The structural facts of one compiled schema."""

    def __init__(self, schema: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]],
                 memo: Memo | None = None) -> None:
        """`memo`, shared by the shapes of one validator, compiles a definition many kinds use (PodSpec, in
        Deployment, StatefulSet, Job...) once."""
        self._documents = documents
        self._memo: Memo = {} if memo is None else memo
        self._new: list[_Node] = []
        self.root = self._compile(schema, str(schema.get("$id", "")))
        _mark_lists(self._new)
        del self._new

    # ----------------------------------------------------------------- compile
    def _resolve(self, node: Mapping[str, Any], base: str) -> tuple[Mapping[str, Any], str]:
        seen = 0
        while isinstance(node.get("$ref"), str) and seen < 64:
            seen += 1
            target = urljoin(base, node["$ref"])
            uri, _, pointer = target.partition("#")
            document = self._documents.get(uri)
            if document is None:
                return {}, base
            found: Any = document
            for part in [p for p in pointer.split("/") if p]:
                part = part.replace("~1", "/").replace("~0", "~")
                found = found.get(part) if isinstance(found, Mapping) else None
            if not isinstance(found, Mapping):
                return {}, base
            node, base = found, uri
        return node, base

    def _compile(self, raw: Mapping[str, Any], base: str) -> _Node:
        schema, base = self._resolve(raw, base)
        known = self._memo.get(id(schema))
        if known is not None:
            return known[1]
        node = _Node()
        self._memo[id(schema)] = (schema, node)
        self._new.append(node)
        kind = schema.get("type")
        types = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
        node.nullable = not types or "null" in types or schema.get("nullable") is True
        if "default" in schema:
            node.has_default, node.default = True, schema["default"]
        if schema.get("x-kubernetes-list-type") in ("set", "map"):
            node.list_type = schema["x-kubernetes-list-type"]
            node.map_keys = tuple(schema.get("x-kubernetes-list-map-keys") or ())
        for name, child in (schema.get("properties") or {}).items():
            if isinstance(child, Mapping):
                sub = self._compile(child, base)
                node.properties[name] = sub
                if sub.has_default:
                    node.defaults[name] = sub.default
        for key in ("additionalProperties", "items"):
            child = schema.get(key)
            if isinstance(child, Mapping):
                setattr(node, "additional" if key == "additionalProperties" else "items", self._compile(child, base))
        # a $ref next to a "description" (OpenAPI's way) or allOf with one $ref: the referenced node decides
        for branch in schema.get("allOf") or ():
            if isinstance(branch, Mapping) and "$ref" in branch:
                merged = self._compile(branch, base)
                node.properties = {**merged.properties, **node.properties}
                node.additional = node.additional or merged.additional
                node.items = node.items or merged.items
                node.list_type = node.list_type or merged.list_type
                node.map_keys = node.map_keys or merged.map_keys
        return node

    # ----------------------------------------------------------------- list types
    def duplicates(self, obj: Any) -> list[Duplicate]:
        if not self.root.lists:
            return []
        return list(_duplicates(self.root, obj, ""))

    # ----------------------------------------------------------------- nulls and defaults
    def normalise(self, obj: Any) -> tuple[Any, bool]:
        """A copy with non-nullable nulls dropped and defaults applied, as the API server does before it
        validates; and whether anything changed."""
        copied = copy.deepcopy(obj)
        return copied, _normalise(self.root, copied)


def _mark_lists(nodes: list[_Node]) -> None:
    """Set `lists` on these nodes (newly compiled; nodes compiled before them are final and never point at
    them): a fixpoint, as schemas may be recursive through $ref."""
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node.lists:
                continue
            children = [*node.properties.values(), node.additional, node.items]
            if node.list_type or any(c is not None and c.lists for c in children):
                node.lists = changed = True


def _child(node: _Node, name: str) -> _Node | None:
    return node.properties.get(name) or node.additional


def _duplicates(node: _Node, value: Any, path: str) -> Iterator[Duplicate]:
    if isinstance(value, dict):
        for name, child in value.items():
            sub = _child(node, name)
            if sub is not None and sub.lists:
                yield from _duplicates(sub, child, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        if node.list_type:
            yield from _list_duplicates(node, value, path)
        if node.items is not None and node.items.lists:
            for index, item in enumerate(value):
                yield from _duplicates(node.items, item, f"{path}[{index}]")


def _list_duplicates(node: _Node, items: list[Any], path: str) -> Iterator[Duplicate]:
    seen: set[str] = set()
    reported: set[str] = set()
    for index, item in enumerate(items):
        if node.list_type == "map":
            if not isinstance(item, dict):
                continue  # not an object: the JSON Schema check reports the type
            value: Any = {k: item[k] for k in node.map_keys if k in item}
        else:
            value = item
        key = json.dumps(value, sort_keys=True, default=str)
        if key in seen and key not in reported:
            reported.add(key)
            yield Duplicate(f"{path}[{index}]", value, node.list_type or "", node.map_keys)
        seen.add(key)


def _normalise(node: _Node | None, value: Any) -> bool:
    changed = False
    if node is None:
        return False
    if isinstance(value, dict):
        for name in list(value):
            sub = _child(node, name)
            if value[name] is None and sub is not None and not sub.nullable:
                if sub.has_default:
                    value[name] = copy.deepcopy(sub.default)
                else:
                    del value[name]
                changed = True
            elif _normalise(sub, value[name]):
                changed = True
        for name, default in node.defaults.items():
            if name not in value:
                value[name] = copy.deepcopy(default)
                changed = True
    elif isinstance(value, list) and node.items is not None:
        for item in value:
            changed = _normalise(node.items, item) or changed
    return changed


__all__ = ["Duplicate", "Shape"]

"""`data.inventory`: the objects Gatekeeper syncs into OPA for referential templates.

Gatekeeper keys a synced object by its scope:
`cluster[<apiVersion>][<kind>][<name>]` for cluster-scoped objects and
`namespace[<namespace>][<apiVersion>][<kind>][<name>]` for namespaced ones, where <apiVersion> is
the group/version string (`v1`, `apps/v1`). Namespaces synced this way also feed the namespace
cache that `namespaceSelector` is evaluated against.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from genai_gitops.manifests.scope import is_cluster_scoped
from genai_gitops.validators.gatekeeper.objects import group_version_kind, name_of, namespace_of


class InventoryError(ValueError):
    """An object Gatekeeper would refuse to sync (no version or kind)."""


def _json_default(value: Any) -> str:
    # YAML 1.1 loaders turn unquoted dates into date objects; Kubernetes sees them as strings
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=_json_default)


class Inventory:
    """The synced objects of one evaluation: a case's inventory files, or a whole rendered target."""

    def __init__(self, objects: Iterable[Mapping[str, Any]] = ()) -> None:
        self._tree: dict[str, dict[str, Any]] = {}
        self._namespaces: dict[str, Mapping[str, Any]] = {}
        self._namespace_json: dict[str, tuple[Mapping[str, Any], str]] = {}
        self._json: str | None = None
        self._projected: dict[frozenset[tuple[str, str]], str] = {}
        self._size = 0
        for obj in objects:
            self.add(obj)

    def add(self, obj: Mapping[str, Any]) -> None:
        api_version = str(obj.get("apiVersion") or "")
        kind = str(obj.get("kind") or "")
        name, namespace = name_of(obj), namespace_of(obj)
        if namespace and is_cluster_scoped(api_version, kind):
            namespace = ""  # as the API server stores it: a stray namespace on a cluster-scoped kind is dropped
        version = group_version_kind(obj)[1]
        if not version:
            raise InventoryError(f"resource {name} has no version")
        if not kind:
            raise InventoryError(f"resource {name} has no kind")
        path = ["namespace", namespace, api_version, kind] if namespace else ["cluster", api_version, kind]
        node: dict[str, Any] = self._tree
        for key in path:
            node = node.setdefault(key, {})
        if name not in node:
            self._size += 1
        node[name] = obj
        if kind == "Namespace" and api_version == "v1" and not namespace:
            self._namespaces[name] = obj
        self._json = None
        self._projected.clear()

    def namespace(self, name: str) -> Mapping[str, Any] | None:
        """The synced Namespace object of that name, if any."""
        return self._namespaces.get(name)

    def namespace_json(self, name: str) -> str | None:
        """`to_json` of that Namespace, made once: every review in the namespace embeds it."""
        obj = self._namespaces.get(name)
        if obj is None:
            return None
        cached = self._namespace_json.get(name)
        if cached is None or cached[0] is not obj:
            cached = (obj, to_json(obj))
            self._namespace_json[name] = cached
        return cached[1]

    def to_data(self) -> dict[str, Any]:
        return self._tree

    def to_json(self, kinds: frozenset[tuple[str, str]] | None = None) -> str:
        """The inventory as JSON, serialised once per content (every template engine loads it);
        with `kinds`, only the objects of those (scope, kind) pairs (projection.py says when a
        template cannot tell the difference)."""
        if kinds is None:
            if self._json is None:
                self._json = to_json(self._tree)
            return self._json
        cached = self._projected.get(kinds)
        if cached is None:
            cached = self._projected[kinds] = to_json(self._projection(kinds))
        return cached

    def _projection(self, kinds: frozenset[tuple[str, str]]) -> dict[str, Any]:
        wanted = {scope: {kind for where, kind in kinds if where == scope} for scope in ("namespace", "cluster")}
        namespaces = {}
        for namespace, versions in self._tree.get("namespace", {}).items():
            kept = _keep(versions, wanted["namespace"])
            if kept:
                namespaces[namespace] = kept
        cluster = _keep(self._tree.get("cluster", {}), wanted["cluster"])
        tree: dict[str, Any] = {}
        for scope in self._tree:  # in the order the full tree has them
            part = namespaces if scope == "namespace" else cluster
            if part:
                tree[scope] = part
        return tree

    def __len__(self) -> int:
        return self._size


def _keep(versions: dict[str, Any], kinds: set[str]) -> dict[str, Any]:
    """{apiVersion: {kind: objects}} with only `kinds`, and no version left empty."""
    kept = {}
    for version, by_kind in versions.items():
        chosen = {kind: objects for kind, objects in by_kind.items() if kind in kinds}
        if chosen:
            kept[version] = chosen
    return kept

"""Stable, sanitised identifiers for graph nodes and groups (Mermaid and DOT alike).

An id is `[A-Za-z0-9_]` only and unique; two names that sanitise alike get numbered suffixes in
the order they are first asked for, so the output is deterministic for a given graph.
"""

from __future__ import annotations

import re

from genai_gitops.graph.model import Node
from genai_gitops.validators.isolation.connectivity import Endpoint

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


class NodeIds:
    def __init__(self) -> None:
        self._ids: dict[tuple[str, ...], str] = {}
        self._taken: set[str] = set()

    def _id(self, prefix: str, *parts: str, key: tuple[str, ...] | None = None) -> str:
        key = (prefix, *parts) if key is None else (prefix, *key)
        if key not in self._ids:
            base = f"{prefix}_" + "__".join(_UNSAFE.sub("_", p).strip("_") or "x" for p in parts)
            candidate, n = base, 2
            while candidate in self._taken:
                candidate, n = f"{base}_{n}", n + 1
            self._taken.add(candidate)
            self._ids[key] = candidate
        return self._ids[key]

    def group(self, prefix: str, *parts: str) -> str:
        return self._id(prefix, *parts)

    def endpoint(self, cluster: str, endpoint: Endpoint) -> str:
        if endpoint.is_external:
            # addresses make long ids: the name (or a number) is enough, the key keeps blocks apart
            return self._id("ext", endpoint.name or "addresses", key=(endpoint.name, str(endpoint.addresses)))
        return self._id("wl", cluster, endpoint.namespace, endpoint.name)

    def node(self, node: Node) -> str:
        return self.endpoint(node.cluster, node.endpoint)

"""The kinds of `data.inventory` a template can read, when its Rego names them plainly.

A referential template is given the whole target as `data.inventory` (megabytes at scale), yet most
read one or two kinds: `data.inventory.namespace[ns][version].NetworkPolicy[name]`. When every
mention of `data` in the template and its libs is such a reference, down to a literal kind
(`.Kind` or `["Kind"]` at the kind level: `namespace[..][..]` then the kind, or `cluster[..]` then
the kind), nothing it evaluates can observe objects of other kinds, nor the containers left empty
without them (every read goes through a kind that is absent either way), so it is given only those
kinds. Any other mention (a bare `data.inventory`, `import data.inventory`, `data.lib`, a kind taken
from a variable, `data` in a comment or a string) answers None: the whole inventory, as Gatekeeper
gives it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: ("namespace" or "cluster", kind)
InventoryKind = tuple[str, str]

_DATA = re.compile(r"\bdata\b")
_DOTTED = re.compile(r"[ \t]*\.[ \t]*([A-Za-z_][A-Za-z0-9_]*)")
_OPEN = re.compile(r"[ \t]*\[")
_LITERAL = re.compile(r'\[[ \t]*"([A-Za-z_][A-Za-z0-9_]*)"[ \t]*\]')
#: how many keys stand between the scope and the kind: namespace[ns][version], cluster[version]
_KEYS_BEFORE_KIND = {"namespace": 2, "cluster": 1}
_ANY = ""  # a segment that is not a literal name


def inventory_kinds(sources: Iterable[str]) -> frozenset[InventoryKind] | None:
    """The (scope, kind) pairs the sources can read from `data.inventory`; None: possibly anything."""
    kinds: set[InventoryKind] = set()
    for source in sources:
        for mention in _DATA.finditer(source):
            if source[mention.start() - 1:mention.start()] == ".":
                continue  # a field named data (`obj.data`), not the root document
            kind = _kind_read(source, mention.end())
            if kind is None:
                return None
            kinds.add(kind)
    return frozenset(kinds)


def _kind_read(text: str, pos: int) -> InventoryKind | None:
    """The kind a reference starting after `data` reads, if it is `inventory.<scope>[..]...<Kind>`."""
    segments: list[str] = []
    while len(segments) < 5:
        segment, pos = _segment(text, pos)
        if segment is None:
            break
        segments.append(segment)
    if len(segments) < 3 or segments[0] != "inventory" or segments[1] not in _KEYS_BEFORE_KIND:
        return None
    at = 2 + _KEYS_BEFORE_KIND[segments[1]]
    if len(segments) <= at or segments[at] == _ANY:
        return None
    return segments[1], segments[at]


def _segment(text: str, pos: int) -> tuple[str | None, int]:
    """One step of a reference: `.name` or `["name"]` (the name), `[expr]` (_ANY), else None."""
    dotted = _DOTTED.match(text, pos)
    if dotted:
        return dotted.group(1), dotted.end()
    opening = _OPEN.match(text, pos)
    if not opening:
        return None, pos
    literal = _LITERAL.match(text, opening.end() - 1)
    if literal:
        return literal.group(1), literal.end()
    end = _closing(text, opening.end())
    return (None, pos) if end is None else (_ANY, end)


def _closing(text: str, pos: int) -> int | None:
    """The position after the `]` closing a bracket opened just before `pos` (strings skipped)."""
    depth, quote = 1, ""
    while pos < len(text):
        char = text[pos]
        if quote:
            if char == "\\":
                pos += 1
            elif char == quote:
                quote = ""
        elif char in "\"`":
            quote = char
        elif char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
            if depth == 0:
                return pos + 1
        elif char == "\n":
            return None
        pos += 1
    return None

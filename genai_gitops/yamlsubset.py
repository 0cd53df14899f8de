"""A fast reader for the plain block YAML that synth and most people write, and nothing else.

libyaml through PyYAML costs about 0.4 ms per manifest, most of it building a Python node per value
and resolving every scalar in Python. Generated manifests use a small part of YAML: block mappings
and sequences, plain and single-quoted scalars, `|`/`|-` literal blocks, `{}`/`[]`. This module reads
exactly that part, line by line, and raises `Outside` on anything else: the caller (safeyaml) then
reads the document with libyaml, which gives the value or the exact refusal. So this path never
refuses, never reports and never guesses: it only answers when the answer cannot differ.

What makes it `Outside` (each is a place where YAML gets subtle or hostile):
- any character libyaml treats specially or refuses: tab, CR, NEL/LS/PS (YAML 1.1 line breaks),
  control characters, surrogates, a byte-order mark; a line ending in a space; no final newline;
- anchors, aliases, tags, merge keys, directives, flow collections other than `{}`/`[]`, quoted keys,
  `?` keys, double-quoted scalars with an escape, multi-line scalars other than `|`/`|-`, a comment
  after a value, a scalar that starts with an indicator;
- a key that is not a plain string once resolved (`on:`, `1:`, `null:`), a duplicate key, a key
  longer than libyaml's simple-key limit; a plain scalar `scalar` cannot build (it raises Outside).
Plain scalars are resolved by the caller with the same resolver and constructors as the libyaml
path (YAML 1.1 as Kubernetes reads it), so `yes`, `010` or `1_000` mean the same on both paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


class Outside(Exception):
    """The document uses YAML beyond this subset: read it with libyaml."""


#: a character outside the subset: anything but a line feed and printable characters, less NEL, LS
#: and PS (line breaks in YAML 1.1), surrogates and the byte-order mark
_REFUSED = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
#: a plain key and its colon, followed by a space or the end of the line
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./-]*):(?: |$)")
#: libyaml refuses a simple key longer than 1,024 characters; stay well below it
_KEY_MAX = 1000
#: a single-quoted scalar on one line: `''` is a quote, a lone `'` would end it
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
#: first characters of a plain scalar that are never an indicator (`-` is handled apart)
_PLAIN_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./$~+=(")
_MISS = object()


class SubsetReader:
    """Reads documents of the subset. `scalar` gives a plain scalar's value or raises Outside;
    `key_is_string` says whether a plain key resolves to a string. Both are memoised here (bounded:
    at most `memo_max` entries of at most `memo_length` characters), since the same keys and values
    repeat across thousands of manifests; only immutable values are memoised."""

    def __init__(self, scalar: Callable[[str], Any], key_is_string: Callable[[str], bool], *, max_depth: int,
                 memo_max: int = 100_000, memo_length: int = 200) -> None:
        self.scalar, self.key_is_string, self.max_depth = scalar, key_is_string, max_depth
        self.memo_max, self.memo_length = memo_max, memo_length
        #: text after `key: ` or `- ` (plain or quoted, one line) -> its value
        self.values: dict[str, Any] = {}
        #: keys known to resolve to themselves as strings
        self.keys: set[str] = set()
        #: a mapping entry's whole line -> (column of its key, key, text after `key: ` or None, value):
        #: most lines of generated manifests repeat exactly, from one tenant to the next
        self.lines: dict[str, tuple[int, str, str | None, Any]] = {}

    def parse(self, text: str) -> Any:
        """The value of the one document `text`, or Outside."""
        if not text.endswith("\n") or " \n" in text:  # a line ending in a space (or a line of spaces)
            raise Outside
        if text.isascii():
            if not text.replace("\n", "").isprintable():  # a tab, CR or another control character
                raise Outside
        elif _REFUSED.search(text):
            raise Outside
        lines = text.splitlines()  # the same as split("\n") now that no other line break is left
        document = _Document(self, lines)
        start = document.skip(0)
        if start == len(lines):
            return None  # only comments and empty lines: an empty document
        line = lines[start]
        value, end = document.node(start, len(line) - len(line.lstrip(" ")), 1)
        if document.skip(end) != len(lines):
            raise Outside  # a line less indented than the first: libyaml decides (an error)
        return value

    def remember(self, text: str, value: Any) -> None:
        if len(text) <= self.memo_length:
            if len(self.values) >= self.memo_max:
                self.values.clear()
            self.values[text] = value

    def remember_line(self, line: str, entry: tuple[int, str, str | None, Any]) -> None:
        if len(line) <= self.memo_length:
            if len(self.lines) >= self.memo_max:
                self.lines.clear()
            self.lines[line] = entry

    def check_key(self, key: str) -> None:
        if len(key) > _KEY_MAX or not self.key_is_string(key):
            raise Outside  # a key that is no string (`on:`, `1:`, `null:`), or too long for libyaml
        if len(key) <= self.memo_length:
            if len(self.keys) >= self.memo_max:
                self.keys.clear()
            self.keys.add(key)


class _Document:
    """One document's lines; every method takes the line index and column it starts at and returns
    the value read with the index of the first line after it."""

    def __init__(self, reader: SubsetReader, lines: list[str]) -> None:
        self.reader, self.lines = reader, lines

    def skip(self, p: int) -> int:
        """The first line from `p` that is neither empty nor a comment."""
        lines = self.lines
        while p < len(lines) and (not lines[p] or lines[p].lstrip(" ").startswith("#")):
            p += 1
        return p

    def node(self, p: int, col: int, depth: int) -> tuple[Any, int]:
        """The block collection whose first entry starts at line `p`, column `col`."""
        line = self.lines[p]
        if line.startswith("- ", col) or (len(line) == col + 1 and line[col] == "-"):
            return self.sequence(p, col, depth, indentless=False)
        return self.mapping(p, col, depth)  # Outside if no key starts there (a scalar on its own line)

    def after_key(self, p: int, col: int, depth: int) -> tuple[Any, int]:
        """The value of a key at column `col` on line `p` written with nothing after its colon."""
        lines = self.lines
        q = p + 1
        if q == len(lines):
            return None, q
        line = lines[q]
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            q = self.skip(q)
            if q == len(lines):
                return None, q
            line = lines[q]
            body = line.lstrip(" ")
        indent = len(line) - len(body)
        dash = body.startswith("- ") or body == "-"
        if indent > col:
            if dash:
                return self.sequence(q, indent, depth + 1, indentless=False)
            return self.mapping(q, indent, depth + 1)
        if indent == col and dash:
            return self.sequence(q, col, depth + 1, indentless=True)  # `key:` then `- item` below it
        return None, q  # an empty value is null

    def mapping(self, p: int, col: int, depth: int) -> tuple[dict[str, Any], int]:
        lines, reader = self.lines, self.reader
        values, keys, match_key, known = reader.values, reader.keys, _KEY.match, reader.lines.get
        if depth >= reader.max_depth:
            # libyaml's path refuses a document deeper than max_depth, naming the line; a `{}`/`[]` below
            # this collection would be one level more, so the last level is left to libyaml altogether
            raise Outside
        prefix = " " * col
        mapping: dict[str, Any] = {}
        line = lines[p]
        while True:
            entry = known(line)
            if entry is not None and entry[0] == col:  # a line read before: (column, key, text, value)
                key, text, value = entry[1], entry[2], entry[3]
                if key in mapping:
                    raise Outside  # a duplicate: libyaml's path refuses it, naming both lines
                if text is None:
                    value, p = self.after_key(p, col, depth)
                else:
                    p += 1
            else:
                match = match_key(line, col)
                if match is None:
                    raise Outside
                key = match.group(1)
                if key not in keys:
                    reader.check_key(key)
                if key in mapping:
                    raise Outside
                at = match.end()
                if at < len(line):
                    text = line[at:]
                    value = values.get(text, _MISS)
                    if value is not _MISS:
                        p += 1
                        reader.remember_line(line, (col, key, text, value))
                    else:
                        value, p = self.inline(p, text, col)
                        if text in values:  # a one-line scalar, immutable
                            reader.remember_line(line, (col, key, text, value))
                else:
                    reader.remember_line(line, (col, key, None, None))
                    value, p = self.after_key(p, col, depth)
            mapping[key] = value
            if p == len(lines):
                return mapping, p
            line = lines[p]
            if line.startswith(prefix) and line[col:col + 1] not in " #":
                continue  # the common case: the next key, at this mapping's column
            body = line.lstrip(" ")
            if not body or body[0] == "#":
                p = self.skip(p)
                if p == len(lines):
                    return mapping, p
                line = lines[p]
                body = line.lstrip(" ")
            indent = len(line) - len(body)
            if indent < col:
                return mapping, p
            if indent > col:
                raise Outside  # a continuation line or a mis-indented entry

    def sequence(self, p: int, col: int, depth: int, *, indentless: bool) -> tuple[list[Any], int]:
        lines, values, match_key = self.lines, self.reader.values, _KEY.match
        if depth >= self.reader.max_depth:
            raise Outside  # as in `mapping`: `{}`/`[]` below it would be a level deeper
        entry = " " * col + "- "
        items: list[Any] = []
        line = lines[p]
        while True:
            at = col + 2
            if len(line) == col + 1:  # a lone `-`: the item is on the following lines, or null
                q = self.skip(p + 1)
                indent = len(lines[q]) - len(lines[q].lstrip(" ")) if q < len(lines) else -1
                item, p = self.node(q, indent, depth + 1) if indent > col else (None, q)
            elif match_key(line, at):
                item, p = self.mapping(p, at, depth + 1)
            else:
                text = line[at:]
                item = values.get(text, _MISS)
                if item is not _MISS:
                    p += 1
                elif text.startswith(" "):
                    raise Outside  # more than one space after the dash
                elif text.startswith("- ") or text == "-":
                    item, p = self.sequence(p, at, depth + 1, indentless=False)
                else:
                    item, p = self.inline(p, text, col)
            items.append(item)
            if p == len(lines):
                return items, p
            line = lines[p]
            if line.startswith(entry):
                continue  # the common case: the next item, at this sequence's column
            body = line.lstrip(" ")
            if not body or body[0] == "#":
                p = self.skip(p)
                if p == len(lines):
                    return items, p
                line = lines[p]
                body = line.lstrip(" ")
            indent = len(line) - len(body)
            if indent < col:
                return items, p
            if indent > col:
                raise Outside
            if not (body.startswith("- ") or body == "-"):
                if indentless:
                    return items, p  # the mapping that holds this sequence goes on
                raise Outside

    def inline(self, p: int, text: str, parent: int) -> tuple[Any, int]:
        """The value of `text`, written after `key: ` or `- ` on line `p` in a collection at column
        `parent`, with the index of the line after it. Memoises what is immutable."""
        first = text[0]
        if first == "|":
            return self.literal(p, text, parent)
        if text == "{}":
            return {}, p + 1
        if text == "[]":
            return [], p + 1
        if first == "'":
            match = _SINGLE.fullmatch(text)
            if match is None:
                raise Outside  # a multi-line scalar or text after the closing quote
            value: Any = match.group(1).replace("''", "'")
        elif first == '"':
            if "\\" in text or text.find('"', 1) != len(text) - 1:
                raise Outside  # an escape, a multi-line scalar or text after the closing quote
            value = text[1:-1]
        elif first in _PLAIN_FIRST or first >= "\xa0" or (first == "-" and len(text) > 1 and text[1] != " "):
            if ": " in text or " #" in text or text.endswith(":"):
                raise Outside  # a mapping indicator (an error in libyaml) or a comment
            value = self.reader.scalar(text)
        else:
            raise Outside  # an indicator: anchor, alias, tag, flow collection, `>`, `?`, `%`, `@`...
        self.reader.remember(text, value)
        return value, p + 1

    def literal(self, p: int, header: str, parent: int) -> tuple[str, int]:
        """A `|` (clip) or `|-` (strip) block scalar in a collection at column `parent`: its lines are
        those at least as indented as its first non-empty line, which must be right of `parent`."""
        if header not in ("|", "|-"):
            raise Outside  # keep (`|+`), an indentation indicator, a comment after the header
        lines = self.lines
        q = p + 1
        while q < len(lines) and not lines[q]:
            q += 1
        if q == len(lines):
            raise Outside
        indent = len(lines[q]) - len(lines[q].lstrip(" "))
        if indent <= parent:
            raise Outside  # an empty block scalar: rare, and libyaml's rules for it are subtle
        prefix = " " * indent
        while q < len(lines) and (not lines[q] or lines[q].startswith(prefix)):
            q += 1
        end = q
        while not lines[end - 1]:
            end -= 1  # trailing empty lines are chomped, by both `|` and `|-`
        text = "\n".join(line[indent:] for line in lines[p + 1:end])
        return (text + "\n" if header == "|" else text), q

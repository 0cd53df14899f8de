"""Rewrite Rego so regorus reads it the way OPA (Gatekeeper's engine) does.

Every rewrite here is equivalent under OPA's semantics; each one exists because regorus 0.13 parses
or evaluates that construct differently:

- a v0 rule with several bodies (``p[x] { a } { b }``, OPA's shorthand for two rules with the same
  head) is rejected by regorus ("else cannot be used with set rules"): each extra body gets the
  head repeated in front of it;
- a line starting with ``(`` right after a line ending in a reference (``x.y\\n(a - b) > 1``) is
  read by regorus as a call ``x.y(a - b)``; OPA ends the expression at the newline: a ``;`` is
  inserted at the end of the first line;
- ``sprintf`` with fewer arguments than verbs fails in regorus; OPA formats the missing ones as
  Go does (``%!v(MISSING)``): when the format is a string literal and the arguments an array
  literal, the missing verbs are written into the format as that literal text.

The rewrites work on a small scanner that knows strings, raw strings, comments and brackets; they
never touch text inside strings or comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT_END = re.compile(r"[A-Za-z0-9_\]\)\"`]")
_VERB = re.compile(r"%(?:%|[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?([A-Za-z]))")
_SPRINTF = re.compile(r"\bsprintf\s*\(")


@dataclass
class _Edit:
    position: int
    text: str
    end: int | None = None  # replace source[position:end] when set, else insert


CODE, STRING, COMMENT = 0, 1, 2


def classify(source: str) -> list[int]:
    """CODE, STRING or COMMENT for each character (a string's quotes count as STRING)."""
    kinds = [CODE] * len(source)
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "#":
            while i < n and source[i] != "\n":
                kinds[i] = COMMENT
                i += 1
        elif ch in "\"`":
            kinds[i] = STRING
            i += 1
            while i < n and source[i] != ch:
                step = 2 if ch == '"' and source[i] == "\\" else 1
                kinds[i:i + step] = [STRING] * len(kinds[i:i + step])
                i += step
            if i < n:
                kinds[i] = STRING
            i += 1
        else:
            i += 1
    return kinds


def _code_mask(source: str) -> list[bool]:
    return [kind == CODE for kind in classify(source)]


def _apply(source: str, edits: list[_Edit]) -> str:
    out: list[str] = []
    last = 0
    for edit in sorted(edits, key=lambda e: e.position):
        out.append(source[last:edit.position])
        out.append(edit.text)
        last = edit.end if edit.end is not None else edit.position
    out.append(source[last:])
    return "".join(out)


def split_multi_body_rules(source: str) -> str:
    """``head { a } { b }`` -> ``head { a }\\nhead { b }`` (v0 only; v1 has no such shorthand)."""
    mask = _code_mask(source)
    edits: list[_Edit] = []
    depth = 0
    in_body = False  # the bracket open at depth 0 is a rule body
    head_start: int | None = None  # first code character of the current top-level statement
    head = ""  # head of the rule whose body is open (or was closed last)
    after_body = False  # a rule body just closed: a following "{" is another body of that rule
    for i, ch in enumerate(source):
        if not mask[i] or (depth == 0 and ch.isspace()):
            if depth == 0 and ch == "\n" and mask[i]:
                head_start = None
            continue
        if depth == 0:
            if after_body:
                after_body = False
                if ch == "{":
                    edits.append(_Edit(i, "\n" + head + " "))
                    depth, in_body = 1, True
                    continue
            if head_start is None:
                head_start = i
            if ch == "{":
                text = _without_comments(source, head_start, i)
                # `x = {` / `x := {` at depth 0 opens an object or set literal, not a rule body
                in_body = bool(text) and not text.endswith(("=", ",", "(", "[", "|"))
                head = text if in_body else ""
            if ch in "([{":
                depth = 1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and in_body:
                in_body, after_body, head_start = False, True, None
    return _apply(source, edits)


def _without_comments(source: str, start: int, end: int) -> str:
    kinds = classify(source[start:end])
    return "".join(ch for ch, kind in zip(source[start:end], kinds, strict=True) if kind != COMMENT).strip()


def end_expressions_before_parenthesis(source: str) -> str:
    """Put ``;`` after a body line ending in a reference when the next line starts with ``(``."""
    mask = _code_mask(source)
    edits: list[_Edit] = []
    stack: list[str] = []
    last_code = -1  # index of the last code character seen
    line_has_code = False
    for i, ch in enumerate(source):
        if not mask[i]:
            if source[i] == "\n":
                line_has_code = False
            continue
        if ch == "\n":
            line_has_code = False
            continue
        if ch.isspace():
            continue
        if (ch == "(" and not line_has_code and stack and stack[-1] == "{" and last_code >= 0
                and _IDENT_END.match(source[last_code]) and "\n" in source[last_code:i]):
            edits.append(_Edit(last_code + 1, ";"))
        line_has_code = True
        if ch in "([{":
            stack.append(ch)
        elif ch in ")]}" and stack:
            stack.pop()
        last_code = i
    return _apply(source, edits)


def fill_missing_sprintf_arguments(source: str) -> str:
    """Write Go's ``%!v(MISSING)`` into literal formats that have more verbs than literal arguments."""
    mask = _code_mask(source)
    edits: list[_Edit] = []
    for call in _SPRINTF.finditer(source):
        if not mask[call.start()]:
            continue
        fmt_start = _skip_space(source, call.end())
        if fmt_start >= len(source) or source[fmt_start] != '"':
            continue
        fmt_end = fmt_start + 1
        while fmt_end < len(source) and source[fmt_end] != '"':
            fmt_end += 2 if source[fmt_end] == "\\" else 1
        comma = _skip_space(source, fmt_end + 1)
        if comma >= len(source) or source[comma] != ",":
            continue
        array_start = _skip_space(source, comma + 1)
        if array_start >= len(source) or source[array_start] != "[":
            continue
        count = _count_array_items(source, mask, array_start)
        if count is None:
            continue
        literal = source[fmt_start + 1:fmt_end]
        verbs = [m for m in _VERB.finditer(literal) if m.group(1)]
        if len(verbs) <= count:
            continue
        rewritten, last = [], 0
        for verb in verbs[count:]:
            rewritten.append(literal[last:verb.start()])
            rewritten.append(f"%%!{verb.group(1)}(MISSING)")
            last = verb.end()
        rewritten.append(literal[last:])
        edits.append(_Edit(fmt_start + 1, "".join(rewritten), end=fmt_end))
    return _apply(source, edits)


def _skip_space(source: str, i: int) -> int:
    while i < len(source) and source[i].isspace():
        i += 1
    return i


def _count_array_items(source: str, mask: list[bool], start: int) -> int | None:
    """Number of top-level items of the array literal opening at `start`; None for a comprehension."""
    depth, items, has_item = 0, 0, False
    for i in range(start, len(source)):
        ch = source[i]
        if not mask[i]:
            if depth == 1 and source[i] in "\"`":
                has_item = True
            continue
        if ch in "([{":
            depth += 1
            if depth > 1:
                has_item = True
            continue
        if ch in ")]}":
            depth -= 1
            if depth == 0:
                return items + (1 if has_item else 0)
            continue
        if depth == 1:
            if ch == "|":
                return None
            if ch == ",":
                items += 1
                has_item = False
            elif not ch.isspace():
                has_item = True
    return None


def normalise_rego(source: str, version: str = "v0") -> str:
    """All rewrites that apply to a module of the given Rego version."""
    if version != "v1":
        source = split_multi_body_rules(source)
    source = end_expressions_before_parenthesis(source)
    return fill_missing_sprintf_arguments(source)

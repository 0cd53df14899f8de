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
  literal, the missing verbs are written into the format as that literal text;
- OPA's compiler binds the reference and call operands of a call expression to variables before
  the expression (``not f(x.y)`` runs as ``v := x.y; not f(v)``), so under ``not`` an undefined
  operand makes the body undefined; regorus negates the undefined call and succeeds. The operands
  of negated calls and comparisons are bound the same way (``__gk_operand_N``).

Without these, 267 of the 270 cases of the public gatekeeper-library's suites pass (each rewrite is
needed by at least one case); with them, all 270.

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


_NON_CODE = re.compile(r'#[^\n]*|"(?:[^"\\\n]|\\.)*"?|`[^`]*`?')


def classify(source: str) -> list[int]:
    """CODE, STRING or COMMENT for each character (a string's quotes count as STRING)."""
    kinds = [CODE] * len(source)
    for match in _NON_CODE.finditer(source):
        kind = COMMENT if match.group().startswith("#") else STRING
        kinds[match.start():match.end()] = [kind] * (match.end() - match.start())
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


_NOT = re.compile(r"(?<![\w.])not\s")
_CALL_HEAD = re.compile(r"[A-Za-z_][\w.]*\s*\(")
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
_LITERALS = frozenset({"true", "false", "null", "_"})


def hoist_negated_operands(source: str) -> str:
    """``not f(a.b)`` -> ``__gk_operand_1 := a.b; not f(__gk_operand_1)``, as OPA's compiler does.

    OPA binds the reference and call operands of a call expression (`f(x.y)`, `x.y == 1`,
    `"a" in x.y`) to variables *before* the expression, so under `not` an undefined operand makes
    the whole body undefined; regorus negates the undefined call instead, which yields a violation
    OPA never reports. Unification (`=`) and `with` expressions are left alone.
    """
    mask = _code_mask(source)
    edits: list[_Edit] = []
    counter, edited_until = 0, -1
    stack: list[list[str | bool]] = []  # [bracket, seen "|"] per open bracket
    for i, ch in enumerate(source):
        if not mask[i]:
            continue
        if ch in "([{":
            stack.append([ch, False])
        elif ch in ")]}":
            if stack:
                stack.pop()
        elif ch == "|" and stack and source[i + 1:i + 2] != "|":
            stack[-1][1] = True
        elif ch == "n" and i >= edited_until and _NOT.match(source, i) and _starts_statement(source, mask, i, stack):
            end = _expression_end(source, mask, i + 3)
            expression = source[i + 3:end]
            spans = _operand_spans(expression)
            if not spans:
                continue
            hoisted, rewritten, last = [], [], 0
            for start, stop in spans:
                counter += 1
                name = f"__gk_operand_{counter}"
                hoisted.append(f"{name} := {expression[start:stop].strip()}; ")
                rewritten.append(expression[last:start])
                rewritten.append(name)
                last = stop
            rewritten.append(expression[last:])
            edits.append(_Edit(i, "".join(hoisted) + "not" + "".join(rewritten), end=end))
            edited_until = end
    return _apply(source, edits)


def _starts_statement(source: str, mask: list[bool], i: int, stack: list[list[str | bool]]) -> bool:
    j = i - 1
    newline = False
    while j >= 0 and (not mask[j] or source[j].isspace()):
        newline = newline or source[j] == "\n"
        j -= 1
    if j < 0:
        return False
    if source[j] in "{;|":
        return True
    return newline and bool(stack) and (stack[-1][0] == "{" or bool(stack[-1][1]))


def _expression_end(source: str, mask: list[bool], start: int) -> int:
    depth, last = 0, start
    for i in range(start, len(source)):
        ch = source[i]
        if not mask[i]:
            if ch in "\"`":
                last = i + 1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and ch in ";\n":
            break
        if not ch.isspace():
            last = i + 1
    return last


def _operand_spans(expression: str) -> list[tuple[int, int]]:
    """Spans (in `expression`) of the operands to bind before a negated call expression."""
    mask = _code_mask(expression)
    depth, comparison = 0, None
    i = 0
    while i < len(expression):
        ch = expression[i]
        if mask[i]:
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif depth == 0:
                if expression.startswith(":=", i) or (ch == "=" and expression[i - 1:i] not in ("=", "!", "<", ">")
                                                      and expression[i + 1:i + 2] != "="):
                    return []  # assignment or unification: OPA does not bind its operands
                if re.match(r"with\s", expression[i:]) and not re.match(r"\w", expression[i - 1:i] or " "):
                    return []
                op = next((o for o in _COMPARISONS if expression.startswith(o, i)), None)
                if op is None and re.match(r"(?<!\w)in\s", expression[i:]) and not re.match(
                        r"\w", expression[i - 1:i] or " "):
                    op = "in"
                if op is not None and comparison is None:
                    comparison = (i, i + len(op))
                    i += len(op)
                    continue
        i += 1
    if comparison is not None:
        candidates = [(0, comparison[0]), (comparison[1], len(expression))]
    else:
        head = _CALL_HEAD.match(expression.lstrip())
        if head is None:
            return []
        offset = len(expression) - len(expression.lstrip())
        open_paren = offset + head.end() - 1
        close = _matching(expression, mask, open_paren)
        if close is None or expression[close + 1:].strip():
            return []
        candidates = _split_arguments(expression, mask, open_paren + 1, close)
    trimmed = []
    for start, stop in candidates:
        text = expression[start:stop]
        lead = len(text) - len(text.lstrip())
        trimmed.append((start + lead, start + lead + len(text.strip())))
    return [(start, stop) for start, stop in trimmed if _needs_binding(expression[start:stop])]


def _matching(text: str, mask: list[bool], open_index: int) -> int | None:
    depth = 0
    for i in range(open_index, len(text)):
        if not mask[i]:
            continue
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return None


def _split_arguments(text: str, mask: list[bool], start: int, stop: int) -> list[tuple[int, int]]:
    spans, depth, begin = [], 0, start
    for i in range(start, stop):
        if not mask[i]:
            continue
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
        elif text[i] == "," and depth == 0:
            spans.append((begin, i))
            begin = i + 1
    if text[begin:stop].strip():
        spans.append((begin, stop))
    return spans


def _needs_binding(operand: str) -> bool:
    """References, calls and arithmetic; not literals, composites, comprehensions or `_`."""
    text = operand.strip()
    if not text or text in _LITERALS:
        return False
    return text[0] == "(" or text[0].isalpha() or text[0] == "_"


def normalise_rego(source: str, version: str = "v0") -> str:
    """All rewrites that apply to a module of the given Rego version."""
    if version != "v1":
        source = split_multi_body_rules(source)
    source = end_expressions_before_parenthesis(source)
    source = hoist_negated_operands(source)
    return fill_missing_sprintf_arguments(source)

"""Go `text/template` for the subset ApplicationSets use, with the Sprig functions Argo CD offers.

Argo CD renders every string of an ApplicationSet template (and `templatePatch`) with Go's
text/template, Sprig's generic function map (minus `env`, `expandenv`, `getHostByName`) and its own
`normalize`, `slugify`, `toYaml`, `fromYaml`, `fromYamlArray`. This module follows Go's semantics
where they show in output: `missingkey` handling, `<no value>` for missing values, `fmt` printing of
numbers, maps and lists, the type checks Go applies to function arguments, whitespace trim markers.

What it does not implement is refused with `UnsupportedTemplateFeature` naming the construct or the
function, never approximated: an offline preview that silently differs from the controller is worse
than none. A template Go itself rejects (unknown function, missing key under `missingkey=error`)
raises `TemplateError` with Go's wording.

Values use Python types in the roles of Go's: `dict` is `map[string]interface{}`, `list` is
`[]interface{}`, `int`/`float` are `int`/`float64`, `None` is a nil interface. The generators hand
over `StringMap` (`map[string]string`: cluster labels, `values`) and `StringList` (`[]string`:
`path.segments`) where Argo CD does, because Go's `index` returns "" (not `<no value>`) for a key a
`map[string]string` lacks.
"""

from __future__ import annotations

import base64
import json
import math
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

import yaml

__all__ = ["MISSING_KEY_OPTIONS", "StringList", "StringMap", "TemplateError", "UnsupportedTemplateFeature",
           "normalize", "parse", "render"]


class TemplateError(ValueError):
    """The template does not parse or execute; Argo CD's controller fails on it the same way."""


class UnsupportedTemplateFeature(TemplateError):
    """Valid Go template this renderer does not implement; the message names the construct."""


class StringMap(dict[str, str]):
    """A Go `map[string]string` (cluster labels and annotations, generator `values`)."""


class StringList(list[str]):
    """A Go `[]string` (`path.segments`)."""


class _Missing:
    """Go's invalid reflect.Value: a key a map lacks (`missingkey=default`), or a nil interface."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<no value>"


MISSING: Final = _Missing()
_NO_FINAL: Final = object()  # no value piped into the command (Go's missingVal)

#: goTemplateOptions `missingkey=...` values Go accepts ("invalid" is an alias of "default")
MISSING_KEY_OPTIONS = ("default", "invalid", "zero", "error")

_SPACE = " \t\r\n"


# ---------------------------------------------------------------------------------------------
# Lexing
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # space ( ) | := = , field dot var ident keyword bool number string char
    value: str
    pos: int


_KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "template", "block", "break",
                       "continue", "nil"})
_ALNUM = re.compile(r"[A-Za-z0-9_]*")
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?"
    r"|0[bB][01_]+|0[oO][0-7_]+"
    r"|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?)i?")
_TERMINATORS = frozenset(" \t\r\n.,|:()")


class _Lexer:
    def __init__(self, source: str) -> None:
        self.src = source

    def error(self, pos: int, message: str) -> TemplateError:
        line = self.src.count("\n", 0, pos) + 1
        return TemplateError(f"template: {line}: {message}")

    def items(self) -> Iterator[tuple[str, Any, int]]:
        """("text", str, pos) and ("action", [tokens], pos), trim markers applied, comments dropped."""
        src, pos, pending_trim = self.src, 0, False
        while True:
            start = src.find("{{", pos)
            text = src[pos:] if start < 0 else src[pos:start]
            left_trim = start >= 0 and src.startswith("-", start + 2) and len(src) > start + 3 \
                and src[start + 3] in _SPACE
            if pending_trim:
                text = text.lstrip(_SPACE)
            if left_trim:
                text = text.rstrip(_SPACE)
            if text:
                yield "text", text, pos
            if start < 0:
                return
            inner = start + 2 + (2 if left_trim else 0)
            comment_end = self._comment_end(inner)
            if comment_end is not None:
                pos, pending_trim = comment_end
                continue
            tokens, pos, pending_trim = self._action(inner)
            yield "action", tokens, start

    def _at_right_delim(self, i: int) -> tuple[bool, bool, int]:
        src = self.src
        if i + 1 < len(src) and src[i] in _SPACE and src[i + 1] == "-" and src.startswith("}}", i + 2):
            return True, True, i + 4
        if src.startswith("}}", i):
            return True, False, i + 2
        return False, False, i

    def _comment_end(self, i: int) -> tuple[int, bool] | None:
        if not self.src.startswith("/*", i):
            return None
        end = self.src.find("*/", i + 2)
        if end < 0:
            raise self.error(i, "unclosed comment")
        at, trim, after = self._at_right_delim(end + 2)
        if not at:
            raise self.error(i, "comment ends before closing delimiter")
        return after, trim

    def _action(self, i: int) -> tuple[list[_Tok], int, bool]:
        src, tokens = self.src, list[_Tok]()
        paren_depth = 0
        while True:
            at, trim, after = self._at_right_delim(i)
            if at and paren_depth == 0:
                return tokens, after, trim
            if at:
                raise self.error(i, "unclosed left paren")
            if i >= len(src):
                raise self.error(i, "unclosed action")
            c = src[i]
            if c in _SPACE:
                j = i
                # the space of a trim-marked closing delimiter (` -}}`) belongs to the delimiter
                while j < len(src) and src[j] in _SPACE and not src.startswith("-}}", j + 1):
                    j += 1
                tokens.append(_Tok("space", src[i:j], i))
                i = j
            elif c == "=":
                tokens.append(_Tok("=", c, i))
                i += 1
            elif c == ":":
                if not src.startswith(":=", i):
                    raise self.error(i, "expected :=")
                tokens.append(_Tok(":=", ":=", i))
                i += 2
            elif c in "|,":
                tokens.append(_Tok(c, c, i))
                i += 1
            elif c == "(":
                paren_depth += 1
                tokens.append(_Tok("(", c, i))
                i += 1
            elif c == ")":
                paren_depth -= 1
                if paren_depth < 0:
                    raise self.error(i, "unexpected right paren")
                tokens.append(_Tok(")", c, i))
                i += 1
            elif c == '"':
                j = i + 1
                while True:
                    if j >= len(src) or src[j] == "\n":
                        raise self.error(i, "unterminated quoted string")
                    if src[j] == "\\":
                        j += 2
                        continue
                    if src[j] == '"':
                        break
                    j += 1
                tokens.append(_Tok("string", _unquote(src[i:j + 1], self, i), i))
                i = j + 1
            elif c == "`":
                j = src.find("`", i + 1)
                if j < 0:
                    raise self.error(i, "unterminated raw quoted string")
                tokens.append(_Tok("string", src[i + 1:j].replace("\r", ""), i))
                i = j + 1
            elif c == "'":
                j = i + 1
                while j < len(src) and src[j] != "'":
                    j += 2 if src[j] == "\\" else 1
                if j >= len(src):
                    raise self.error(i, "unterminated character constant")
                tokens.append(_Tok("char", src[i:j + 1], i))
                i = j + 1
            elif c in "$.":
                if c == "." and i + 1 < len(src) and src[i + 1].isdigit():
                    i = self._number(tokens, i)
                    continue
                m = _ALNUM.match(src, i + 1)
                assert m is not None
                j = m.end()
                if j < len(src) and src[j] not in _TERMINATORS and not self._at_right_delim(j)[0]:
                    raise self.error(j, f"bad character {src[j]!r}")
                name = src[i:j]
                kind = ("dot" if name == "." else "field") if c == "." else "var"
                tokens.append(_Tok(kind, name, i))
                i = j
            elif c in "+-" or c.isdigit():
                i = self._number(tokens, i)
            elif c.isalpha() or c == "_":
                m = _ALNUM.match(src, i)
                assert m is not None
                j = m.end()
                if j < len(src) and src[j] not in _TERMINATORS and not self._at_right_delim(j)[0]:
                    raise self.error(j, f"bad character {src[j]!r}")
                word = src[i:j]
                kind = "keyword" if word in _KEYWORDS else "bool" if word in ("true", "false") else "ident"
                tokens.append(_Tok(kind, word, i))
                i = j
            else:
                raise self.error(i, f"unrecognized character in action: {c!r}")

    def _number(self, tokens: list[_Tok], i: int) -> int:
        m = _NUMBER.match(self.src, i)
        if m is None or m.end() == i or m.group() in ("+", "-"):
            raise self.error(i, f"bad number syntax: {self.src[i:i + 10]!r}")
        j = m.end()
        if j < len(self.src) and (self.src[j].isalnum() or self.src[j] == "_"):
            raise self.error(i, f"bad number syntax: {self.src[i:j + 1]!r}")
        tokens.append(_Tok("number", m.group(), i))
        return j


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
            '"': '"', "'": "'"}


def _unquote(literal: str, lexer: _Lexer, pos: int) -> str:
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1] if i + 1 < len(body) else ""
        if e in _ESCAPES and e != "'":
            out.append(_ESCAPES[e])
            i += 2
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise lexer.error(pos, f"invalid syntax in string {literal}")
            out.append(chr(int(digits, 16)) if e != "x" else bytes([int(digits, 16)]).decode("latin-1"))
            i += 2 + width
        elif e in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not all(d in "01234567" for d in digits):
                raise lexer.error(pos, f"invalid syntax in string {literal}")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise lexer.error(pos, f"invalid syntax in string {literal}")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Parse tree
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Number:
    text: str
    int_value: int | None
    float_value: float | None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class _String:
    value: str

    def __str__(self) -> str:
        return json.dumps(self.value)


@dataclass(frozen=True, slots=True)
class _Bool:
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(frozen=True, slots=True)
class _Nil:
    def __str__(self) -> str:
        return "nil"


@dataclass(frozen=True, slots=True)
class _Dot:
    def __str__(self) -> str:
        return "."


@dataclass(frozen=True, slots=True)
class _Field:
    names: tuple[str, ...]

    def __str__(self) -> str:
        return "".join(f".{n}" for n in self.names)


@dataclass(frozen=True, slots=True)
class _Variable:
    names: tuple[str, ...]  # ("$x", "a", "b") for $x.a.b

    def __str__(self) -> str:
        return self.names[0] + "".join(f".{n}" for n in self.names[1:])


@dataclass(frozen=True, slots=True)
class _Identifier:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class _Chain:
    node: Any
    names: tuple[str, ...]

    def __str__(self) -> str:
        inner = f"({self.node})" if isinstance(self.node, _Pipe) else str(self.node)
        return inner + "".join(f".{n}" for n in self.names)


@dataclass(frozen=True, slots=True)
class _Command:
    args: tuple[Any, ...]

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, _Pipe) else str(a) for a in self.args)


@dataclass(frozen=True, slots=True)
class _Pipe:
    decls: tuple[str, ...]
    is_assign: bool
    commands: tuple[_Command, ...]

    def __str__(self) -> str:
        decl = f"{', '.join(self.decls)} {'=' if self.is_assign else ':='} " if self.decls else ""
        return decl + " | ".join(str(c) for c in self.commands)


@dataclass(frozen=True, slots=True)
class _Text:
    text: str


@dataclass(frozen=True, slots=True)
class _Action:
    pipe: _Pipe


@dataclass(slots=True)
class _Branch:
    kind: str  # if | with | range
    pipe: _Pipe
    body: list[Any] = field(default_factory=list)
    orelse: list[Any] | None = None


_UNSUPPORTED_KEYWORDS = {
    "define": "{{define}} (named templates)", "template": "{{template}} (named templates)",
    "block": "{{block}} (named templates)", "break": "{{break}}", "continue": "{{continue}}",
}


class _Parser:
    def __init__(self, source: str, functions: frozenset[str]) -> None:
        self.lexer = _Lexer(source)
        self.functions = functions
        self.vars: list[str] = ["$"]
        self.toks: list[_Tok] = []
        self.i = 0
        self.action_pos = 0

    # -- token helpers ----------------------------------------------------------------------
    def error(self, message: str) -> TemplateError:
        return self.lexer.error(self.action_pos, message)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> _Tok | None:
        tok = self.peek()
        self.i += 1
        return tok

    def skip_space(self) -> None:
        while (tok := self.peek()) is not None and tok.kind == "space":
            self.i += 1

    def peek_non_space(self) -> _Tok | None:
        self.skip_space()
        return self.peek()

    # -- structure --------------------------------------------------------------------------
    def parse(self) -> list[Any]:
        items = list(self.lexer.items())
        root: list[Any] = []
        # open branches: (branch, variables to drop at {{end}}, variables an {{else}} keeps)
        stack: list[tuple[_Branch, int, int]] = []
        current = root
        for kind, value, pos in items:
            if kind == "text":
                current.append(_Text(value))
                continue
            self.toks, self.i, self.action_pos = value, 0, pos
            first = self.peek_non_space()
            if first is None:
                raise self.error("missing value for command")
            if first.kind == "keyword" and first.value != "nil":
                word = first.value
                self.next()
                if word in _UNSUPPORTED_KEYWORDS:
                    raise UnsupportedTemplateFeature(
                        f"{_UNSUPPORTED_KEYWORDS[word]} is not supported by the offline renderer")
                if word in ("if", "with", "range"):
                    depth = len(self.vars)
                    branch = _Branch(word, self.pipeline(word))
                    current.append(branch)
                    stack.append((branch, depth, len(self.vars)))
                    current = branch.body
                elif word == "end":
                    self.expect_end("end")
                    if not stack:
                        raise self.error("unexpected {{end}}")
                    _, depth, _ = stack.pop()
                    del self.vars[depth:]
                    current = self._open_list(stack, root)
                elif word == "else":
                    if not stack:
                        raise self.error("unexpected {{else}}")
                    branch, depth, keep = stack[-1]
                    if branch.orelse is not None:
                        raise self.error("expected end; found {{else}}")
                    # variables declared inside the body are gone; those of the pipeline stay
                    del self.vars[keep:]
                    nxt = self.peek_non_space()
                    if nxt is not None and nxt.kind == "keyword" and nxt.value in ("if", "with"):
                        if branch.kind == "range" or nxt.value != branch.kind:
                            raise self.error(f"unexpected {{{{else {nxt.value}}}}} in {branch.kind}")
                        # `else if x` is `else` + a nested `if x` closed by the same `end`
                        self.next()
                        nested = _Branch(nxt.value, self.pipeline(nxt.value))
                        branch.orelse = [nested]
                        stack[-1] = (nested, depth, len(self.vars))
                        current = nested.body
                    else:
                        self.expect_end("else")
                        branch.orelse = []
                        current = branch.orelse
            else:
                current.append(_Action(self.pipeline("command")))
        if stack:
            kind = stack[-1][0].kind
            raise self.lexer.error(len(self.lexer.src), f"unexpected EOF: {{{{{kind}}}}} has no {{{{end}}}}")
        return root

    @staticmethod
    def _open_list(stack: list[tuple[_Branch, int, int]], root: list[Any]) -> list[Any]:
        if not stack:
            return root
        branch = stack[-1][0]
        return branch.orelse if branch.orelse is not None else branch.body

    def expect_end(self, context: str) -> None:
        tok = self.peek_non_space()
        if tok is not None:
            raise self.error(f"unexpected {tok.value!r} in {context}")

    # -- pipelines --------------------------------------------------------------------------
    def pipeline(self, context: str, *, inner: bool = False) -> _Pipe:
        decls: list[str] = []
        is_assign = False
        start = self.i
        tok = self.peek_non_space()
        if tok is not None and tok.kind == "var":
            self.next()
            after = self.peek_non_space()
            if after is not None and after.kind in (":=", "="):
                self.next()
                decls, is_assign = [tok.value], after.kind == "="
            elif after is not None and after.kind == "," and context == "range":
                self.next()
                second = self.peek_non_space()
                if second is None or second.kind != "var":
                    raise self.error("range can only initialize variables")
                self.next()
                op = self.peek_non_space()
                if op is None or op.kind not in (":=", "="):
                    raise self.error("expected := or = after range variables")
                self.next()
                decls, is_assign = [tok.value, second.value], op.kind == "="
            else:
                self.i = start
        commands: list[_Command] = []
        while True:
            tok = self.peek_non_space()
            if tok is None or (inner and tok.kind == ")"):
                break
            commands.append(self.command(inner=inner))
            tok = self.peek()
            if tok is not None and tok.kind == "|":
                self.next()
                after = self.peek_non_space()
                if after is None or (inner and after.kind == ")"):
                    raise self.error("missing command after |")
        if not commands:
            raise self.error(f"missing value for {context}")
        for name in decls:
            if is_assign:
                if name not in self.vars:
                    raise self.error(f"undefined variable {name!r}")
            else:
                self.vars.append(name)
        for command in commands[1:]:
            first = command.args[0]
            if isinstance(first, (_Bool, _Dot, _Nil, _Number, _String)):
                raise self.error(f"non executable command in pipeline stage {commands.index(command) + 1}")
        return _Pipe(tuple(decls), is_assign, tuple(commands))

    def command(self, *, inner: bool) -> _Command:
        args: list[Any] = []
        while True:
            self.skip_space()
            args.append(self.operand())
            tok = self.peek()
            if tok is None or tok.kind == "|" or (inner and tok.kind == ")"):
                break
            if tok.kind == ")":
                raise self.error("unexpected right paren")
            if tok.kind != "space":
                raise self.error(f"unexpected {tok.value!r} in operand")
            self.skip_space()
            tok = self.peek()
            if tok is None or tok.kind == "|" or (inner and tok.kind == ")"):
                break
        return _Command(tuple(args))

    def operand(self) -> Any:
        node = self.term()
        tok = self.peek()
        if tok is not None and tok.kind == "field":
            names: list[str] = []
            while (tok := self.peek()) is not None and tok.kind == "field":
                names.append(tok.value[1:])
                self.next()
            if isinstance(node, _Field):
                return _Field(node.names + tuple(names))
            if isinstance(node, _Variable):
                return _Variable(node.names + tuple(names))
            if isinstance(node, (_Bool, _String, _Number, _Nil, _Dot)):
                raise self.error(f"unexpected . after term {str(node)!r}")
            return _Chain(node, tuple(names))
        return node

    def term(self) -> Any:
        tok = self.next()
        if tok is None:
            raise self.error("missing value")
        if tok.kind == "ident":
            if tok.value not in self.functions:
                raise self.error(f"function {tok.value!r} not defined")
            return _Identifier(tok.value)
        if tok.kind == "dot":
            return _Dot()
        if tok.kind == "keyword" and tok.value == "nil":
            return _Nil()
        if tok.kind == "var":
            if tok.value not in self.vars:
                raise self.error(f"undefined variable {tok.value!r}")
            return _Variable((tok.value,))
        if tok.kind == "field":
            return _Field((tok.value[1:],))
        if tok.kind == "bool":
            return _Bool(tok.value == "true")
        if tok.kind == "string":
            return _String(tok.value)
        if tok.kind in ("number", "char"):
            return self.number(tok)
        if tok.kind == "(":
            pipe = self.pipeline("parenthesized pipeline", inner=True)
            close = self.next()
            if close is None or close.kind != ")":
                raise self.error("unclosed left paren")
            return pipe
        raise self.error(f"unexpected {tok.value!r} in operand")

    def number(self, tok: _Tok) -> _Number:
        text = tok.value
        if tok.kind == "char":
            chars = _unquote('"' + text[1:-1].replace('"', '\\"') + '"', self.lexer, tok.pos)
            if len(chars) != 1:
                raise self.error(f"malformed character constant: {text}")
            return _Number(text, ord(chars), float(ord(chars)))
        if text.endswith("i"):
            raise UnsupportedTemplateFeature(f"complex number {text} is not supported by the offline renderer")
        clean = text.replace("_", "")
        int_value: int | None = None
        float_value: float | None = None
        try:
            body = clean.lstrip("+-")
            sign = -1 if clean.startswith("-") else 1
            # Go reads a leading 0 as octal, as C does
            int_value = sign * int(body, 8 if re.fullmatch(r"0[0-7]+", body) else 0)
        except ValueError:
            int_value = None
        try:
            float_value = float.fromhex(clean) if clean.lstrip("+-")[:2].lower() == "0x" else float(clean)
        except ValueError:
            float_value = None
        if int_value is None and float_value is not None and float_value.is_integer() \
                and any(c in clean for c in ".eEpP"):
            int_value = int(float_value)
        if int_value is not None and float_value is None:
            float_value = float(int_value)
        if int_value is None and float_value is None:
            raise self.error(f"illegal number syntax: {text!r}")
        if int_value is not None and not -(2 ** 63) <= int_value < 2 ** 63 and not any(c in clean for c in ".eEpP"):
            raise self.error(f"integer overflow: {text!r}")
        return _Number(text, int_value, float_value)


# ---------------------------------------------------------------------------------------------
# Printing values the way Go's fmt does
# ---------------------------------------------------------------------------------------------

def go_type(value: Any) -> str:
    if value is MISSING:
        return "<nil>"
    if value is None:
        return "interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, StringMap):
        return "map[string]string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, StringList):
        return "[]string"
    if isinstance(value, list):
        return "[]interface {}"
    return type(value).__name__


def _float_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits and decimal exponent (value = 0.d1d2... * 10**exp)."""
    _, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    return text, len(digits) + exponent


def format_float(value: float, *, json_style: bool = False) -> str:
    """Go's %v (strconv 'g' shortest: exponent form when the exponent is < -4 or >= 6, so a float64
    million prints as 1e+06) or encoding/json's (exponent form below 1e-6 and from 1e21)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    digits, point = _float_digits(abs(value))
    exp = point - 1
    use_exp = (abs(value) < 1e-6 or abs(value) >= 1e21) if json_style else (exp < -4 or exp >= 6)
    if use_exp:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        width = 1 if json_style else 2
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):0{width}d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def go_sprint_value(value: Any, *, top: bool = True) -> str:
    """fmt's %v of one value."""
    if value is MISSING:
        return "<no value>" if top else "<nil>"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint_value(value[k], top=False)}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint_value(v, top=False) for v in value) + "]"
    raise TemplateError(f"can't print value of type {go_type(value)}")


def go_quote(text: str) -> str:
    """strconv.Quote: printable runes kept, the rest escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                        "\v": "\\v"}[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def go_json(value: Any) -> str:
    """encoding/json.Marshal: sorted keys, no spaces, `<>&` escaped, Go's float format."""
    if value is None or value is MISSING:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise TemplateError(f"json: unsupported value: {format_float(value)}")
        return format_float(value, json_style=True)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    if isinstance(value, dict):
        return "{" + ",".join(f"{go_json(str(k))}:{go_json(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    raise TemplateError(f"json: unsupported type: {go_type(value)}")


# ---------------------------------------------------------------------------------------------
# printf
# ---------------------------------------------------------------------------------------------

_VERB = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])")


def go_sprintf(fmt: str, args: Sequence[Any]) -> str:
    out: list[str] = []
    pos, arg_index = 0, 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, precision, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            out.append("%")
            continue
        if width == "*" or precision == "*":
            raise UnsupportedTemplateFeature("printf: '*' width/precision is not supported by the offline renderer")
        if arg_index >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[arg_index]
        arg_index += 1
        out.append(_pad(_format_verb(verb, arg, flags, precision), flags, width))
    out.append(fmt[pos:])
    if arg_index < len(args):
        extra = ", ".join(f"{go_type(a)}={go_sprint_value(a, top=False)}" for a in args[arg_index:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(text: str, flags: str, width: str | None) -> str:
    if not width:
        return text
    size = int(width)
    if "-" in flags:
        return text.ljust(size)
    if "0" in flags and text[:1] in "+-0123456789":
        sign = text[0] if text[0] in "+-" else ""
        return sign + text[len(sign):].rjust(size - len(sign), "0")
    return text.rjust(size)


def _format_verb(verb: str, arg: Any, flags: str, precision: str | None) -> str:
    bad = f"%!{verb}({go_type(arg)}={go_sprint_value(arg, top=False)})"
    if arg is None or arg is MISSING:
        return f"%!{verb}(<nil>)" if verb != "v" else "<nil>"
    if verb == "v":
        if "#" in flags or "+" in flags:
            raise UnsupportedTemplateFeature(f"printf: %{flags}v is not supported by the offline renderer")
        return go_sprint_value(arg, top=False)
    if verb == "s":
        text = go_sprint_value(arg, top=False) if isinstance(arg, (str, list, dict)) else None
        if text is None or (isinstance(arg, (list, dict)) and not _all_strings(arg)):
            return bad
        return text[:int(precision)] if precision else text
    if verb == "q":
        if isinstance(arg, str):
            return go_quote(arg)
        return bad
    if verb == "t":
        return ("true" if arg else "false") if isinstance(arg, bool) else bad
    if verb in "xX" and isinstance(arg, str):
        text = arg.encode().hex()
        return text.upper() if verb == "X" else text
    if verb in "dxXob":
        if isinstance(arg, bool) or not isinstance(arg, int):
            return bad
        base = {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb]
        text = format(arg, base)
        if "+" in flags and arg >= 0:
            text = "+" + text
        return text
    if verb in "feEgG":
        if not isinstance(arg, float):
            return bad
        if verb in "gG" and precision is None:
            return format_float(arg).upper() if verb == "G" else format_float(arg)
        if verb in "gG":
            raise UnsupportedTemplateFeature(
                f"printf: %{verb} with a precision is not supported by the offline renderer")
        # Python, like Go, writes at least two exponent digits for %e
        text = format(arg, f".{precision if precision is not None else 6}{verb}")
        if "+" in flags and arg >= 0:
            text = "+" + text
        return text
    raise UnsupportedTemplateFeature(f"printf: verb %{verb} is not supported by the offline renderer")


def _all_strings(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _all_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_strings(v) for v in value)
    return isinstance(value, str)


def go_sprint(args: Sequence[Any]) -> str:
    """fmt.Sprint: a space between operands when neither side is a string."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if i > 0 and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_sprint_value(arg, top=False))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Func:
    params: tuple[str, ...]  # "string" | "int" | "bool" | "float64" | "any" | "map" | "list"
    impl: Callable[..., Any]
    variadic: str | None = None


class _CallError(Exception):
    """An error a function returns (Go: the function's error result)."""


def _truth(value: Any) -> bool:
    if value is MISSING or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def _empty(value: Any) -> bool:
    return not _truth(value)


def _basic_kind(value: Any) -> str:
    if value is MISSING or value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _eq(arg1: Any, *others: Any) -> bool:
    if not others:
        raise _CallError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in others:
        k2 = _basic_kind(arg)
        if k1 != k2:
            if k1 != "invalid" and k2 != "invalid":
                raise _CallError("incompatible types for comparison")
            continue
        if k1 == "other":
            raise _CallError(f"non-comparable types {go_type(arg1)}, {go_type(arg)}")
        if k1 == "invalid" or arg1 == arg:
            return True
    return False


def _ne(a: Any, b: Any) -> bool:
    return not _eq(a, b)


def _ordered(a: Any, b: Any) -> tuple[Any, Any]:
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka in ("invalid", "other", "bool") or kb in ("invalid", "other", "bool"):
        raise _CallError("invalid type for comparison")
    if ka != kb:
        raise _CallError("incompatible types for comparison")
    return a, b


def _index(item: Any, *indexes: Any) -> Any:
    if item is MISSING or item is None:
        raise _CallError("index of untyped nil")
    for index in indexes:
        if item is None or item is MISSING:
            raise _CallError("index of nil pointer")
        if isinstance(item, (list, str)):
            if isinstance(index, bool) or not isinstance(index, int):
                raise _CallError("cannot index slice/array with nil" if index is None or index is MISSING
                                 else f"cannot index slice/array with type {go_type(index)}")
            if index < 0 or index >= len(item):
                raise _CallError(f"index out of range: {index}")
            item = item[index] if isinstance(item, list) else item.encode()[index]
        elif isinstance(item, dict):
            if index is None or index is MISSING:
                raise _CallError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise _CallError(f"value has type {go_type(index)}; should be string")
            # a missing key yields the element type's zero value: "" for map[string]string
            item = item.get(index, "" if isinstance(item, StringMap) else None)
        else:
            raise _CallError(f"can't index item of type {go_type(item)}")
    return item


def _len(item: Any) -> int:
    if item is None or item is MISSING:
        raise _CallError("len of nil pointer")
    if isinstance(item, str):
        return len(item.encode())
    if isinstance(item, (list, dict)):
        return len(item)
    raise _CallError(f"len of type {go_type(item)}")


def normalize(name: str) -> str:
    """Argo CD's SanitizeName (template function `normalize`, params `nameNormalized` etc.)."""
    name = re.sub(r"[^-a-z0-9.]", "-", name.lower())[:253]
    return name.strip("-.")


def _strval(value: Any) -> str:
    return value if isinstance(value, str) else go_sprint_value(value, top=False)


def _strslice(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_strval(v) for v in value if v is not None and v is not MISSING]
    if value is None or value is MISSING:
        return []
    return [_strval(value)]


def _trunc(count: int, text: str) -> str:
    data = text.encode()
    if count < 0 and len(data) + count > 0:
        return data[len(data) + count:].decode(errors="replace")
    if count >= 0 and len(data) > count:
        return data[:count].decode(errors="replace")
    return text


def _dict(*items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    values = list(items)
    if len(values) % 2:
        values.append("")
    for i in range(0, len(values), 2):
        out[_strval(values[i])] = values[i + 1]
    return out


def _fail(message: str) -> Any:
    raise _CallError(message)


def _indent(spaces: int, text: str) -> str:
    pad = " " * spaces
    return pad + text.replace("\n", "\n" + pad)


_FUNCTIONS: dict[str, _Func] = {
    # Go builtins (and/or are evaluated lazily by the executor)
    "and": _Func(("any",), lambda *a: a[-1], variadic="any"),
    "or": _Func(("any",), lambda *a: a[-1], variadic="any"),
    "not": _Func(("any",), lambda a: not _truth(a)),
    "len": _Func(("any",), _len),
    "index": _Func(("any",), _index, variadic="any"),
    "print": _Func((), lambda *a: go_sprint(a), variadic="any"),
    "println": _Func((), lambda *a: " ".join(go_sprint_value(v, top=False) for v in a) + "\n", variadic="any"),
    "printf": _Func(("string",), lambda f, *a: go_sprintf(f, a), variadic="any"),
    "eq": _Func(("any",), _eq, variadic="any"),
    "ne": _Func(("any", "any"), _ne),
    "lt": _Func(("any", "any"), lambda a, b: (lambda x, y: x < y)(*_ordered(a, b))),
    "le": _Func(("any", "any"), lambda a, b: (lambda x, y: x <= y)(*_ordered(a, b))),
    "gt": _Func(("any", "any"), lambda a, b: (lambda x, y: x > y)(*_ordered(a, b))),
    "ge": _Func(("any", "any"), lambda a, b: (lambda x, y: x >= y)(*_ordered(a, b))),
    # Sprig (argument order as Sprig defines it: the subject comes last, ready for a pipe)
    "trimSuffix": _Func(("string", "string"), lambda suffix, s: s.removesuffix(suffix)),
    "trimPrefix": _Func(("string", "string"), lambda prefix, s: s.removeprefix(prefix)),
    "trim": _Func(("string",), lambda s: s.strip()),
    "trimAll": _Func(("string", "string"), lambda cutset, s: s.strip(cutset)),
    "replace": _Func(("string", "string", "string"), lambda old, new, s: s.replace(old, new)),
    "lower": _Func(("string",), str.lower),
    "upper": _Func(("string",), str.upper),
    "repeat": _Func(("int", "string"), lambda n, s: s * n if n >= 0 else _fail("negative Repeat count")),
    "nospace": _Func(("string",), lambda s: "".join(s.split())),
    "trunc": _Func(("int", "string"), _trunc),
    "indent": _Func(("int", "string"), _indent),
    "nindent": _Func(("int", "string"), lambda n, s: "\n" + _indent(n, s)),
    "hasPrefix": _Func(("string", "string"), lambda prefix, s: s.startswith(prefix)),
    "hasSuffix": _Func(("string", "string"), lambda suffix, s: s.endswith(suffix)),
    "contains": _Func(("string", "string"), lambda sub, s: sub in s),
    "quote": _Func((), lambda *a: " ".join(go_quote(_strval(v)) for v in a if v is not None), variadic="any"),
    "squote": _Func((), lambda *a: " ".join(f"'{go_sprint_value(v, top=False)}'" for v in a if v is not None),
                    variadic="any"),
    "cat": _Func((), lambda *a: " ".join(go_sprint_value(v, top=False) for v in a if v is not None), variadic="any"),
    "default": _Func(("any",), lambda d, *given: d if not given or _empty(given[0]) else given[0], variadic="any"),
    "empty": _Func(("any",), _empty),
    "coalesce": _Func((), lambda *a: next((v for v in a if not _empty(v)), None), variadic="any"),
    "ternary": _Func(("any", "any", "bool"), lambda t, f, cond: t if cond else f),
    "toString": _Func(("any",), _strval),
    "toJson": _Func(("any",), go_json),
    "join": _Func(("string", "any"), lambda sep, v: sep.join(_strslice(v))),
    "splitList": _Func(("string", "string"), lambda sep, s: StringList(s.split(sep) if sep else list(s))),
    "list": _Func((), lambda *a: list(a), variadic="any"),
    "dict": _Func((), _dict, variadic="any"),
    "hasKey": _Func(("map", "string"), lambda d, k: k in d),
    "get": _Func(("map", "string"), lambda d, k: d.get(k, "")),
    "base": _Func(("string",), lambda s: posixpath.basename(s.rstrip("/")) or ("/" if s.startswith("/") else ".")),
    "b64enc": _Func(("string",), lambda s: base64.b64encode(s.encode()).decode()),
    "fail": _Func(("string",), _fail),
    # Argo CD's additions
    "normalize": _Func(("string",), normalize),
    "toYaml": _Func(("any",), lambda v: _go_yaml(v)),
}

#: Sprig's generic function map as Argo CD installs it (env, expandenv, getHostByName removed;
#: normalize, slugify, toYaml, fromYaml, fromYamlArray added), plus Go's builtins: names Go's parser
#: accepts; those missing from _FUNCTIONS are refused as unsupported rather than "not defined".
_KNOWN_FUNCTIONS = frozenset("""
and call html index slice js len not or print printf println urlquery eq ge gt le lt ne
hello ago date dateInZone dateModify duration durationRound htmlDate htmlDateInZone mustDateModify mustToDate now
toDate unixEpoch abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix
trimPrefix nospace initials randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase
kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum
sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList splitn toStrings until untilStep
add1 add sub div mod mul randInt add1f addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha
default empty coalesce all any compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson
mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual base
dir clean ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset
hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append mustAppend prepend
mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq without
mustWithout has mustHas mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword
buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey
encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll
mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral
mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin
normalize slugify toYaml fromYaml fromYamlArray
""".split())  # noqa: SIM905 - a word list reads better than 250 quoted names


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------

class _Exec:
    def __init__(self, data: Any, missingkey: str, yaml_reparsed: bool) -> None:
        self.vars: list[tuple[str, Any]] = [("$", data)]
        self.missingkey = "default" if missingkey == "invalid" else missingkey
        self.yaml_reparsed = yaml_reparsed
        self.node: Any = None

    def error(self, message: str) -> TemplateError:
        where = f" at <{self.node}>" if self.node is not None else ""
        return TemplateError(f"template: executing{where}: {message}")

    # -- statements -------------------------------------------------------------------------
    def walk(self, dot: Any, nodes: Sequence[Any], out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                out.append(node.text)
            elif isinstance(node, _Action):
                # a declaration prints nothing; its variable lives until the enclosing block ends
                value = self.pipeline(dot, node.pipe)
                if not node.pipe.decls:
                    out.append(go_sprint_value(value))
            else:
                self.branch(dot, node, out)

    def branch(self, dot: Any, node: _Branch, out: list[str]) -> None:
        mark = len(self.vars)
        value = self.pipeline(dot, node.pipe)
        try:
            if node.kind == "if":
                self.walk(dot, node.body if _truth(value) else (node.orelse or []), out)
            elif node.kind == "with":
                if _truth(value):
                    self.walk(value, node.body, out)
                else:
                    self.walk(dot, node.orelse or [], out)
            else:
                self.range(dot, node, value, out)
        finally:
            del self.vars[mark:]

    def range(self, dot: Any, node: _Branch, value: Any, out: list[str]) -> None:
        decls = node.pipe.decls
        if value is MISSING or value is None:
            pairs: list[tuple[Any, Any]] = []
        elif isinstance(value, dict):
            pairs = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list):
            pairs = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(decls) > 1:
                raise self.error(f"can't use {value} to iterate over more than one variable")
            pairs = [(i, i) for i in range(value)]
        else:
            raise self.error(f"range can't iterate over {go_sprint_value(value, top=False)}")
        if not pairs:
            self.walk(dot, node.orelse or [], out)
            return
        # the pipeline declared (or assigned) the range variables; each iteration sets them
        values = {1: lambda k, e: (e,), 2: lambda k, e: (k, e)}.get(len(decls), lambda k, e: ())
        base = len(self.vars)
        for key, element in pairs:
            for name, value in zip(decls, values(key, element), strict=True):
                self.set_var(name, value, declare=False)
            self.walk(element, node.body, out)
            del self.vars[base:]

    def set_var(self, name: str, value: Any, *, declare: bool) -> None:
        if declare:
            self.vars.append((name, value))
            return
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i] = (name, value)
                return
        raise self.error(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for var, value in reversed(self.vars):
            if var == name:
                return value
        raise self.error(f"undefined variable: {name}")

    # -- expressions ------------------------------------------------------------------------
    def pipeline(self, dot: Any, pipe: _Pipe) -> Any:
        value: Any = _NO_FINAL
        for command in pipe.commands:
            value = self.command(dot, command, value)
            if value is None:  # Go digs into interface{} values: a nil one becomes invalid
                value = MISSING
        for name in pipe.decls:
            self.set_var(name, value, declare=not pipe.is_assign)
        return value

    def not_a_function(self, args: Sequence[Any], final: Any) -> None:
        if len(args) > 1 or final is not _NO_FINAL:
            raise self.error(f"can't give argument to non-function {args[0]}")

    def command(self, dot: Any, command: _Command, final: Any) -> Any:
        first = command.args[0]
        self.node = first
        if isinstance(first, _Field):
            return self.field_chain(dot, dot, first.names, command.args, final)
        if isinstance(first, _Chain):
            return self.chain(dot, first, command.args, final)
        if isinstance(first, _Identifier):
            return self.function(dot, first.name, command.args, final)
        if isinstance(first, _Pipe):
            self.not_a_function(command.args, final)
            return self.pipeline(dot, first)
        if isinstance(first, _Variable):
            return self.variable(dot, first, command.args, final)
        self.not_a_function(command.args, final)
        if isinstance(first, _Bool):
            return first.value
        if isinstance(first, _Dot):
            return dot
        if isinstance(first, _Nil):
            raise self.error("nil is not a command")
        if isinstance(first, _Number):
            return self.ideal_constant(first)
        if isinstance(first, _String):
            return first.value
        raise self.error(f"can't evaluate command {first}")  # pragma: no cover

    def ideal_constant(self, number: _Number) -> Any:
        text = number.text
        is_hex_int = len(text) > 2 and text.lstrip("+-")[:2].lower() == "0x" and not any(c in text for c in "pP")
        if number.float_value is not None and not is_hex_int and not text.startswith("'") \
                and any(c in text for c in ".eEpP"):
            return number.float_value
        if number.int_value is not None:
            return number.int_value
        raise self.error(f"{text} overflows int")

    def chain(self, dot: Any, chain: _Chain, args: Sequence[Any], final: Any) -> Any:
        if isinstance(chain.node, _Nil):
            raise self.error(f"indirection through explicit nil in {chain}")
        receiver = self.arg(dot, "any", chain.node)
        return self.field_chain(dot, receiver, chain.names, args, final)

    def variable(self, dot: Any, node: _Variable, args: Sequence[Any], final: Any) -> Any:
        value = self.var_value(node.names[0])
        if len(node.names) == 1:
            self.not_a_function(args, final)
            return value
        return self.field_chain(dot, value, node.names[1:], args, final)

    def field_chain(self, dot: Any, receiver: Any, names: Sequence[str], args: Sequence[Any], final: Any) -> Any:
        for name in names[:-1]:
            receiver = self.field(name, (), _NO_FINAL, receiver)
        return self.field(names[-1], args, final, receiver)

    def field(self, name: str, args: Sequence[Any], final: Any, receiver: Any) -> Any:
        if receiver is MISSING:
            if self.missingkey == "error":
                raise self.error(f"nil data; no entry for key {go_quote(name)}")
            return MISSING
        if receiver is None:
            raise self.error(f"nil pointer evaluating interface {{}}.{name}")
        if isinstance(receiver, dict):
            if len(args) > 1 or final is not _NO_FINAL:
                raise self.error(f"{name} is not a method but has arguments")
            if name in receiver:
                return receiver[name]
            if self.missingkey == "error":
                raise self.error(f"map has no entry for key {go_quote(name)}")
            if self.missingkey == "zero":
                return "" if isinstance(receiver, StringMap) else None
            return MISSING
        raise self.error(f"can't evaluate field {name} in type {go_type(receiver)}")

    def function(self, dot: Any, name: str, args: Sequence[Any], final: Any) -> Any:
        spec = _FUNCTIONS.get(name)
        if spec is None:  # the parser let it through: a known Sprig/Go function we do not implement
            raise UnsupportedTemplateFeature(f"function {name!r} is not supported by the offline renderer")
        if name == "toYaml" and not self.yaml_reparsed:
            raise UnsupportedTemplateFeature(
                "function 'toYaml' is only supported in templatePatch, where its output is parsed again "
                "(its text may differ from go-yaml's quoting)")
        operands = list(args[1:])
        count = len(operands) + (final is not _NO_FINAL)
        fixed = len(spec.params)
        if spec.variadic is not None:
            if count < fixed:
                raise self.error(f"wrong number of args for {name}: want at least {fixed} got {len(operands)}")
        elif count != fixed:
            raise self.error(f"wrong number of args for {name}: want {fixed} got {count}")
        if name in ("and", "or"):
            value: Any = MISSING
            for node in operands:
                value = self.arg(dot, "any", node)
                if _truth(value) == (name == "or"):
                    return value
            if final is not _NO_FINAL:
                value = final
            return value
        values: list[Any] = []
        for i, node in enumerate(operands):
            kind = spec.params[i] if i < fixed else spec.variadic
            assert kind is not None
            values.append(self.arg(dot, kind, node))
        if final is not _NO_FINAL:
            kind = spec.params[len(operands)] if len(operands) < fixed else spec.variadic
            assert kind is not None
            values.append(self.validate(final, kind))
        self.node = args[0] if args else name
        try:
            return spec.impl(*values)
        except _CallError as exc:
            raise self.error(f"error calling {name}: {exc}") from None
        except TemplateError as exc:
            if isinstance(exc, UnsupportedTemplateFeature):
                raise
            raise self.error(f"error calling {name}: {exc}") from None

    def arg(self, dot: Any, kind: str, node: Any) -> Any:
        self.node = node
        if isinstance(node, _Dot):
            return self.validate(dot, kind)
        if isinstance(node, _Nil):
            if kind in ("any", "map", "list"):
                return None
            raise self.error(f"cannot assign nil to {_GO_PARAM[kind]}")
        if isinstance(node, _Field):
            return self.validate(self.field_chain(dot, dot, node.names, (node,), _NO_FINAL), kind)
        if isinstance(node, _Variable):
            return self.validate(self.variable(dot, node, (node,), _NO_FINAL), kind)
        if isinstance(node, _Pipe):
            return self.validate(self.pipeline(dot, node), kind)
        if isinstance(node, _Identifier):
            return self.validate(self.function(dot, node.name, (node,), _NO_FINAL), kind)
        if isinstance(node, _Chain):
            return self.validate(self.chain(dot, node, (node,), _NO_FINAL), kind)
        if kind == "any":
            if isinstance(node, _Bool):
                return node.value
            if isinstance(node, _Number):
                return self.ideal_constant(node)
            if isinstance(node, _String):
                return node.value
        if kind == "bool" and isinstance(node, _Bool):
            return node.value
        if kind == "string" and isinstance(node, _String):
            return node.value
        if kind == "int" and isinstance(node, _Number) and node.int_value is not None:
            return node.int_value
        if kind == "float64" and isinstance(node, _Number) and node.float_value is not None:
            return node.float_value
        expected = {"bool": "bool", "string": "string", "int": "integer", "float64": "float"}.get(kind)
        if expected is None:
            raise self.error(f"can't handle {node} for arg of type {_GO_PARAM[kind]}")
        raise self.error(f"expected {expected}; found {node}")

    def validate(self, value: Any, kind: str) -> Any:
        if value is MISSING:
            if kind in ("any", "map", "list"):
                return None
            raise self.error(f"invalid value; expected {_GO_PARAM[kind]}")
        if kind == "any":
            return value
        ok = {
            "string": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float64": isinstance(value, float),
            "map": isinstance(value, dict) and not isinstance(value, StringMap),
            "list": isinstance(value, list) and not isinstance(value, StringList),
        }[kind]
        if not ok:
            raise self.error(f"wrong type for value; expected {_GO_PARAM[kind]}; got {go_type(value)}")
        return value


_GO_PARAM = {"string": "string", "bool": "bool", "int": "int", "float64": "float64", "any": "interface {}",
             "map": "map[string]interface {}", "list": "[]interface {}"}


class _GoYamlDumper(yaml.SafeDumper):
    """Close to go-yaml v2 (sigs.k8s.io/yaml): sequences in mappings are not indented."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, not flow)


def _go_yaml(value: Any) -> str:
    data = None if value is MISSING else value
    text = yaml.dump(_plain(data), Dumper=_GoYamlDumper, default_flow_style=False, sort_keys=True,
                     allow_unicode=True, width=2 ** 31)
    if text.endswith("\n...\n"):
        text = text[:-4]
    return text[:-1] if text.endswith("\n") else text


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

class Template:
    """A parsed template; `execute` it against data as often as needed."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tree = _Parser(source, _KNOWN_FUNCTIONS).parse()
        self.is_static = all(isinstance(node, _Text) for node in self.tree)

    def execute(self, data: Any, *, missingkey: str = "error", yaml_reparsed: bool = False) -> str:
        if missingkey not in MISSING_KEY_OPTIONS:
            raise UnsupportedTemplateFeature(f"option missingkey={missingkey} is not a Go template option")
        if self.is_static:
            return "".join(node.text for node in self.tree)
        out: list[str] = []
        _Exec(data, missingkey, yaml_reparsed).walk(data, self.tree, out)
        return "".join(out)


@lru_cache(maxsize=4096)
def parse(source: str) -> Template:
    """Parse (cached: an ApplicationSet renders the same few strings once per generated Application)."""
    return Template(source)


def render(source: str, data: Any, *, missingkey: str = "error", yaml_reparsed: bool = False) -> str:
    """Render one template string the way Argo CD's `Render.Replace` does with goTemplate: true.

    `yaml_reparsed=True` is for `templatePatch`, whose output is parsed as YAML again: only there
    is `toYaml` allowed (the data it produces is the same, its text may quote differently).
    """
    if "{{" not in source:
        return source
    return parse(source).execute(data, missingkey=missingkey, yaml_reparsed=yaml_reparsed)

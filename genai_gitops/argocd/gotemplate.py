"""Go `text/template`, as far as the ApplicationSets that `genai-gitops synth` writes use it.

Argo CD (v3.5, applicationset/utils `Render.Replace`) renders every string of an ApplicationSet
template with Go's text/template (template name "base"), Sprig's generic functions and a few of its
own. The preview does not need all of that: `check` requires argocd/ to equal a fresh synth (drift),
so it only has to be exact for what genai_gitops/argocd/appsets.py writes, under `missingkey=error`.
A smaller engine is a smaller surface for bugs and for hostile input. The contract, with Go's
semantics (checked against Go's text/template and Sprig):

- text outside `{{ }}` is copied as it is;
- an action holds one command, its words separated by spaces:
  - a field path `.a.b`: a key a map lacks is an error (missingkey=error);
  - `index X K...`: each word a field path, a "string" or a decimal integer; a key a map lacks
    yields the element's zero value ("" in a `map[string]string`, nil - printed `<no value>` - in a
    `map[string]interface{}`), an index out of range is an error;
  - `trimSuffix "S" X`: X without the suffix S;
- what an action prints is a string, or nil (printed `<no value>`).

Everything else Go accepts (pipelines, parentheses, variables, `.` alone, if/range/with, trim
markers, comments, other functions, other literals, printing a number, list or map) raises
`UnsupportedTemplateFeature` naming it and the way out: the preview refuses, never approximates. A
template Go itself rejects raises `TemplateError` with Go's message.

Values use Python types in the roles of Go's: `dict` is `map[string]interface{}`, `list` is
`[]interface{}`, `None` a nil interface. The generators hand over `StringMap` (`map[string]string`:
cluster labels, `values`) and `StringList` (`[]string`: `path.segments`) where Argo CD does: `index`
yields "" for a key a `map[string]string` lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn

__all__ = ["FUNCTIONS", "StringList", "StringMap", "TemplateError", "UnsupportedTemplateFeature", "normalize",
           "render"]


class TemplateError(ValueError):
    """The template does not parse or execute; Argo CD's controller fails on it the same way."""


class UnsupportedTemplateFeature(TemplateError):
    """Valid Go template outside the preview's contract; the message names the construct and the fix."""


class StringMap(dict[str, str]):
    """A Go `map[string]string` (cluster labels, generator `values`)."""


class StringList(list[str]):
    """A Go `[]string` (`path.segments`)."""


#: the template functions of the contract (what appsets.py writes)
FUNCTIONS = ("index", "trimSuffix")
#: how to get back inside the contract; ends every UnsupportedTemplateFeature message
FIX = ("not supported by the offline preview, which renders only field paths (.a.b), index and trimSuffix as "
       "`genai-gitops synth` writes them; regenerate argocd/ with `genai-gitops synth`, or use only those")

_SPACE = " \t\r\n"
_WORD = re.compile(r'(?P<field>(?:\.(?!\d)\w+)+)|(?P<string>"[^"\\\n]*")|(?P<number>-?(?:0|[1-9]\d{0,8}))(?![\w.])'
                   r"|(?P<ident>(?!\d)\w+)")
_NUMBER_LIKE = re.compile(r"[-+]?\.?\d[\w.+-]*")
#: characters Go's lexer accepts after a field or a name (its `atTerminator`, besides space and `}}`)
_TERMINATORS = ".,|:()"
_UNSUPPORTED_CHARS = {
    "|": "the pipeline |", "(": "parentheses", ")": "parentheses", "$": "variables ($)",
    ":": "variable declarations (:=)", "=": "variable assignments (=)", ",": "range declarations (,)",
    "`": "raw strings (`...`)", "'": "character constants ('x')",
}
_KEYWORDS = ("if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil",
             "true", "false")
_NO_VALUE = "<no value>"


@dataclass(frozen=True, slots=True)
class _Word:
    kind: str  # field | string | number | ident
    text: str  # as written: what Go prints for the node in an error
    pos: int  # where Go places the node (a field chain: its second name)
    value: Any  # field: tuple of names; string: str; number: int; ident: the name


@dataclass(frozen=True, slots=True)
class _Command:
    words: tuple[_Word, ...]
    pos: int
    #: the action as written, `{{ ... }}`
    action: str

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source

    def parse(self) -> tuple[str | _Command, ...]:
        src, pos, items = self.src, 0, list[str | _Command]()
        while (start := src.find("{{", pos)) >= 0:
            if start > pos:
                items.append(src[pos:start])
            command, pos = self._action(start)
            items.append(command)
        if pos < len(src):
            items.append(src[pos:])
        return tuple(items)

    def _action(self, start: int) -> tuple[_Command, int]:
        src, i = self.src, start + 2
        left_trim = src[i:i + 1] == "-" and src[i + 1:i + 2] in tuple(_SPACE)  # Go's "{{- "
        if src.startswith("/*", i + 2 if left_trim else i):
            raise self._unsupported(start, "comments ({{/* */}})")
        if left_trim:
            raise self._unsupported(start, "the trim marker {{-")
        words: list[_Word] = []
        while True:
            while i < len(src) and src[i] in _SPACE:
                if src.startswith("-}}", i + 1):
                    raise self._unsupported(start, "the trim marker -}}")
                i += 1
            if i >= len(src):
                raise self._error(start, "unclosed action")
            if src.startswith("}}", i):
                if not words:
                    raise self._error(start, "missing value for command")
                if words[0].kind in ("string", "number"):
                    raise self._unsupported(start, f"the constant {words[0].text} as a command")
                return _Command(tuple(words), words[0].pos, src[start:i + 2]), i + 2
            i = self._word(start, i, words)

    def _word(self, start: int, i: int, words: list[_Word]) -> int:
        src = self.src
        match = _WORD.match(src, i)
        if match is None or match.lastgroup is None:
            self._not_a_word(start, i)
        kind, text, end = match.lastgroup, match.group(), match.end()
        if kind in ("field", "ident") and end < len(src) and src[end] not in _SPACE and src[end] not in _TERMINATORS \
                and not src.startswith("}}", end):
            raise self._error(end, f"bad character {_go_rune(src[end])}")
        if kind == "field":
            names = tuple(text[1:].split("."))
            words.append(_Word(kind, text, i + len(names[0]) + 1 if len(names) > 1 else i, names))
        elif kind == "string":
            words.append(_Word(kind, text, i, text[1:-1]))
        elif kind == "number":
            words.append(_Word(kind, text, i, int(text)))
        elif text in _KEYWORDS:
            raise self._unsupported(start, f"{{{{{text}}}}}" if text not in ("nil", "true", "false")
                                    else f"the constant {text}")
        elif not words and text not in FUNCTIONS:
            raise self._unsupported(start, f"the function {text}")
        elif words:
            raise self._unsupported(start, f"{text} as an argument (a function call needs parentheses)")
        else:
            words.append(_Word(kind, text, i, text))
        if src.startswith(".", end):
            if kind == "field":
                raise self._error(end, "unexpected <.> in operand")
            raise self._unsupported(start, f"a field of {text}")
        return end

    def _not_a_word(self, start: int, i: int) -> NoReturn:
        src, c = self.src, self.src[i]
        if c in _UNSUPPORTED_CHARS:
            raise self._unsupported(start, _UNSUPPORTED_CHARS[c])
        if c == '"':
            end = src.find('"', i + 1)
            if end >= 0 and "\n" not in src[i:end] and "\\" in src[i:end]:
                raise self._unsupported(start, "escape sequences in strings")
            raise self._error(i, "unterminated quoted string")
        number = _NUMBER_LIKE.match(src, i)
        if number is not None:
            raise self._unsupported(start, f"the number {number.group()} (only decimal integers are)")
        if c == ".":
            raise self._unsupported(start, "the dot (.) on its own")
        raise self._error(i, f"unrecognized character in action: {_go_rune(c)}")

    def _error(self, pos: int, message: str) -> TemplateError:
        return TemplateError(f"template: base:{_line(self.src, pos)}: {message}")

    def _unsupported(self, start: int, construct: str) -> UnsupportedTemplateFeature:
        end = self.src.find("}}", start)
        action = self.src[start:end + 2] if 0 <= end < start + 120 else self.src[start:start + 40] + "..."
        return _refused(action, construct)


def _refused(action: str, construct: str) -> UnsupportedTemplateFeature:
    return UnsupportedTemplateFeature(f"`{action}`: {construct}: {FIX}")


def _line(src: str, pos: int) -> int:
    return src.count("\n", 0, pos) + 1


def _go_rune(c: str) -> str:
    """Go's `%#U`."""
    return f"U+{ord(c):04X} '{c}'" if c.isprintable() else f"U+{ord(c):04X}"


@lru_cache(maxsize=4096)
def _parse(source: str) -> tuple[str | _Command, ...]:
    """Parsed once: an ApplicationSet renders the same few strings for every Application."""
    return _Parser(source).parse()


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------

class _Exec:
    def __init__(self, source: str, data: Any) -> None:
        self.src = source
        self.data = data

    def error(self, pos: int, node: str, message: str) -> TemplateError:
        line_start = self.src.rfind("\n", 0, pos) + 1
        column = len(self.src[line_start:pos].encode())  # Go counts bytes
        return TemplateError(f'template: base:{_line(self.src, pos)}:{column}: executing "base" at <{node}>: '
                             f"{message}")

    def command(self, command: _Command) -> str:
        first, args = command.words[0], command.words[1:]
        if first.kind == "field":
            value = self.field(first, has_args=bool(args))
        elif first.kind == "ident":
            value = self.index(command) if first.value == "index" else self.trim_suffix(command)
        else:  # pragma: no cover - the parser refuses constants as commands
            raise AssertionError(first.kind)
        if value is None:
            return _NO_VALUE
        if not isinstance(value, str):
            raise _refused(command.action, f"printing a value of type {_go_type(value)}")
        return value

    def field(self, word: _Word, *, has_args: bool = False) -> Any:
        value, static = self.data, "interface {}"
        names = word.value
        for n, name in enumerate(names):
            if isinstance(value, dict):
                if has_args and n == len(names) - 1:
                    raise self.error(word.pos, word.text, f"{name} is not a method but has arguments")
                if name not in value:
                    raise self.error(word.pos, word.text, f'map has no entry for key "{name}"')
                static = "string" if isinstance(value, StringMap) else "interface {}"
                value = value[name]
            elif value is None:
                raise self.error(word.pos, word.text, f"nil pointer evaluating interface {{}}.{name}")
            else:
                raise self.error(word.pos, word.text, f"can't evaluate field {name} in type {static}")
        return value

    def arg(self, word: _Word) -> Any:
        return self.field(word) if word.kind == "field" else word.value

    def index(self, command: _Command) -> Any:
        name, args = command.words[0], command.words[1:]
        if not args:
            raise self.error(name.pos, name.text, "wrong number of args for index: want at least 1 got 0")
        item, *keys = [self.arg(w) for w in args]

        def fail(message: str) -> TemplateError:
            return self.error(command.pos, command.text, f"error calling index: {message}")

        if item is None:
            raise fail("index of untyped nil")
        for key in keys:
            if item is None:
                raise fail("index of nil pointer")
            if isinstance(item, list):
                if key is None or isinstance(key, bool) or not isinstance(key, int):
                    raise fail("cannot index slice/array with nil" if key is None
                               else f"cannot index slice/array with type {_go_type(key)}")
                if key < 0 or key > len(item):
                    raise fail(f"index out of range: {key}")
                if key == len(item):  # Go's bound check lets len through; reflect then panics
                    raise fail("reflect: slice index out of range")
                item = item[key]
            elif isinstance(item, dict):
                if not isinstance(key, str):
                    raise fail("value is nil; should be of type string" if key is None
                               else f"value has type {_go_type(key)}; should be string")
                item = item.get(key, "" if isinstance(item, StringMap) else None)
            elif isinstance(item, str):
                raise _refused(command.action, "index of a string (Go yields a byte)")
            else:
                raise fail(f"can't index item of type {_go_type(item)}")
        return item

    def trim_suffix(self, command: _Command) -> str:
        name, args = command.words[0], command.words[1:]
        if len(args) != 2:
            raise self.error(name.pos, name.text, f"wrong number of args for trimSuffix: want 2 got {len(args)}")
        suffix, text = (self.string_arg(w) for w in args)
        return text.removesuffix(suffix)  # Sprig: strings.TrimSuffix(text, suffix)

    def string_arg(self, word: _Word) -> str:
        if word.kind == "number":
            raise self.error(word.pos, word.text, f"expected string; found {word.text}")
        value = self.arg(word)
        if not isinstance(value, str):
            raise self.error(word.pos, word.text, f"wrong type for value; expected string; got {_go_type(value)}")
        return value


def _go_type(value: Any) -> str:
    if value is None:
        return "interface {}"
    if isinstance(value, StringMap):
        return "map[string]string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, StringList):
        return "[]string"
    if isinstance(value, list):
        return "[]interface {}"
    return {bool: "bool", int: "int", float: "float64", str: "string"}.get(type(value), type(value).__name__)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def render(source: str, data: Any) -> str:
    """One template string rendered as Argo CD's `Render.Replace` does with goTemplate: true and
    goTemplateOptions [missingkey=error] (the caller refuses any other option)."""
    if "{{" not in source:
        return source
    run = _Exec(source, data)
    return "".join(item if isinstance(item, str) else run.command(item) for item in _parse(source))


def normalize(name: str) -> str:
    """Argo CD's SanitizeName: the generators' `nameNormalized`, `basenameNormalized` parameters."""
    name = re.sub(r"[^-a-z0-9.]", "-", name.lower())[:253]
    return name.strip("-.")

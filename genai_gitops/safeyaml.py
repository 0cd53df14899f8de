"""The one reader of YAML and JSON input: tenant files, clusters.yaml, manifests, policies, suites.

Every input is read as the Kubernetes API reads it (JSON values only) and none can make the
reader hang, exhaust memory or crash, whatever a file holds:

- at most `MAX_BYTES` per file, UTF-8 only (a UTF-8 byte-order mark at the start is allowed),
  no NUL bytes: anything else is an `InputError` naming the line;
- only JSON-compatible tags (mapping, sequence, string, integer, float, boolean, null; a date
  stays a string); `!!binary`, `!!set`, `!!omap`, `!!python/...` and custom tags are refused, as
  are `.inf`/`.nan`, which JSON cannot carry;
- a plain scalar that Argo CD's reader (sigs.k8s.io/yaml, go-yaml v2) resolves otherwise is refused
  (`y`, `1:20`, `1e3`, `09`, an integer past 64 bits, a null key...: see `goyaml`), so the check
  never reads one value where Argo CD deploys another; quoting it makes it a string for both;
- a duplicate key in a mapping is refused (the API server's strict decoding refuses it too;
  "last one wins" would let a second `secrets:` hide the first);
- nesting is limited to `MAX_DEPTH` levels, checked before libyaml builds nodes: its C composer
  recurses once per level and overflows the C stack (a segfault) at a few ten thousand levels;
- aliases may add at most `MAX_ALIAS_NODES` nodes to a document. libyaml shares an anchored node
  between its aliases, so parsing a billion-laughs bomb is fast, but every consumer that walks or
  serialises the result (json.dumps, the secret scan, the validators) expands it. The budget is
  absolute rather than a ratio (go-yaml's rule) because an alias-free file is already bounded by
  the size limit (about 500,000 nodes in 1 MiB): aliases may only add a bounded amount to that.

libyaml (CSafeLoader) stays the parser; the checks cost nothing on a file without anchors beyond
two substring searches and a count of brackets, and line numbers come from libyaml's marks.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from genai_gitops import goyaml, yamlsubset

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 100
MAX_ALIAS_NODES = 100_000
#: read documents in the plain block subset without libyaml (yamlsubset); False: every document goes
#: through libyaml (the tests compare the two paths)
SUBSET_READER = True

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster where present
_TAG = "tag:yaml.org,2002:"
_MERGE = _TAG + "merge"
_ALLOWED = "mapping, sequence, string, number, boolean and null"
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
         (b"\xfe\xff", "UTF-16"))
#: indentation plus block indicators at the start of a line: each nested block collection starts
#: at least one column further right (an indentless sequence at the same column), so twice the
#: longest such prefix bounds the block nesting of a document
_LINE_PREFIX = re.compile(r"^[ \-?:]+", re.MULTILINE)
_LONG = 40
_LONG_PREFIX = re.compile(rf"^[ \-?:]{{{_LONG - 1}}}", re.MULTILINE)
_FEW_BRACKETS = MAX_DEPTH - 2 * _LONG
_RESOLVED_MAX, _RESOLVED_LENGTH = 100_000, 200
#: the tag `resolve` gives a plain scalar that go-yaml v2 reads otherwise: its constructor refuses it
_AMBIGUOUS = "tag:genai-gitops,2026:ambiguous"
#: first characters of the plain scalars go-yaml v2 may read as something else than PyYAML does
_GO_HINTS = frozenset("+-.0123456789yYnNtTfFoO~")


class InputError(ValueError):
    """An input file that is refused; `line` is 1-based (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None, rule: str = "yaml-syntax",
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.rule, self.column = message, line, rule, column

    def shifted(self, lines: int) -> InputError:
        """The same error in a document that starts `lines` lines further down its file."""
        return InputError(self.message, None if self.line is None else self.line + lines, self.rule, self.column)

    @property
    def where(self) -> str:
        """`line N[, column M]: ` or nothing, to put before the message."""
        if self.line is None:
            return ""
        return f"line {self.line}, column {self.column}: " if self.column is not None else f"line {self.line}: "

    def __str__(self) -> str:
        return self.where + self.message


def _line_of(data: bytes | str, offset: int) -> int:
    if isinstance(data, bytes):
        return data.count(b"\n", 0, offset) + 1
    return data.count("\n", 0, offset) + 1


# -- bytes -> text -------------------------------------------------------------------------------
def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise InputError(f"file holds more than {MAX_BYTES:,} bytes (1 MiB), the most an input file may hold: "
                         "split it into several files", rule="input-limit")


def decode(data: bytes) -> str:
    """UTF-8 text of a file's bytes, or an InputError saying where it is not."""
    check_size(len(data))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise InputError(f"file starts with a {encoding} byte-order mark; save it as UTF-8", 1, "encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file "
                         "as UTF-8", _line_of(data, exc.start), "encoding") from None
    return check_text(text.removeprefix("\ufeff"))


def check_text(text: str) -> str:
    """Refuse characters no data file needs: NUL and a byte-order mark anywhere but the start."""
    check_size(len(text))  # characters <= bytes: a cheap first bound before encoding
    for char, what in (("\x00", "a NUL byte"), ("\ufeff", "a byte-order mark (U+FEFF) inside the file")):
        index = text.find(char)
        if index >= 0:
            raise InputError(f"{what} is not allowed in a YAML or JSON file; remove it", _line_of(text, index),
                             "encoding")
    return text


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes, never more than MAX_BYTES + 1 of them: enough for `decode` to refuse a
    larger file without a multi-gigabyte file ever being read whole.

    Only a regular file is read: opening a FIFO would wait for a writer forever, and a device
    (`/dev/zero`, a terminal) never ends or blocks. Opened without blocking, checked on the open
    descriptor (no race with a swap of the path), refused with an OSError like an unreadable file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket, device or folder); replace it with a "
                                        "YAML or JSON file", str(path))
        # ask for the size fstat gave (plus one byte, to see the end or a file that grew), never for the
        # whole limit: a read of n bytes allocates n bytes first, and 1 MiB per small file costs more
        # than parsing it
        left = MAX_BYTES + 1
        parts: list[bytes] = []
        want = min(status.st_size + 1, left)
        while left > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
            want = min(64 * 1024, left)
        return b"".join(parts)
    finally:
        os.close(fd)


def read_file(path: str | os.PathLike[str]) -> str:
    """A file's text (`read_bytes` then `decode`)."""
    return decode(read_bytes(path))


# -- YAML ----------------------------------------------------------------------------------------
def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _refuse(node: Node, message: str, rule: str) -> InputError:
    return InputError(message, node.start_mark.line + 1, rule)


class _JsonConstructor:
    """Constructs JSON values only; mixed into libyaml's loader (SafeConstructor does the rest)."""

    def construct_undefined(self, node: Node) -> Any:
        raise _refuse(node, f"tag {_short(node.tag)} is not allowed; only JSON values ({_ALLOWED}) are: "
                            "write the value as a plain string", "yaml-tag")

    def construct_json_float(self, node: Node) -> float:
        try:
            value = SafeConstructor.construct_yaml_float(self, node)  # type: ignore[arg-type]
        except ValueError:  # an explicit `!!float` on text that is no number
            raise _refuse(node, f"{node.value!r} is not a number; remove the !!float tag or write a number",
                          "yaml-tag") from None
        if math.isinf(value) or math.isnan(value):
            raise _refuse(node, f"{node.value!r} is not a JSON number; quote it if it is meant as a string",
                          "yaml-tag")
        return value

    def construct_json_int(self, node: Node) -> int:
        try:
            return SafeConstructor.construct_yaml_int(self, node)  # type: ignore[arg-type]
        except ValueError as exc:
            if "digits" in str(exc):  # more digits than Python converts (sys.int_info.default_max_str_digits)
                raise _refuse(node, f"integer of {len(node.value):,} characters is too long; quote it",
                              "input-limit") from None
            # an explicit `!!int` on text that is no integer
            raise _refuse(node, f"{node.value!r} is not an integer; remove the !!int tag or write an integer",
                          "yaml-tag") from None

    def construct_json_bool(self, node: Node) -> bool:
        value = node.value if isinstance(node, ScalarNode) else None
        result = self.bool_values.get(value.lower()) if isinstance(value, str) else None  # type: ignore[attr-defined]
        if result is None:  # an explicit `!!bool` on text that is no boolean
            what = repr(value) if isinstance(value, str) else f"a {type(node).__name__}"
            raise _refuse(node, f"{what} is not a boolean; remove the !!bool tag or write true or false",
                          "yaml-tag")
        return bool(result)

    def construct_ambiguous(self, node: Node) -> Any:
        raise _refuse(node, _ambiguity(self, node.value, key=False) or f"{node.value!r} is read otherwise by Argo "
                      "CD", "yaml-ambiguous")

    #: check plain scalars against go-yaml v2 (Argo CD reads manifests with it); not for gator's suites
    go_yaml_v2 = False

    #: (kind, value, implicit) -> tag; per loader class (their resolvers differ). Plain scalars repeat
    #: across manifests (keys above all), and PyYAML resolves each with a list of regular expressions
    _resolved: dict[Any, str]

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if value is not None and len(value) > _RESOLVED_LENGTH:  # long text is rarely repeated
            return self._resolve_for_argo(kind, value, implicit)
        key = (kind, value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._resolve_for_argo(kind, value, implicit)
            if len(self._resolved) >= _RESOLVED_MAX:
                self._resolved.clear()  # bounded memory (entries x length), whatever the inputs hold
            self._resolved[key] = tag
        return tag

    def _resolve_for_argo(self, kind: Any, value: Any, implicit: Any) -> str:
        """PyYAML's tag, or `_AMBIGUOUS` for a plain scalar go-yaml v2 reads otherwise."""
        tag = str(super().resolve(kind, value, implicit))  # type: ignore[misc]
        if (self.go_yaml_v2 and kind is ScalarNode and implicit[0] and value[:1] in _GO_HINTS
                and goyaml.differs(value, _plain_value(self, value, tag), key=False)):
            return _AMBIGUOUS
        return tag

    #: False when the text holds no `<<`: no mapping can have a merge key, none is looked for
    may_merge = True

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise _refuse(node, f"expected a mapping, found a {type(node).__name__}", "yaml-syntax")
        construct = self.construct_object  # type: ignore[attr-defined]
        merged = 0
        if self.may_merge and any(key.tag == _MERGE for key, _ in node.value):
            # flatten_mapping puts the merged pairs first and drops the `<<` keys: what follows
            # them was written in this mapping, where a key repeated is a duplicate
            written = sum(1 for key, _ in node.value if key.tag != _MERGE)
            self.flatten_mapping(node)  # type: ignore[attr-defined]
            merged = len(node.value) - written
        pairs = node.value
        mapping: dict[Any, Any] = {}
        try:
            for key_node, value_node in pairs[:merged]:
                key = construct(key_node, deep=deep)
                if self.go_yaml_v2 and not isinstance(key, str | bool) and isinstance(key_node, ScalarNode):
                    _check_key(self, key_node, key)
                mapping[key] = construct(value_node, deep=deep)
            seen: dict[Any, Any] = {} if merged else mapping  # the keys written in this mapping
            for key_node, value_node in pairs[merged:] if merged else pairs:
                key = construct(key_node, deep=deep)
                if self.go_yaml_v2 and not isinstance(key, str | bool) and isinstance(key_node, ScalarNode):
                    _check_key(self, key_node, key)
                if key in seen:
                    first = next(k for k, _ in pairs[merged:] if construct(k) == key)
                    raise _refuse(key_node, f"duplicate key {key!r} (first at line {first.start_mark.line + 1}); a "
                                            "key may appear once per mapping: remove or merge the two", "duplicate-key")
                mapping[key] = construct(value_node, deep=deep)
                if merged:
                    seen[key] = True
        except TypeError:
            raise _refuse(node, "a mapping key must be a string, number, boolean or null", "yaml-tag") from None
        return mapping


def _plain_value(loader: Any, text: str, tag: str) -> Any:
    """The value the checker gives the plain scalar `text` resolved to `tag` (a str for a string)."""
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return loader.bool_values.get(text.lower(), text)
    if tag in (_INT, _FLOAT):
        node = ScalarNode(tag, text, _NO_MARK, _NO_MARK)
        try:
            return SafeConstructor.construct_yaml_int(loader, node) if tag == _INT else \
                SafeConstructor.construct_yaml_float(loader, node)
        except ValueError:  # too many digits: the constructor refuses it, naming its length
            return text
    return text


def _ambiguity(loader: Any, text: str, *, key: bool, value: Any = goyaml.STR) -> str | None:
    """The refusal's message when go-yaml v2 reads the plain scalar `text` otherwise than the checker."""
    if value is goyaml.STR:
        value = _plain_value(loader, text, str(super(_JsonConstructor, loader).resolve(ScalarNode, text, _PLAIN)))
    reason = goyaml.differs(text, value, key=key)
    if reason is None:
        return None
    quoted = "'" + text.replace("'", "''") + "'"
    return f"{reason}: quote it ({quoted}) so both read the same string, or write the value unambiguously"


def _check_key(loader: Any, node: ScalarNode, key: Any) -> None:
    """Refuse a non-string mapping key that sigs.k8s.io/yaml refuses or writes otherwise (null, a float,
    an unsigned 64-bit integer), whatever its style."""
    # plain and untagged: the tag is the one the resolver gives the text (libyaml's style is '' or None)
    plain = not node.style and super(_JsonConstructor, loader).resolve(ScalarNode, node.value, _PLAIN) == node.tag
    message = _ambiguity(loader, node.value, key=True, value=key) if plain else None
    if message is None and (key is None or isinstance(key, float) or (isinstance(key, int) and key > 2 ** 63 - 1)):
        message = (f"the mapping key {node.value!r} is {'null' if key is None else 'a number'}, which Argo CD "
                   "refuses or writes otherwise as a key: write the key as a plain string")
    if message is not None:
        raise _refuse(node, message, "yaml-ambiguous")


def _constructors(base: Any, owner: type) -> dict[Any, Any]:
    def scalar(name: str) -> Any:
        return base.yaml_constructors[_TAG + name]

    return {
        _TAG + "null": scalar("null"), _TAG + "bool": owner.construct_json_bool,  # type: ignore[attr-defined]
        _TAG + "str": scalar("str"),
        _TAG + "int": owner.construct_json_int, _TAG + "float": owner.construct_json_float,  # type: ignore[attr-defined]
        _TAG + "seq": scalar("seq"), _TAG + "map": scalar("map"),
        None: owner.construct_undefined,  # type: ignore[attr-defined]
        _AMBIGUOUS: owner.construct_ambiguous,  # type: ignore[attr-defined]
    }


def _resolvers(base: Any, drop: tuple[str, ...]) -> dict[Any, Any]:
    return {first: [(tag, rx) for tag, rx in resolvers if tag not in drop]
            for first, resolvers in base.yaml_implicit_resolvers.items()}


class KubernetesLoader(_JsonConstructor, _Base):
    """YAML as the Kubernetes API reads it: an unquoted date is a string, `=` is a string."""


KubernetesLoader.yaml_constructors = _constructors(_Base, KubernetesLoader)
KubernetesLoader._resolved = {}
KubernetesLoader.go_yaml_v2 = True
KubernetesLoader.yaml_implicit_resolvers = _resolvers(_Base, (_TAG + "timestamp", _TAG + "value"))


class Yaml12Loader(_JsonConstructor, _Base):
    """YAML 1.2 core booleans (true/false only: `yes`/`no` stay strings), as gator reads suites."""


Yaml12Loader.yaml_constructors = _constructors(_Base, Yaml12Loader)
Yaml12Loader._resolved = {}
Yaml12Loader.yaml_implicit_resolvers = _resolvers(_Base, (_TAG + "timestamp", _TAG + "value", _TAG + "bool"))
Yaml12Loader.add_implicit_resolver(
    _TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _nesting_bound(text: str) -> int:
    """An upper bound on a document's nesting, from C-speed counts (brackets inside strings only
    make it larger)."""
    flow = text.count("[") + text.count("{")
    if flow > MAX_DEPTH:
        return flow
    if flow <= _FEW_BRACKETS and not _LONG_PREFIX.search(text):  # the common case, without a list
        return flow + 2 * _LONG
    prefix = max((len(m) for m in _LINE_PREFIX.findall(text)), default=0)
    return flow + 2 * (prefix + 1)


def _check_nesting(text: str, loader: type) -> None:
    """The exact nesting from libyaml's event stream (no recursion), stopping at MAX_DEPTH + 1."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark is not None else None
                    raise InputError(f"nesting deeper than {MAX_DEPTH} levels; flatten the data", line, "input-limit")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the parse proper reports syntax errors, with their position


def _check_aliases(root: Node) -> None:
    """Refuse recursive aliases and documents that aliases expand past the budget or MAX_DEPTH.

    Sizes and depths are memoised per node, so the walk is linear in the nodes libyaml built."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if depth[key] > MAX_DEPTH:
                raise _refuse(node, f"aliases nest this node deeper than {MAX_DEPTH} levels; write the data "
                                    "without anchors", "input-limit")
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise _refuse(node, "recursive alias: an anchored node contains an alias to itself; JSON data cannot "
                                "be recursive", "input-limit")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    added = size[id(root)] - len(size)
    if added > MAX_ALIAS_NODES:
        raise _refuse(root, f"aliases expand this document by {added:,} nodes; at most {MAX_ALIAS_NODES:,} "
                            "are allowed (an alias bomb?): write the data without anchors", "input-limit")


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _General(Exception):
    """This node is not of the common shape `_build` handles: construct the document the general way."""


_STR, _MAP, _SEQ, _NULL = _TAG + "str", _TAG + "map", _TAG + "seq", _TAG + "null"


def _build(loader: Any, node: Node) -> Any:
    """The JSON value of a tree without anchors, aliases or merge keys, whose mapping keys are distinct
    strings: what every generated manifest is. Equal to `construct_document` (a test compares them on
    every kind of input), about twice as fast, because it skips PyYAML's per-node bookkeeping for
    shared nodes. Anything else raises `_General`, and the general constructor decides."""
    tag, kind = node.tag, type(node)
    if kind is ScalarNode:
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        constructor = loader.yaml_constructors.get(tag)
        if constructor is None or tag in (_MAP, _SEQ):
            raise _General
        return constructor(loader, node)  # numbers and booleans, with their refusals
    if kind is MappingNode and tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode or key_node.tag != _STR or key_node.value in mapping:
                raise _General
            mapping[key_node.value] = _build(loader, value_node)
        return mapping
    if kind is SequenceNode and tag == _SEQ:
        return [_build(loader, child) for child in node.value]
    raise _General


_BOOL, _INT, _FLOAT = _TAG + "bool", _TAG + "int", _TAG + "float"
_PLAIN = (True, False)  # the `implicit` libyaml gives the resolver for a plain scalar
_NO_MARK = yaml.Mark("", 0, 0, 0, "", 0)


class _Scalars:
    """Plain scalars resolved and built exactly as KubernetesLoader does (YAML 1.1 as Kubernetes
    reads it), for yamlsubset."""

    def __init__(self) -> None:
        self.loader = KubernetesLoader("")  # never parses: its resolver and constructors are used

    def value(self, text: str) -> Any:
        tag = self.loader.resolve(ScalarNode, text, _PLAIN)
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag not in (_BOOL, _INT, _FLOAT):
            raise yamlsubset.Outside  # a merge key `<<` as a value, and the like
        try:
            return self.loader.yaml_constructors[tag](self.loader, ScalarNode(tag, text, _NO_MARK, _NO_MARK))
        except InputError:  # `.inf`, an integer too long: libyaml's path words the refusal, with its line
            raise yamlsubset.Outside from None

    def key_is_string(self, text: str) -> bool:
        return bool(self.loader.resolve(ScalarNode, text, _PLAIN) == _STR)


_subset: yamlsubset.SubsetReader | None = None


def _load_subset(text: str) -> Any:
    """The document's value by yamlsubset, or yamlsubset.Outside."""
    global _subset
    if _subset is None:
        scalars = _Scalars()
        _subset = yamlsubset.SubsetReader(scalars.value, scalars.key_is_string, max_depth=MAX_DEPTH,
                                          memo_max=_RESOLVED_MAX, memo_length=_RESOLVED_LENGTH)
    try:
        return _subset.parse(text)
    except RecursionError:  # pragma: no cover - max_depth keeps it far away
        raise yamlsubset.Outside from None


def _syntax_error(exc: yaml.YAMLError) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return InputError(f"invalid YAML: {problem}")
    return InputError(f"invalid YAML: {problem}", mark.line + 1, "yaml-syntax", mark.column + 1)


def load_yaml(text: str, *, yaml12: bool = False) -> Any:
    """The one document of `text` (None when empty); an InputError when it is refused."""
    loader_class = Yaml12Loader if yaml12 else KubernetesLoader
    check_text(text)
    if SUBSET_READER and not yaml12:
        try:
            return _load_subset(text)
        except yamlsubset.Outside:
            pass  # libyaml reads it (or refuses it, saying why)
    if _nesting_bound(text) > MAX_DEPTH:
        _check_nesting(text, loader_class)
    loader = loader_class(text)
    loader.may_merge = "<<" in text
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        shared = "&" in text and "*" in text  # no anchor or no alias: nothing can be shared
        if shared:
            _check_aliases(node)
        elif not loader.may_merge:
            try:
                return _build(loader, node)
            except _General:
                pass  # PyYAML's constructor gives the value or the exact refusal
        return loader.construct_document(node)
    except InputError:
        raise
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps Python's recursion far away
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels; flatten the data", None, "input-limit") from None
    finally:
        loader.dispose()


def compose(text: str) -> Node | None:
    """The node tree of the one document of `text`, with line marks and no values built (an alias stays one
    shared node, so nothing expands): for pointing at a field. The same size, encoding and nesting limits
    as `load_yaml`; an InputError when it is refused."""
    check_text(text)
    if _nesting_bound(text) > MAX_DEPTH:
        _check_nesting(text, KubernetesLoader)
    loader = KubernetesLoader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from None
    finally:
        loader.dispose()


# -- JSON ----------------------------------------------------------------------------------------
def _refuse_constant(name: str) -> Any:
    raise InputError(f"{name} is not a JSON number; quote it if it is meant as a string", None, "yaml-tag")


def load_json(text: str) -> Any:
    """A JSON document with the same rules (duplicate keys, no NaN/Infinity, bounded nesting)."""
    check_text(text)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                raise InputError(f"duplicate key {key!r}; a key may appear once per object: remove or merge the two",
                                 _line_of(text, _second(text, key)), "duplicate-key")
            mapping[key] = value
        return mapping

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=_refuse_constant)
    except InputError:
        raise
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", exc.lineno, "yaml-syntax") from None
    except RecursionError:
        raise InputError("nesting too deep for JSON; flatten the data", None, "input-limit") from None
    except ValueError as exc:  # an integer with more digits than Python converts
        raise InputError(f"invalid JSON: {exc}", None, "input-limit") from None


def _second(text: str, key: str) -> int:
    """Where a duplicate JSON key is written the second time (json keeps no positions)."""
    quoted = json.dumps(key)
    first = text.find(quoted)
    second = text.find(quoted, first + 1) if first >= 0 else -1
    return max(second, 0)


def load(text: str, file: str = "", *, yaml12: bool = False) -> Any:
    """One document, as JSON when the file name says so, else as YAML."""
    return load_json(text) if file.endswith(".json") else load_yaml(text, yaml12=yaml12)

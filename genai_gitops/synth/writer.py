"""Deterministic YAML files (the swap of the output folders is synth/swap.py)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from genai_gitops import goyaml
from genai_gitops.synth.previous import PreviousFolder

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _BlockDumper(_Dumper):
    """Multi-line strings (config files in ConfigMaps) as readable `|` blocks; a string Argo CD would read
    as something else when plain (`y`, `1e3`, `09`) is quoted."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        tag = super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode and implicit[0] and tag == _STR and goyaml.resolve(value) is not goyaml.STR:
            return _GO_OTHER
        return tag


def _str(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
#: what the resolver answers for a string PyYAML reads back plain but go-yaml v2 (Argo CD) does not: no
#: string's tag, so the emitter quotes it (safeyaml refuses such a plain scalar on reading)
_GO_OTHER = "tag:genai-gitops,2026:not-a-string-to-go-yaml"


_DEFAULT_TAGS = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


@functools.lru_cache(maxsize=1 << 16)
def _plain_scalar_tag(value: str) -> str:
    """The tag a plain scalar would be read back as (`true`, `1.5`, `~` are not strings; nor, for Argo CD's
    go-yaml v2, `y` or `1e3`), which decides whether the emitter quotes it: a pure function of the text,
    and keys and common values repeat."""
    tag = str(yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)))
    return _GO_OTHER if tag == _STR and goyaml.resolve(value) is not goyaml.STR else tag


class _JsonTreeDumper(_BlockDumper):
    """The same documents as `_BlockDumper`, built faster for a tree parsed from JSON (a chart's objects).

    PyYAML's generic representer looks up a representer per value and tracks every dict and list for
    anchors; a tree from `json.loads` shares no node (no anchor can arise), so dicts, lists and JSON
    scalars become nodes directly, with the tags and styles the safe representer gives them (block
    style, `|` for multi-line strings). Anything else takes the generic path. Rendering 1,000 tenants
    dumps ~30,000 objects: this was a quarter of a render worker's Python time.
    """

    def represent_data(self, data: Any) -> Any:
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data, style="|" if "\n" in data else None)
        if kind is dict:
            node = self.represent_data
            return yaml.MappingNode(_MAP, [(node(k), node(v)) for k, v in data.items()], flow_style=False)
        if kind is list:
            return yaml.SequenceNode(_SEQ, [self.represent_data(item) for item in data], flow_style=False)
        if kind is bool:
            return yaml.ScalarNode(_BOOL, "true" if data else "false")
        if kind is int:
            return yaml.ScalarNode(_INT, str(data))
        if data is None:
            return yaml.ScalarNode(_NULL, "null")
        return super().represent_data(data)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if self.yaml_path_resolvers or not isinstance(self, yaml.resolver.Resolver):
            return super().resolve(kind, value, implicit)  # tags would depend on the path or the class
        if kind is yaml.ScalarNode and implicit[0]:
            return _plain_scalar_tag(value)
        return _DEFAULT_TAGS[kind]


class _Outside(Exception):
    """A value the direct writer does not emit itself: the whole document goes to libyaml instead."""


#: libyaml's scalar analysis (PyYAML's pure emitter holds the same rules; it reads only `allow_unicode`)
_ANALYSER: Any = type("_Analyser", (), {"allow_unicode": True})()
_BREAK_HEAD = (" ", "\n")


@functools.lru_cache(maxsize=1 << 16)
def _scalar_text(value: str, key: bool) -> str:
    """How the emitter writes `value` as a block-mapping key or a block value (`|` blocks excepted): plain
    when that reads back as the same string, else single-quoted. Only single-line printable ASCII, not long,
    where those are the only two outcomes; anything else raises `_Outside`."""
    # a longer key is no simple key (libyaml: under 128 characters); a long value could wrap at the width
    if len(value) > (120 if key else 2000) or not value.isascii() or not value.isprintable():
        raise _Outside
    analysis = yaml.emitter.Emitter.analyze_scalar(_ANALYSER, value)
    if (_plain_scalar_tag(value) == _STR and analysis.allow_block_plain
            and not (key and (analysis.empty or analysis.multiline))):
        return value
    if analysis.allow_single_quoted and not analysis.multiline:
        return "'" + value.replace("'", "''") + "'"
    raise _Outside


@functools.lru_cache(maxsize=1 << 12)
def _literal_lines(value: str) -> tuple[str, tuple[str, ...]]:
    """A multi-line string as the emitter writes it in `|` style: the header and the lines (an empty line
    is written without indentation). Raises `_Outside` where the emitter would choose otherwise or add
    an indentation or keep (`+`) indicator."""
    if not value.isascii() or value[0] in _BREAK_HEAD or value.endswith("\n\n") or \
            not all(line.isprintable() for line in value.split("\n")):
        raise _Outside
    if not yaml.emitter.Emitter.analyze_scalar(_ANALYSER, value).allow_block:
        raise _Outside
    body = value[:-1] if value.endswith("\n") else value
    return ("|" if value.endswith("\n") else "|-"), tuple(body.split("\n"))


def _write_value(out: list[str], value: Any, indent: int) -> None:
    """`value` after a `key:` or `- ` already written, its nested lines at `indent`."""
    kind = type(value)
    if kind is str:
        if "\n" in value:
            header, lines = _literal_lines(value)
            pad = " " * indent
            out.append(" " + header + "\n")
            out.extend(pad + line + "\n" if line else "\n" for line in lines)
        else:
            out.append(" " + _scalar_text(value, False) + "\n")
    elif kind is dict:
        if value:
            out.append("\n")
            _write_mapping(out, value, indent, " " * indent)
        else:
            out.append(" {}\n")
    elif kind is list:
        if value:
            out.append("\n")
            _write_sequence(out, value, indent - 2, " " * (indent - 2))
        else:
            out.append(" []\n")
    elif kind is bool:
        out.append(" true\n" if value else " false\n")
    elif kind is int:
        out.append(f" {value}\n")
    elif value is None:
        out.append(" null\n")
    else:
        raise _Outside


def _write_mapping(out: list[str], mapping: dict, indent: int, first: str) -> None:
    """Entries at `indent`; the first one's prefix is `first` (after `- ` it is nothing)."""
    prefix = first
    for key, value in mapping.items():
        if type(key) is not str:
            raise _Outside
        out.append(prefix + _scalar_text(key, True) + ":")
        _write_value(out, value, indent + 2)
        prefix = " " * indent


def _write_sequence(out: list[str], sequence: list, indent: int, first: str) -> None:
    """Items `- ` at `indent` (under a mapping key, at the key's own column, as PyYAML writes them)."""
    prefix = first
    for item in sequence:
        kind = type(item)
        if kind is dict and item:
            out.append(prefix + "- ")
            _write_mapping(out, item, indent + 2, "")
        elif kind is list and item:
            out.append(prefix + "- ")
            _write_sequence(out, item, indent + 2, "")
        else:
            out.append(prefix + "-")
            _write_value(out, item, indent + 2)
        prefix = " " * indent


def dump(obj: Any) -> str:
    # key order is the constructs' own (stable); width keeps long strings on one line
    return yaml.dump(obj, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False, width=4096,
                     allow_unicode=True)


def dump_json_tree(obj: Any) -> str:
    """`dump(obj)` for a tree that shares no dict or list between two places (one parsed from JSON).

    A document of plain block YAML (mappings, sequences, ASCII strings plain or single-quoted, `|` blocks,
    integers, booleans, nulls: what charts hold) is written here directly, byte for byte as libyaml
    writes it (tests/synth/test_writer.py compares both on generated repositories and on random trees);
    anything else, anywhere in the document, sends the whole document through libyaml.
    """
    if type(obj) is dict and obj:
        out: list[str] = []
        try:
            _write_mapping(out, obj, 0, "")
            return "".join(out)
        except _Outside:
            pass
    return yaml.dump(obj, Dumper=_JsonTreeDumper, sort_keys=False, default_flow_style=False, width=4096,
                     allow_unicode=True)


class FileNameClash(Exception):
    pass


def file_name(obj: dict[str, Any], taken: set[str]) -> str:
    """`<Kind>-<name>.yaml`; the namespace joins the name only when two objects would clash."""
    kind = obj.get("kind", "Object")
    meta = obj.get("metadata", {})
    name = f"{kind}-{meta.get('name', 'unnamed')}.yaml"
    if name in taken:
        name = f"{kind}-{meta.get('namespace', '')}-{meta.get('name', 'unnamed')}.yaml"
    if name in taken:
        raise FileNameClash(f"two objects would be written to {name}")
    taken.add(name)
    return name


def write_app(folder: Path, files: Iterable[tuple[str, str]], previous: PreviousFolder | None = None) -> int:
    """Write each file into `folder`; one byte-identical in `previous` (the same app's folder in the
    current tree) is hard-linked instead: file creation and deletion dominate a large synth on a slow disk."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, text in files:
        path = folder / name
        if previous is None or not previous.link(name, text.encode("utf-8"), path):
            path.write_text(text, encoding="utf-8")
        count += 1
    return count

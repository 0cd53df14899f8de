"""Deterministic YAML files (the swap of the output folders is synth/swap.py)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _BlockDumper(_Dumper):
    """Multi-line strings (config files in ConfigMaps) as readable `|` blocks."""


def _str(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


_DEFAULT_TAGS = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


@functools.lru_cache(maxsize=1 << 16)
def _plain_scalar_tag(value: str) -> str:
    """The tag a plain scalar would be read back as (`true`, `1.5`, `~` are not strings), which decides
    whether the emitter quotes it: a pure function of the text, and keys and common values repeat."""
    return str(yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)))


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


def dump(obj: Any) -> str:
    # key order is the constructs' own (stable); width keeps long strings on one line
    return yaml.dump(obj, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False, width=4096,
                     allow_unicode=True)


def dump_json_tree(obj: Any) -> str:
    """`dump(obj)` for a tree that shares no dict or list between two places (one parsed from JSON)."""
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


def write_app(folder: Path, files: Iterable[tuple[str, str]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
        count += 1
    return count

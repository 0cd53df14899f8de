"""Deterministic YAML files (the swap of the output folders is synth/swap.py)."""

from __future__ import annotations

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


def dump(obj: Any) -> str:
    # key order is the constructs' own (stable); width keeps long strings on one line
    return yaml.dump(obj, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False, width=4096,
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

"""Where a field of a data file is written: `quotas.cpus` -> the line of `cpus:` in tenants/acme.yaml.

Problems name a file and a dotted field; CI annotations (SARIF, JUnit) want a line too. The file is
composed again (nodes keep their marks; the model loader keeps only values), which is cheap for one
file with a problem and never runs on a clean run.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from genai_gitops import safeyaml

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_YAML_LINE = re.compile(r"^line (\d+), column \d+: ")


def field_path(field: str) -> list[str | int]:
    """`mcp_servers[1].auth_token` -> ["mcp_servers", 1, "auth_token"]."""
    return [int(index) if index else name for name, index in _PART.findall(field)]


def field_line(file: str | Path, field: str, message: str = "") -> int | None:
    """The 1-based line of `field` in `file` (the deepest part that exists), or None when unknown.

    A YAML syntax problem carries its line in the message (`line 3, column 7: invalid YAML ...`).
    """
    if match := _YAML_LINE.match(message):
        return int(match.group(1))
    try:
        node = safeyaml.compose(safeyaml.read_file(file))
    except (OSError, safeyaml.InputError):
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1 if not field else None
    for part in field_path(field):
        child = _child(node, part)
        if child is None:
            break
        key, node = child
        line = key.start_mark.line + 1
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(the node that names `part`, its value): a mapping key and value, or a list item twice."""
    if isinstance(part, int) and isinstance(node, yaml.SequenceNode):
        return (node.value[part], node.value[part]) if 0 <= part < len(node.value) else None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
    return None

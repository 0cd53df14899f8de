"""Connectivity changes between two sets of connections, and their markdown for a pull request.

`connectivity_diff(before, after)` compares exactly (per workload pair, port and address), so a
policy rewritten with the same meaning shows no change, and a widened ipBlock shows only the
addresses it added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from genai_gitops.validators.isolation.connectivity import Connection, connectivity_diff

__all__ = ["connectivity_diff", "render_changes_markdown"]

#: rows shown before the rest fold into <details>
VISIBLE_ROWS = 30
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>|~#])")


def _cell(value: object) -> str:
    """Manifests come from the pull request: nothing in a cell may become a link, image or HTML."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", str(value)).replace("\n", " ")


def render_changes_markdown(added: Sequence[Connection], removed: Sequence[Connection], *,
                            title: str = "Connectivity changes") -> str:
    out = [f"#### {_cell(title)}", ""]
    if not added and not removed:
        return "\n".join([*out, "No change in what the NetworkPolicies allow.", ""])
    out += [f"**{len(added)} allowed connection(s) added, {len(removed)} removed**", ""]
    rows = [("➕ added", c) for c in sorted(added)] + [("➖ removed", c) for c in sorted(removed)]  # noqa: RUF001

    def table(chunk: Sequence[tuple[str, Connection]]) -> list[str]:
        lines = ["| | From | To | Ports |", "|---|---|---|---|"]
        lines += [f"| {change} | {_cell(c.source)} | {_cell(c.destination)} | {_cell(c.ports)} |"
                  for change, c in chunk]
        return lines

    out += table(rows[:VISIBLE_ROWS])
    if len(rows) > VISIBLE_ROWS:
        out += ["", "<details>", f"<summary>{len(rows) - VISIBLE_ROWS} more</summary>", "",
                *table(rows[VISIBLE_ROWS:]), "", "</details>"]
    return "\n".join(out) + "\n"

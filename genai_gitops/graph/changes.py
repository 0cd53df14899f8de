"""Connectivity changes between two sets of connections, and their markdown for a pull request.

`connectivity_diff(before, after)` compares exactly (per workload pair, port and address), so a
policy rewritten with the same meaning shows no change, and a widened ipBlock shows only the
addresses it added. `connectivity_section(before_dist, after_dist)` does it for two dist/ trees,
cluster by cluster, with the same analysis as the isolation check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from genai_gitops.graph.mermaid import render_mermaid
from genai_gitops.graph.source import dist_graph
from genai_gitops.model.loader import Platform
from genai_gitops.validators.isolation.connectivity import Connection, Endpoint, connectivity_diff
from genai_gitops.validators.isolation.workspace import PROBE_NAMESPACE

__all__ = ["connectivity_changes", "connectivity_diff", "connectivity_section", "render_changes_markdown",
           "render_changes_text"]

Changes = dict[str, tuple[list[Connection], list[Connection]]]

#: rows shown before the rest fold into <details>
VISIBLE_ROWS = 30
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>|~#])")


def _cell(value: object) -> str:
    """Manifests come from the pull request: nothing in a cell may become a link, image or HTML."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", str(value)).replace("\n", " ")


def describe_endpoint(endpoint: Endpoint) -> str:
    """The isolation analysis's stand-in namespace is internal: a reader sees what it stands for."""
    return "any other tenant" if endpoint.namespace == PROBE_NAMESPACE else str(endpoint)


def describe_connection(connection: Connection) -> str:
    return f"{describe_endpoint(connection.source)} -> {describe_endpoint(connection.destination)}:{connection.ports}"


def connectivity_changes(before: Path, after: Path, *, platform: Platform | None = None) -> Changes:
    """cluster -> (added, removed) between two dist/ trees; clusters without a change are left out.

    A cluster folder present on one side only counts as empty on the other.
    """
    clusters = sorted({p.name for tree in (before, after) if tree.is_dir() for p in tree.iterdir()
                       if p.is_dir() and not p.name.startswith(".")})
    changes: Changes = {}
    for cluster in clusters:
        old, new = (dist_graph(tree, platform=platform, cluster=cluster).connections(cluster)
                    if (tree / cluster).is_dir() else [] for tree in (before, after))
        added, removed = connectivity_diff(old, new)
        if added or removed:
            changes[cluster] = (added, removed)
    return changes


def connectivity_section(before: Path, after: Path, *, markdown: bool = True,
                         platform: Platform | None = None) -> str:
    """The "Connectivity changes" part of `genai-gitops diff` (markdown for a PR comment, or text)."""
    changes = connectivity_changes(before, after, platform=platform)
    if not markdown:
        return render_changes_text(changes)
    if not changes:
        return render_changes_markdown([], [])
    parts = []
    for cluster, (added, removed) in changes.items():
        parts.append(render_changes_markdown(added, removed, title=f"Connectivity changes: {cluster}"))
        # a picture of each changed tenant as it will be, so a reviewer sees the whole neighbourhood
        tenants = sorted({e.namespace for c in (*added, *removed) for e in (c.source, c.destination)
                          if e.namespace.startswith("tenant-")})
        for namespace in tenants:
            if not (after / cluster).is_dir():
                continue
            graph = dist_graph(after, platform=platform, cluster=cluster, tenant=namespace)
            parts.append(f"\n<details><summary>{namespace} after the change</summary>\n\n```mermaid\n"
                         f"{render_mermaid(graph).rstrip()}\n```\n\n</details>\n")
    return "".join(parts)


def render_changes_text(changes: Changes) -> str:
    if not changes:
        return "Connectivity: no change in what the NetworkPolicies allow.\n"
    out = ["Connectivity changes:"]
    for cluster, (added, removed) in changes.items():
        out.append(f"  {cluster}:")
        out += [f"    + {describe_connection(c)}" for c in sorted(added)]
        out += [f"    - {describe_connection(c)}" for c in sorted(removed)]
    return "\n".join(out) + "\n"


def render_changes_markdown(added: Sequence[Connection], removed: Sequence[Connection], *,
                            title: str = "Connectivity changes") -> str:
    out = [f"#### {_cell(title)}", ""]
    if not added and not removed:
        return "\n".join([*out, "No change in what the NetworkPolicies allow.", ""])
    out += [f"**{len(added)} allowed connection(s) added, {len(removed)} removed**", ""]
    rows = [("➕ added", c) for c in sorted(added)] + [("➖ removed", c) for c in sorted(removed)]  # noqa: RUF001

    def table(chunk: Sequence[tuple[str, Connection]]) -> list[str]:
        lines = ["| | From | To | Ports |", "|---|---|---|---|"]
        lines += [f"| {change} | {_cell(describe_endpoint(c.source))} | {_cell(describe_endpoint(c.destination))} "
                  f"| {_cell(c.ports)} |"
                  for change, c in chunk]
        return lines

    out += table(rows[:VISIBLE_ROWS])
    if len(rows) > VISIBLE_ROWS:
        out += ["", "<details>", f"<summary>{len(rows) - VISIBLE_ROWS} more</summary>", "",
                *table(rows[VISIBLE_ROWS:]), "", "</details>"]
    return "\n".join(out) + "\n"

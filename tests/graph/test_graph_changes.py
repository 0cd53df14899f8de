"""Connectivity changes as a pull-request comment."""

from __future__ import annotations

import shutil
from pathlib import Path

from genai_gitops.graph import connectivity_diff, render_changes_markdown
from genai_gitops.graph.changes import connectivity_section
from genai_gitops.validators.isolation.addresses import AddressSet
from genai_gitops.validators.isolation.connectivity import Connection, Endpoint
from genai_gitops.validators.isolation.ports import PortSet

WEB, DB = Endpoint("tenant-a", "web"), Endpoint("tenant-a", "db")


def tcp(*ports: int) -> PortSet:
    return PortSet.of(("TCP", p, p) for p in ports)


def test_changes_table() -> None:
    vpc = Endpoint.external(AddressSet.from_cidr("10.20.0.0/16"))
    added, removed = connectivity_diff([Connection(WEB, DB, tcp(5432))],
                                       [Connection(WEB, DB, tcp(5432)), Connection(WEB, vpc, tcp(443))])
    text = render_changes_markdown(added, removed)
    assert text.splitlines() == [
        "#### Connectivity changes", "",
        "**1 allowed connection(s) added, 0 removed**", "",
        "| | From | To | Ports |", "|---|---|---|---|",
        "| ➕ added | tenant-a/web | 10.20.0.0/16 | 443 |",  # noqa: RUF001
    ]


def test_no_change_says_so() -> None:
    assert "No change" in render_changes_markdown([], [])


def test_cells_from_manifests_are_escaped() -> None:
    evil = Endpoint("tenant-a", "[x](https://evil.example)|<img>")
    text = render_changes_markdown([Connection(evil, DB, tcp(1))], [])
    assert "\\[x\\](https://evil.example)\\|\\<img\\>" in text


def test_connectivity_section_of_two_dist_trees(synthesized: Path, tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    for tree in (before, after):
        shutil.copytree(synthesized / "dist" / "customer-us-1", tree / "customer-us-1")
    assert "No change" in connectivity_section(before, after)
    path = after / "customer-us-1" / "tenant-globex-guardrails" / "NetworkPolicy-allow-redis.yaml"
    path.unlink()
    text = connectivity_section(before, after)
    assert text.startswith("#### Connectivity changes: customer-us-1\n")
    assert "| ➖ removed | tenant-globex/open-webui | tenant-globex/redis | 6379 |" in text  # noqa: RUF001
    plain = connectivity_section(before, after, markdown=False)
    assert "    - tenant-globex/open-webui -> tenant-globex/redis:6379" in plain.splitlines()

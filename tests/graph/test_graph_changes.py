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


def test_a_new_tenant_adds_flows_and_removes_none(data_copy: Path) -> None:
    """Defect 4: the base tree lacks the tenant the data already has; nothing may read as removed."""
    from genai_gitops.model import load_platform
    from genai_gitops.model.scaffold import tenant_yaml
    from genai_gitops.model.tenant import UsageMode
    from genai_gitops.synth import synthesize_platform

    cluster = load_platform(data_copy / "tenants", data_copy / "clusters.yaml").inventory.by_name()["customer-eu-1"]
    (data_copy / "tenants" / "umbrella.yaml").write_text(tenant_yaml("umbrella", cluster, UsageMode.LOCAL))
    platform = load_platform(data_copy / "tenants", data_copy / "clusters.yaml")
    after, before = data_copy / "after", data_copy / "before"
    synthesize_platform(platform, after, clusters=["customer-eu-1"])
    shutil.copytree(after, before)
    for folder in (before / "customer-eu-1").glob("tenant-umbrella*"):
        shutil.rmtree(folder)

    text = connectivity_section(before, after, markdown=False, platform=platform)
    internet = "0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 203.0.113.0/28"
    assert text.splitlines() == [
        "Connectivity changes:",
        "  customer-eu-1:",
        "    + envoy-gateway-system/envoy -> tenant-umbrella/acme-http01-solver:8089",
        "    + envoy-gateway-system/envoy -> tenant-umbrella/open-webui:8080",
        "    + monitoring/prometheus -> tenant-umbrella/qdrant:6333",
        f"    + tenant-umbrella/backup-qdrant -> {internet}:443",
        "    + tenant-umbrella/backup-qdrant -> kube-system/kube-dns:53, 53/UDP",
        "    + tenant-umbrella/backup-qdrant -> tenant-umbrella/qdrant:6333",
        f"    + tenant-umbrella/ollama -> {internet}:443",
        "    + tenant-umbrella/ollama -> kube-system/kube-dns:53, 53/UDP",
        f"    + tenant-umbrella/open-webui -> {internet}:443",
        "    + tenant-umbrella/open-webui -> 10.20.240.0/24:5432",
        "    + tenant-umbrella/open-webui -> kube-system/kube-dns:53, 53/UDP",
        "    + tenant-umbrella/open-webui -> tenant-umbrella/ollama:11434",
        "    + tenant-umbrella/open-webui -> tenant-umbrella/qdrant:6333-6334",
        "    + tenant-umbrella/open-webui -> tenant-umbrella/redis:6379",
        "    + tenant-umbrella/qdrant -> kube-system/kube-dns:53, 53/UDP",
        "    + tenant-umbrella/redis -> kube-system/kube-dns:53, 53/UDP",
    ]
    markdown = connectivity_section(before, after, platform=platform)
    assert "**16 allowed connection(s) added, 0 removed**" in markdown
    assert "removed |" not in markdown and "new-tenant-probe" not in markdown


def test_the_stand_in_for_other_tenants_is_named_for_people() -> None:
    from genai_gitops.graph.changes import render_changes_text
    from genai_gitops.validators.isolation.workspace import PROBE_NAMESPACE

    leak = Connection(WEB, Endpoint(PROBE_NAMESPACE, "any-pod"), tcp(80))
    assert render_changes_text({"eu-1": ([leak], [])}) == "Connectivity changes:\n  eu-1:\n" \
        "    + tenant-a/web -> any other tenant:80\n"
    assert "| ➕ added | tenant-a/web | any other tenant | 80 |" in render_changes_markdown([leak], [])  # noqa: RUF001

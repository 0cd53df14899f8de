"""Mermaid and DOT drawn from what nca computed for the synthesised example data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genai_gitops.graph import ConnectivityGraph, Role, dist_graph, render_dot, render_mermaid
from genai_gitops.graph.source import GraphSourceError
from genai_gitops.model.loader import Platform

NODE_ID = re.compile(r"^\s+(\w+)[\[(]")


@pytest.fixture(scope="module")
def acme(synthesized: Path, platform: Platform) -> ConnectivityGraph:
    return dist_graph(synthesized / "dist", platform=platform, tenant="acme")


def test_one_tenant_with_its_peers_only(acme: ConnectivityGraph) -> None:
    assert acme.errors == ()
    assert acme.clusters == ["customer-eu-1"]
    namespaces = acme.namespaces("customer-eu-1")
    assert "tenant-acme" in namespaces and "tenant-initech" not in namespaces
    assert {"envoy-gateway-system", "kube-system"} <= set(namespaces)
    assert not [n for n in acme.nodes if n.role is Role.OTHER_TENANT]
    assert not [e for e in acme.edges if e.cross_tenant]


def test_mermaid_renders_namespaces_workloads_and_ports(acme: ConnectivityGraph) -> None:
    text = render_mermaid(acme)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  subgraph ns_customer_eu_1__tenant_acme["tenant-acme"]' in lines
    for workload in ("open-webui", "redis", "ollama", "qdrant", "mcp-jira"):
        node = workload.replace("-", "_")
        assert f'    wl_customer_eu_1__tenant_acme__{node}["{workload}"]' in lines
    assert '  wl_customer_eu_1__tenant_acme__open_webui -->|"6379"| wl_customer_eu_1__tenant_acme__redis' in lines
    assert '  wl_customer_eu_1__envoy_gateway_system__envoy -->|"8080"| wl_customer_eu_1__tenant_acme__open_webui' \
        in lines
    # acme's own database block (database_endpoints), not the data subnet it shares with initech
    assert '  wl_customer_eu_1__tenant_acme__open_webui -->|"5432"| ext_database' in lines
    assert '  ext_database(["database: 10.20.240.16/28"])' in lines
    # every node id is sanitised; every subgraph is closed
    ids = [m.group(1) for line in lines if (m := NODE_ID.match(line))]
    assert ids and all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i in ids)
    assert sum(1 for line in lines if line.strip().startswith("subgraph ")) == \
        sum(1 for line in lines if line.strip() == "end")


def test_labels_from_manifests_cannot_break_out(acme: ConnectivityGraph) -> None:
    from dataclasses import replace

    from genai_gitops.validators.isolation.connectivity import Endpoint

    node = acme.nodes[0]
    evil = replace(node, endpoint=Endpoint(node.endpoint.namespace, 'x"] --> y["<b>'))
    text = render_mermaid(ConnectivityGraph(nodes=(evil,)))
    assert '"] -->' not in text and "<b>" not in text
    assert "x#quot;] --#gt; y[#quot;#lt;b#gt;" in text


def test_dot_draws_namespaces_as_clusters(acme: ConnectivityGraph) -> None:
    text = render_dot(acme, title="acme")
    assert text.startswith('digraph "acme" {')
    assert "subgraph cluster_ns_customer_eu_1__tenant_acme {" in text
    assert 'wl_customer_eu_1__tenant_acme__open_webui -> wl_customer_eu_1__tenant_acme__redis [label="6379"];' in text


def test_cross_tenant_edges_are_drawn_as_violations(synthesized: Path, platform: Platform, tmp_path: Path) -> None:
    import shutil

    import yaml

    dist = tmp_path / "dist"
    shutil.copytree(synthesized / "dist" / "customer-eu-1", dist / "customer-eu-1")
    path = dist / "customer-eu-1" / "tenant-initech-guardrails" / "NetworkPolicy-allow-open-webui.yaml"
    policy = yaml.safe_load(path.read_text())
    policy["spec"]["ingress"].append({"from": [{"namespaceSelector": {
        "matchLabels": {"kubernetes.io/metadata.name": "tenant-acme"}}}], "ports": [{"port": 8080}]})
    path.write_text(yaml.safe_dump(policy))
    graph = dist_graph(dist, platform=platform, tenant="initech")
    (edge,) = [e for e in graph.edges if e.cross_tenant]
    assert (str(edge.source), str(edge.destination), edge.label) == (
        "tenant-acme/any-pod", "tenant-initech/open-webui", "8080")
    text = render_mermaid(graph)
    index = [line for line in text.splitlines() if "-->" in line].index(
        '  wl_customer_eu_1__tenant_acme__any_pod -->|"8080"| wl_customer_eu_1__tenant_initech__open_webui')
    assert f"  linkStyle {index} stroke:#d00,stroke-width:2px" in text
    assert "  class wl_customer_eu_1__tenant_acme__any_pod violation" in text


def test_unknown_tenant_or_cluster_is_a_clear_error(synthesized: Path, platform: Platform) -> None:
    with pytest.raises(GraphSourceError, match="no tenant 'nobody'"):
        dist_graph(synthesized / "dist", platform=platform, tenant="nobody")
    with pytest.raises(GraphSourceError, match="no cluster 'mars-1'"):
        dist_graph(synthesized / "dist", platform=platform, cluster="mars-1")


def test_without_data_each_folder_is_a_cluster(synthesized: Path) -> None:
    graph = dist_graph(synthesized / "dist", cluster="customer-us-1")
    assert graph.clusters == ["customer-us-1"]
    assert "tenant-globex" in graph.namespaces("customer-us-1")

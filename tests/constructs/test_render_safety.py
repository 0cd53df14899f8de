"""Hole 5, rendering side: values reach URLs and Argo CD policies only in a form that cannot change their meaning."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cdk8s import App, Chart

from genai_gitops.model import load_platform
from genai_gitops.model.tenant import McpServer as McpServerSpec
from genai_gitops_constructs.components.mcp_server import McpServer, McpServerProps
from tests.constructs.conftest import synthesize_into

FIXTURE = Path(__file__).resolve().parents[1] / "model" / "fixtures" / "platform"
HOST = "mcp-wiki.tenant-alpha.svc.cluster.local"


def _server(path: str) -> McpServer:
    return McpServer(Chart(App(), "t"), "mcp", McpServerProps(
        namespace="tenant-alpha", tenant="alpha", name="mcp-wiki", image="ghcr.io/alpha/mcp-wiki:1.0.0", path=path))


@pytest.mark.parametrize("path", ["/mcp", "/", "/v1/mcp/", "/a.b/c~d_e-f"])
def test_mcp_url_keeps_the_service_host(path: str) -> None:
    url = _server(path).url
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.port, parts.path, parts.query, parts.fragment) == (
        "http", HOST, 8000, path, "", "")


@pytest.mark.parametrize("path", ["@evil.example:443/mcp", "//evil.example/mcp", "/mcp?x=1", "/mcp#f", "mcp"])
def test_mcp_url_refuses_paths_that_move_the_host(path: str) -> None:
    # the model refuses these first (test_value_grammar.py); the construct refuses them on its own too
    with pytest.raises(ValueError, match=re.escape(
            f"MCP server mcp-wiki: path {path!r} would change the URL's host or add a query; use an absolute path "
            "such as '/mcp'")):
        _ = _server(path).url


def test_hostile_path_never_reaches_a_url() -> None:
    # "@evil.example:443/mcp" appended to http://host:port gives a URL whose host is evil.example
    naive = urlsplit(f"http://{HOST}:8000@evil.example:443/mcp")
    assert naive.hostname == "evil.example"
    with pytest.raises(ValueError, match="is not an absolute URL path"):
        McpServerSpec.model_validate({"name": "mcp-wiki", "image": "ghcr.io/alpha/mcp-wiki:1.0.0",
                                      "path": "@evil.example:443/mcp"})


def test_synthesised_urls_and_groups(tmp_path: Path) -> None:
    platform = load_platform(FIXTURE / "tenants", FIXTURE / "clusters.yaml")
    dist = synthesize_into(platform, tmp_path)
    template = dist.tenant("alpha").get("ExternalSecret", "open-webui").obj["spec"]["target"]["template"]["data"]
    tools = json.loads(re.sub(r"\{\{[^}]*\}\}", '""', template["tool-server-connections"].replace("{\\u007b", "{{")))
    assert [urlsplit(t["url"]).hostname for t in tools] == [HOST]
    project = dist.app("shared", "projects").get("AppProject", "tenant-alpha").obj["spec"]
    assert project["roles"][0]["groups"] == ["alpha-admins"]
    assert project["roles"][0]["policies"] == [
        "p, proj:tenant-alpha:tenant-operators, applications, get, tenant-alpha/*, allow",
        "p, proj:tenant-alpha:tenant-operators, applications, sync, tenant-alpha/*, allow"]


def test_projects_refuse_a_group_that_slipped_past_the_model(tmp_path: Path) -> None:
    from genai_gitops.synth import synthesize_platform

    platform = load_platform(FIXTURE / "tenants", FIXTURE / "clusters.yaml")
    alpha = platform.tenants[0]
    # model_copy(update=...) skips validation: what a construct caller could hand over
    hostile = alpha.model_copy(update={"oidc": alpha.oidc.model_copy(
        update={"argocd_groups": ["admins\np, role:x, *, *, */*, allow"]})})
    patched = type(platform)(tenants=(hostile, *platform.tenants[1:]), inventory=platform.inventory,
                             tenant_files=platform.tenant_files)
    with pytest.raises(ValueError, match=re.escape("'admins\\np, role:x, *, *, */*, allow' is not an OIDC group name")):
        synthesize_platform(patched, tmp_path / "dist")

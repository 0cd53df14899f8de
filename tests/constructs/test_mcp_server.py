"""MCP servers: ClusterIP only, TCP probes, bearer token from the store when the tenant sets one."""

from __future__ import annotations

import json

from genai_gitops_constructs.components.mcp_server import TOKEN_ENV


def test_example_server(example_dist) -> None:
    app = example_dist.tenant("acme")
    (server,) = example_dist.spec("acme").mcp_servers
    pod = app.pod(server.name)
    main = pod.main

    assert main["image"] == server.image
    assert main["ports"] == [{"containerPort": server.port, "name": "http", "protocol": "TCP"}]
    assert main["livenessProbe"]["tcpSocket"] == main["readinessProbe"]["tcpSocket"] == {"port": "http"}
    service = app.get("Service", server.name).obj["spec"]
    assert service["type"] == "ClusterIP"
    assert [(p["port"], p["targetPort"]) for p in service["ports"]] == [(server.port, "http")]
    assert pod.env()[TOKEN_ENV] == ("secret", server.name, "token")
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert main["securityContext"]["runAsNonRoot"] is True
    assert pod.mounts() == {"/tmp": "tmp"}


def test_token_only_for_servers_with_auth(make_tenant, synth_tenants) -> None:
    tenant = make_tenant()
    app = synth_tenants(tenant).tenant(tenant.id)

    wiki = app.pod("mcp-wiki")
    assert wiki.env()[TOKEN_ENV] == ("secret", "mcp-wiki", "token")
    assert app.get("ExternalSecret", "mcp-wiki").obj["spec"]["data"] == [
        {"secretKey": "token", "remoteRef": {"key": "genai/tenants/umbrella/mcp-wiki", "property": "token"}}]
    clock = app.pod("mcp-clock")
    assert TOKEN_ENV not in clock.env()
    assert app.find("ExternalSecret", "mcp-clock") is None
    assert clock.main["ports"][0]["containerPort"] == 8000  # the model's default

    # Open WebUI presents the same token to the server that requires it, and none to the open one
    spec = app.get("ExternalSecret", "open-webui").obj["spec"]
    data = {d["secretKey"]: d["remoteRef"] for d in spec["data"]}
    assert data["mcp-wiki-token"] == app.get("ExternalSecret", "mcp-wiki").obj["spec"]["data"][0]["remoteRef"]
    template = spec["target"]["template"]["data"]["tool-server-connections"]
    # a description holding "{{" must not open a template action
    assert template.count("{{") == 1
    servers = json.loads(template.replace('{{ index . "mcp-wiki-token" | toJson }}', '"t"'))
    by_id = {s["info"]["id"]: s for s in servers}
    assert (by_id["mcp-wiki"]["auth_type"], by_id["mcp-wiki"]["key"]) == ("bearer", "t")
    assert (by_id["mcp-clock"]["auth_type"], by_id["mcp-clock"]["key"]) == ("none", "")
    assert by_id["mcp-wiki"]["url"] == "http://mcp-wiki.tenant-umbrella.svc.cluster.local:9000/mcp"
    assert by_id["mcp-clock"]["info"]["description"] == "Time {{zones}}"

"""The tenant's Redis (Valkey) for Open WebUI websockets."""

from __future__ import annotations

from genai_gitops_constructs.versions import image


def test_every_tenant_has_one(example_dist) -> None:
    for tenant in ("acme", "globex", "initech"):
        app = example_dist.tenant(tenant)
        deployment = app.get("Deployment", "redis").obj["spec"]
        assert deployment["replicas"] == 1
        assert deployment["strategy"] == {"type": "Recreate"}
        assert app.pod("redis").main["image"] == image("valkey")
        service = app.get("Service", "redis").obj["spec"]
        assert [(p["port"], p["targetPort"]) for p in service["ports"]] == [(6379, "redis")]


def test_password_from_the_store_and_no_persistence(example_dist) -> None:
    app = example_dist.tenant("initech")
    pod = app.pod("redis")
    args = pod.main["args"]

    assert pod.env()["VALKEY_PASSWORD"] == ("secret", "redis", "password")
    assert args[args.index("--requirepass") + 1] == "$(VALKEY_PASSWORD)"
    assert args[args.index("--save") + 1] == "" and args[args.index("--appendonly") + 1] == "no"
    assert app.get("ExternalSecret", "redis").obj["spec"]["data"] == [
        {"secretKey": "password", "remoteRef": {"key": "genai/tenants/initech/redis", "property": "password"}}]
    # Open WebUI builds its URL from the same store entry
    webui = {d["secretKey"]: d["remoteRef"] for d in app.get("ExternalSecret", "open-webui").obj["spec"]["data"]}
    assert webui["redis-password"] == {"key": "genai/tenants/initech/redis", "property": "password"}


def test_probes_authenticate(example_dist) -> None:
    main = example_dist.tenant("acme").pod("redis").main
    for probe in ("livenessProbe", "readinessProbe"):
        command = main[probe]["exec"]["command"]
        assert command[:2] == ["sh", "-c"]
        assert "valkey-cli" in command[2] and "$VALKEY_PASSWORD" in command[2] and "PONG" in command[2]


def test_non_root_with_only_data_writable(example_dist) -> None:
    pod = example_dist.tenant("acme").pod("redis")
    context = pod.main["securityContext"]
    assert context["runAsUser"] == 999 and context["readOnlyRootFilesystem"] is True
    assert pod.mounts() == {"/data": "data"} and "emptyDir" in pod.volumes["data"]

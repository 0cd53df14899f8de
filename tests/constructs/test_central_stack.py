"""The central stack's data stores, vLLM, guard rails and NetworkPolicies, read from the synthesised app."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genai_gitops.manifests.pods import pod_spec
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import (
    CENTRAL_METRICS_PORTS,
    CENTRAL_WORKLOADS,
    PLATFORM_NAMESPACE,
    PORTS,
    Workload,
    central_flows,
)

CLUSTER = "central-prod"
MINE = ("litellm", "redis", "postgres", "vllm", "litellm-team-sync", "litellm-migrate")


@pytest.fixture(scope="module")
def central(example_dist: Any) -> Any:
    return example_dist.app(CLUSTER, "central")


def pod_specs(central: Any) -> dict[str, dict[str, Any]]:
    """Workload name -> pod spec, for every pod-owning object (Jobs included)."""
    return {r.name: pod_spec(r) for r in central.resources if r.kind in ("Deployment", "StatefulSet", "Job", "CronJob")}


def test_objects(central: Any) -> None:
    kinds = {(r.kind, r.name) for r in central.resources}
    expected = {
        ("Namespace", PLATFORM_NAMESPACE),
        ("Deployment", "litellm"), ("Service", "litellm"), ("ConfigMap", "litellm-config"),
        ("ExternalSecret", "litellm"), ("ServiceAccount", "litellm"), ("PodDisruptionBudget", "litellm"),
        ("HorizontalPodAutoscaler", "litellm"), ("HTTPRoute", "litellm"), ("ConfigMap", "litellm-teams"),
        ("CronJob", "litellm-team-sync"), ("Job", "litellm-migrate"), ("ExternalSecret", "litellm-tenant-keys"),
        ("StatefulSet", "redis"), ("Service", "redis"), ("Service", "redis-headless"), ("ConfigMap", "redis-scripts"),
        ("ExternalSecret", "redis"), ("PodDisruptionBudget", "redis"),
        ("StatefulSet", "postgres"), ("Service", "postgres"), ("Service", "postgres-headless"),
        ("ConfigMap", "postgres-init"), ("ExternalSecret", "postgres"),
        ("Deployment", "vllm"), ("Service", "vllm"), ("PersistentVolumeClaim", "vllm-cache"),
        ("ExternalSecret", "vllm"),
        ("NetworkPolicy", "default-deny"),
    }
    assert expected <= kinds
    assert all(r.namespace == PLATFORM_NAMESPACE for r in central.resources if r.kind != "Namespace")


def test_namespace_enforces_the_restricted_pod_security_standard(central: Any) -> None:
    labels = central.get("Namespace", PLATFORM_NAMESPACE).labels
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["kubernetes.io/metadata.name"] == PLATFORM_NAMESPACE


def test_every_container_has_resources_probes_and_a_restricted_context(central: Any) -> None:
    for name, spec in pod_specs(central).items():
        if name not in MINE:
            continue
        assert spec["enableServiceLinks"] is False, name
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for container in spec.get("initContainers", []) + spec["containers"]:
            where = f"{name}/{container['name']}"
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert {"cpu", "memory"} <= set(resources["limits"]), where
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False and security["capabilities"] == {"drop": ["ALL"]}
            assert security["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for container in spec["containers"]:
            if name not in ("litellm-team-sync", "litellm-migrate"):  # run-to-completion Jobs have nothing to probe
                assert {"livenessProbe", "readinessProbe"} <= set(container), f"{name}/{container['name']}"


def test_redis_ha(central: Any) -> None:
    statefulset = central.get("StatefulSet", "redis").obj["spec"]
    assert statefulset["replicas"] == 3
    pod = central.pod("redis")
    assert [c["name"] for c in pod.containers] == ["valkey", "sentinel", "exporter"]
    assert pod.spec["securityContext"]["runAsUser"] == 999 and pod.spec["securityContext"]["fsGroup"] == 999
    for container in pod.containers[:2]:
        assert container["image"].startswith("docker.io/valkey/valkey:")
        assert "exec" in container["livenessProbe"] and "exec" in container["readinessProbe"]
    assert pod.containers[1]["command"][-1] == "--sentinel"
    claim = statefulset["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "data" and claim["spec"]["storageClassName"] == "gp3"
    assert pod.mounts(pod.containers[0])["/data"] == "data"
    # clients reach Sentinel, never a load-balanced 6379 that could land on a read-only replica
    # (and Prometheus reaches the exporter)
    assert [p["port"] for p in central.get("Service", "redis").obj["spec"]["ports"]] == [
        PORTS["redis-sentinel"], PORTS["redis-exporter"]]
    assert central.get("PodDisruptionBudget", "redis").obj["spec"]["minAvailable"] == 2
    script = central.get("ConfigMap", "redis-scripts").obj["data"]["init.sh"]
    for line in ("maxmemory-policy noeviction", "sentinel resolve-hostnames yes", "replicaof ${master}",
                 'requirepass "${REDIS_PASSWORD}"', "sentinel monitor ${MASTER_SET} ${master} ${REDIS_PORT} ${QUORUM}"):
        assert line in script


def test_postgres(central: Any) -> None:
    pod = central.pod("postgres")
    container = pod.main
    assert container["image"].startswith("docker.io/library/postgres:18")
    mounts = pod.mounts()
    # 18+: the volume is /var/lib/postgresql; a PVC at .../data makes the server refuse to start
    assert mounts["/var/lib/postgresql"] == "data" and "/var/lib/postgresql/data" not in mounts
    assert container["readinessProbe"]["exec"]["command"][0] == "pg_isready"
    assert container["livenessProbe"]["exec"]["command"][0] == "pg_isready"
    assert pod.spec["securityContext"]["runAsUser"] == 999
    assert central.get("StatefulSet", "postgres").obj["spec"]["replicas"] == 1
    assert central.find("PodDisruptionBudget", "postgres") is None  # one replica: see postgres.py
    script = central.get("ConfigMap", "postgres-init").obj["data"]["10-databases.sh"]
    env = pod.env()
    for database in ("litellm", "langfuse", "lago"):
        assert f'create_database {database} "${database.upper()}_DB_PASSWORD"' in script
        assert env[f"{database.upper()}_DB_PASSWORD"] == ("secret", "postgres", f"{database.upper()}_DB_PASSWORD")
    assert ":'pw'" in script  # passwords pass as psql variables, quoted by psql


def test_vllm_on_the_gpu_pool(example_dist: Any, central: Any) -> None:
    pool = example_dist.platform.cluster(CLUSTER).gpu_pool
    pod = central.pod("vllm")
    assert pod.spec["nodeSelector"] == pool.labels
    assert pod.spec["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "true",
                                        "effect": "NoSchedule"}]
    resources = pod.main["resources"]
    assert resources["requests"]["nvidia.com/gpu"] == resources["limits"]["nvidia.com/gpu"] == 1
    args = pod.main["args"]
    assert args[0] == "meta-llama/Llama-3.1-8B-Instruct"
    assert args[args.index("--served-model-name") + 1] == "llama-3.1-8b"
    assert "--api-key" not in args  # read from VLLM_API_KEY: never in the spec or the process list
    env = pod.env()
    assert env["VLLM_API_KEY"] == ("secret", "vllm", "VLLM_API_KEY")
    assert env["HF_TOKEN"] == ("secret", "vllm", "HF_TOKEN")
    assert env["HF_HOME"].startswith("/data/")
    assert pod.mounts()["/data"] == "cache"
    assert pod.volumes["cache"]["persistentVolumeClaim"]["claimName"] == "vllm-cache"
    assert pod.volumes["shm"]["emptyDir"]["medium"] == "Memory"
    assert pod.main["startupProbe"]["httpGet"]["path"] == "/health"
    assert pod.main["startupProbe"]["failureThreshold"] >= 60
    assert pod.spec["securityContext"]["runAsNonRoot"] is True
    assert central.get("Deployment", "vllm").obj["spec"]["strategy"] == {"type": "Recreate"}


# -- NetworkPolicies ------------------------------------------------------------------------------------

def _rules(central: Any, workload: str, direction: str) -> list[dict[str, Any]]:
    policy = central.get("NetworkPolicy", f"allow-{workload}").obj["spec"]
    assert policy["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": workload}}
    return policy.get(direction, [])


def _ports(rule: dict[str, Any]) -> set[int]:
    return {p["port"] for p in rule["ports"]}


def _peer_namespace(rule: dict[str, Any], key: str) -> str | None:
    peer = rule[key][0]
    selector = peer.get("namespaceSelector")
    return selector["matchLabels"]["kubernetes.io/metadata.name"] if selector else None


def _peer_name(rule: dict[str, Any], key: str) -> str | None:
    pods = rule[key][0].get("podSelector")
    return pods["matchLabels"].get("app.kubernetes.io/name") if pods else None


def test_default_deny(central: Any) -> None:
    spec = central.get("NetworkPolicy", "default-deny").obj["spec"]
    assert spec == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_every_central_workload_has_its_policy(central: Any) -> None:
    names = {r.name for r in central.of_kind("NetworkPolicy")}
    assert {f"allow-{w}" for w in CENTRAL_WORKLOADS} <= names


def test_litellm_is_reached_by_ingress_and_prometheus_only(central: Any) -> None:
    sources = {(_peer_namespace(r, "from"), _peer_name(r, "from"), frozenset(_ports(r)))
               for r in _rules(central, "litellm", "ingress")}
    assert sources == {
        ("envoy-gateway-system", "envoy", frozenset({PORTS["litellm"]})),
        ("monitoring", "prometheus", frozenset({PORTS["litellm-metrics"]})),
        (None, "agent-server", frozenset({PORTS["litellm"]})),
        (None, "litellm-team-sync", frozenset({PORTS["litellm"]})),
    }


def test_litellm_reaches_its_dependencies(central: Any) -> None:
    destinations = {(_peer_name(r, "to"), frozenset(_ports(r))) for r in _rules(central, "litellm", "egress")
                    if "podSelector" in r["to"][0] and _peer_namespace(r, "to") is None}
    assert destinations == {
        ("redis", frozenset({6379, 26379})), ("postgres", frozenset({5432})), ("langfuse-web", frozenset({3000})),
        ("jaeger", frozenset({4317})), ("lago-api", frozenset({3000})), ("vllm", frozenset({8000})),
    }
    internet = [r for r in _rules(central, "litellm", "egress") if "ipBlock" in r["to"][0]]
    assert len(internet) == 1 and _ports(internet[0]) == {443}
    assert "10.0.0.0/8" in internet[0]["to"][0]["ipBlock"]["except"]


def test_data_stores_accept_their_clients_only(central: Any) -> None:
    redis = {(_peer_name(r, "from"), frozenset(_ports(r))) for r in _rules(central, "redis", "ingress")}
    assert {name for name, _ in redis} == {"litellm", "redis", "langfuse-web", "langfuse-worker", "lago-api",
                                           "lago-worker", "lago-clock", "lago-migrate", "prometheus"}
    assert ("redis", frozenset({6379, 26379})) in redis
    postgres = {_peer_name(r, "from") for r in _rules(central, "postgres", "ingress")}
    assert postgres == {"litellm", "langfuse-web", "langfuse-worker", "lago-api", "lago-worker", "lago-clock",
                        "lago-migrate", "litellm-migrate", "mcp-registry", "prometheus", "backup-postgres"}
    vllm = {(_peer_name(r, "from"), frozenset(_ports(r))) for r in _rules(central, "vllm", "ingress")}
    assert vllm == {("litellm", frozenset({8000})), ("prometheus", frozenset({8000}))}


def test_prometheus_scrapes_every_metrics_port(central: Any) -> None:
    for workload, port in CENTRAL_METRICS_PORTS.items():
        scrapes = [r for r in _rules(central, workload, "ingress")
                   if _peer_namespace(r, "from") == "monitoring" and _peer_name(r, "from") == "prometheus"]
        assert [_ports(r) for r in scrapes] == [{port}], workload


def test_every_central_workload_resolves_dns(central: Any) -> None:
    for workload in CENTRAL_WORKLOADS:
        dns = [r for r in _rules(central, workload, "egress") if _peer_namespace(r, "to") == "kube-system"]
        assert len(dns) == 1 and {(p["port"], p["protocol"]) for p in dns[0]["ports"]} == {(53, "UDP"), (53, "TCP")}


def test_tenants_on_the_central_cluster(make_tenant: Callable[..., TenantSpec],
                                        synth_tenants: Callable[..., Any]) -> None:
    hybrid = make_tenant()  # on central-prod, usage mode hybrid
    local = make_tenant(id="localonly", usage_mode="local", models={"local": ["qwen3:8b"]},
                        secrets={k: v for k, v in make_tenant().secrets.model_dump().items()
                                 if k != "litellm_api_key" and v is not None})
    dist = synth_tenants(hybrid, local)
    central = dist.app(CLUSTER, "central")
    tenant_sources = {_peer_namespace(r, "from") for r in _rules(central, "litellm", "ingress")}
    # the hybrid tenant's Open WebUI directly; the local tenant's namespace gets nothing
    assert "tenant-umbrella" in tenant_sources and "tenant-localonly" not in tenant_sources
    flows = central_flows(dist.platform.cluster(CLUSTER), dist.platform.tenants, dist.platform.inventory)
    assert any(f.source == Workload("tenant-umbrella", "open-webui") and f.destination.name == "litellm"
               for f in flows if isinstance(f.destination, Workload))


def test_metrics_exporters_once_their_images_are_pinned(monkeypatch: pytest.MonkeyPatch,
                                                        make_tenant: Callable[..., TenantSpec],
                                                        synth_tenants: Callable[..., Any]) -> None:
    from genai_gitops_constructs import versions

    monkeypatch.setitem(versions.IMAGES, "redis-exporter", versions.Image("docker.io/oliver006/redis_exporter",
                                                                          "v1.90.0"))
    monkeypatch.setitem(versions.IMAGES, "postgres-exporter",
                        versions.Image("quay.io/prometheuscommunity/postgres-exporter", "v0.20.1"))
    central = synth_tenants(make_tenant()).app(CLUSTER, "central")
    for workload in ("redis", "postgres"):
        pod = central.pod(workload)
        exporter = next(c for c in pod.containers if c["name"] == "exporter")
        port = CENTRAL_METRICS_PORTS[workload]
        assert exporter["ports"] == [{"name": "metrics", "containerPort": port}]
        assert {"livenessProbe", "readinessProbe", "resources"} <= set(exporter)
        assert exporter["securityContext"]["readOnlyRootFilesystem"] is True
        service = central.get("Service", workload).obj["spec"]["ports"]
        assert {"name": "metrics", "port": port, "targetPort": "metrics"} in service
    assert central.pod("redis").env(next(c for c in central.pod("redis").containers if c["name"] == "exporter"))[
        "REDIS_PASSWORD"] == ("secret", "redis", "REDIS_PASSWORD")


def _run_redis_init(central: Any, tmp_path: Path, pod: str, sentinel_answer: str) -> dict[str, str]:
    """Run the init container's script as in the pod, with a valkey-cli that answers `sentinel_answer`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    cli = bin_dir / "valkey-cli"
    cli.write_text("#!/bin/sh\nprintf '%s' \"$FAKE_SENTINEL_ANSWER\"\n")
    cli.chmod(0o755)
    script = tmp_path / "init.sh"
    script.write_text(central.get("ConfigMap", "redis-scripts").obj["data"]["init.sh"])
    conf = Path(tempfile.mkdtemp(dir=tmp_path))
    init = central.pod("redis").init_containers[0]
    env = {e["name"]: e["value"] for e in init["env"] if "value" in e}
    env |= {"POD_NAME": pod, "REDIS_PASSWORD": "s3cret", "CONFIG_DIR": str(conf), "STATE_DIR": str(conf),
            "FAKE_SENTINEL_ANSWER": sentinel_answer, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return {name: (conf / name).read_text() for name in ("valkey.conf", "sentinel.conf")}


DOMAIN = f"redis-headless.{PLATFORM_NAMESPACE}.svc.cluster.local"


def test_redis_first_start_makes_pod_0_the_master(central: Any, tmp_path: Path) -> None:
    first = _run_redis_init(central, tmp_path, "redis-0", "")  # no Sentinel answers yet
    assert "replicaof" not in first["valkey.conf"]
    assert f"replica-announce-ip redis-0.{DOMAIN}" in first["valkey.conf"]
    assert f"sentinel monitor mymaster redis-0.{DOMAIN} 6379 2" in first["sentinel.conf"]
    assert f"sentinel announce-ip redis-0.{DOMAIN}" in first["sentinel.conf"]
    second = _run_redis_init(central, tmp_path, "redis-1", "")
    assert f"replicaof redis-0.{DOMAIN} 6379" in second["valkey.conf"]


def test_redis_restart_after_failover_follows_the_sentinels(central: Any, tmp_path: Path) -> None:
    answer = f"redis-2.{DOMAIN}\n6379\n"  # the Sentinels promoted pod 2 while pod 0 was away
    restarted = _run_redis_init(central, tmp_path, "redis-0", answer)
    assert f"replicaof redis-2.{DOMAIN} 6379" in restarted["valkey.conf"]
    assert f"sentinel monitor mymaster redis-2.{DOMAIN} 6379 2" in restarted["sentinel.conf"]
    assert "replicaof" not in _run_redis_init(central, tmp_path, "redis-2", answer)["valkey.conf"]


def test_redis_init_trusts_only_pod_names(central: Any, tmp_path: Path) -> None:
    # an error text from a Sentinel is not a host name: fall back to pod 0
    conf = _run_redis_init(central, tmp_path, "redis-1", "NOAUTH Authentication required.")
    assert f"replicaof redis-0.{DOMAIN} 6379" in conf["valkey.conf"]
    assert 'requirepass "s3cret"' in conf["valkey.conf"] and 'masterauth "s3cret"' in conf["valkey.conf"]


def test_postgres_init_passes_passwords_as_psql_variables(central: Any, tmp_path: Path) -> None:
    """The init script with a psql that records its arguments and SQL: no password is ever spliced into SQL."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    psql = bin_dir / "psql"
    psql.write_text('#!/bin/sh\n{ printf "ARGS:"; printf " %s" "$@"; echo; cat; } >> "$PSQL_LOG"\n')
    psql.chmod(0o755)
    script = tmp_path / "10-databases.sh"
    script.write_text(central.get("ConfigMap", "postgres-init").obj["data"]["10-databases.sh"])
    log = tmp_path / "psql.log"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "PSQL_LOG": str(log), "POSTGRES_USER": "postgres",
           "LITELLM_DB_PASSWORD": "pw'1", "LANGFUSE_DB_PASSWORD": "pw2", "LAGO_DB_PASSWORD": "pw3",
           "MCP_REGISTRY_DB_PASSWORD": "pw4"}
    done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().split("ARGS:")[1:]
    assert len(calls) == 4
    expected = (("litellm", "pw'1"), ("langfuse", "pw2"), ("lago", "pw3"), ("mcp_registry", "pw4"))
    for call, (database, password) in zip(calls, expected, strict=True):
        args, sql = call.split("\n", 1)
        assert f"-v role={database} -v pw={password}" in args
        assert "CREATE ROLE :\"role\" LOGIN PASSWORD :'pw';" in sql and password not in sql
        assert "-v ON_ERROR_STOP=1" in args

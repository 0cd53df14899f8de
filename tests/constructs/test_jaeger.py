"""Jaeger v2 (OTLP in, UI out, Badger on a volume), read from the synthesised central stack."""

from __future__ import annotations

import json

import pytest

from genai_gitops.model.traffic import PORTS, service_host

CLUSTER = "central-prod"


@pytest.fixture(scope="module")
def central(example_dist):
    return example_dist.app(CLUSTER, "central")


@pytest.fixture(scope="module")
def config(central) -> dict:
    body = central.get("ConfigMap", "jaeger-config").obj["data"]["config.yaml"]
    return json.loads(body)  # JSON is YAML: what Jaeger reads, parsed strictly


def test_single_replica_with_badger_on_a_volume(central, config) -> None:
    statefulset = central.get("StatefulSet", "jaeger").obj["spec"]
    # Badger is single-writer: one pod, and a StatefulSet never runs two during a rollout
    assert statefulset["replicas"] == 1
    assert central.find("Deployment", "jaeger") is None
    assert central.find("PodDisruptionBudget", "jaeger") is None
    claim = statefulset["volumeClaimTemplates"][0]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    mounts = central.pod("jaeger").mounts()
    data_dir = next(path for path, volume in mounts.items() if volume == claim["metadata"]["name"])
    badger = config["extensions"]["jaeger_storage"]["backends"]["badger_store"]["badger"]
    assert badger["ephemeral"] is False
    assert badger["directories"]["keys"].startswith(data_dir + "/")
    assert badger["directories"]["values"].startswith(data_dir + "/")
    assert badger["ttl"]["spans"].endswith("h")
    assert config["exporters"]["jaeger_storage_exporter"]["trace_storage"] == "badger_store"
    assert config["extensions"]["jaeger_query"]["storage"]["traces"] == "badger_store"
    assert "memory" not in json.dumps(config["extensions"]["jaeger_storage"])


def test_ports_config_and_service_agree(central, config) -> None:
    expected = {"otlp-grpc": 4317, "otlp-http": 4318, "ui": 16686, "health": 13133, "metrics": 8888}
    container = central.pod("jaeger").main
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == expected
    service = {p["name"]: p for p in central.get("Service", "jaeger").obj["spec"]["ports"]}
    assert {name: p["port"] for name, p in service.items()} == expected
    assert service["otlp-grpc"]["appProtocol"] == "grpc"
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317") and protocols["http"]["endpoint"].endswith(":4318")
    # every listener on the pod interface: localhost (the collector default) is unreachable from other pods
    assert not protocols["grpc"]["endpoint"].startswith("localhost")
    assert config["extensions"]["healthcheckv2"]["http"]["endpoint"].endswith(":13133")
    reader = config["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"]
    assert reader["port"] == 8888 and reader["host"] != "localhost"
    assert container["args"] == ["--config=/etc/jaeger/config.yaml"]
    assert central.pod("jaeger").mounts()["/etc/jaeger"] == "config"


def test_health_probes(central) -> None:
    container = central.pod("jaeger").main
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/status", "port": "health"}


def test_litellm_sends_spans_to_the_jaeger_service(central) -> None:
    env = central.pod("litellm").env()
    assert env["OTEL_ENDPOINT"] == f"http://{service_host('jaeger')}:{PORTS['jaeger-otlp-grpc']}"
    assert env["OTEL_EXPORTER"] == "otlp_grpc"


def test_no_ingress_for_the_unauthenticated_ui(central) -> None:
    assert central.find("Ingress", "jaeger") is None


def test_runs_as_uid_10001_read_only(central) -> None:
    pod = central.pod("jaeger")
    assert pod.spec["securityContext"]["runAsUser"] == 10001
    assert pod.spec["enableServiceLinks"] is False
    container = pod.main
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod.volumes[pod.mounts()["/tmp"]]["emptyDir"]
    resources = container["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    checksum = pod.template["metadata"]["annotations"]["checksum/config"]
    assert len(checksum) == 64

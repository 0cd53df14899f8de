"""Jaeger v2 (the OpenTelemetry-Collector-based single binary): OTLP in, trace UI out.

Storage is Badger on a PersistentVolume, not the in-memory store: memory loses every trace on each
restart or rollout and caps retention by RAM, while Badger keeps traces for `retention` on disk at
the price of being single-writer - so exactly one replica, a StatefulSet (never two pods on the
volume, not even during a rollout) and no PodDisruptionBudget. Growing beyond one node means an
external store (Elasticsearch/OpenSearch/Cassandra/ClickHouse) and a Deployment of collectors.

The UI has no authentication, so there is no Ingress by default: operators reach it with
`kubectl port-forward svc/jaeger 16686`. Runs as the image's own UID 10001, read-only root.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, Identity, Pod, Port, StatefulSetSpec, VolumeClaim, config_volume

NAME = "jaeger"
#: the image's USER_UID
JAEGER_PROFILE = SecurityProfile(run_as_user=10001, run_as_group=10001, fs_group=10001)
CONFIG_DIR = "/etc/jaeger"
DATA_DIR = "/badger"
#: the healthcheckv2 extension's status path
HEALTH_PATH = "/status"

_PORTS = (
    Port("otlp-grpc", PORTS["jaeger-otlp-grpc"], app_protocol="grpc"),
    Port("otlp-http", PORTS["jaeger-otlp-http"], app_protocol="http"),
    Port("ui", PORTS["jaeger-ui"], app_protocol="http"),
    Port("health", PORTS["jaeger-health"], app_protocol="http"),
    Port("metrics", PORTS["jaeger-metrics"], app_protocol="http"),
)


@dataclass(frozen=True)
class JaegerProps:
    cluster: ClusterSpec
    storage: str = "20Gi"
    #: how long Badger keeps spans
    retention: str = "72h"
    resources: Resources = field(default_factory=lambda: Resources("250m", "512Mi", "1", "2Gi"))


def jaeger_config(retention: str) -> dict[str, object]:
    """The collector configuration: OTLP receivers -> batch -> Badger, query UI, health and metrics."""
    listen = "0.0.0.0"  # noqa: S104 - the pod's own interface; NetworkPolicy decides who connects
    return {
        "service": {
            "extensions": ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            "pipelines": {"traces": {"receivers": ["otlp"], "processors": ["batch"],
                                     "exporters": ["jaeger_storage_exporter"]}},
            "telemetry": {
                "resource": {"service.name": "jaeger"},
                "metrics": {"level": "detailed", "readers": [{"pull": {"exporter": {"prometheus": {
                    "host": listen, "port": PORTS["jaeger-metrics"]}}}}]},
                "logs": {"level": "info"},
            },
        },
        "extensions": {
            # the v2 status endpoint serves HEALTH_PATH by default (Jaeger's own compose files probe it)
            "healthcheckv2": {"use_v2": True, "http": {"endpoint": f"{listen}:{PORTS['jaeger-health']}"}},
            # the query extension listens on :16686 (every interface) unless told otherwise
            "jaeger_query": {"storage": {"traces": "badger_store"}},
            "jaeger_storage": {"backends": {"badger_store": {"badger": {
                "directories": {"keys": f"{DATA_DIR}/keys", "values": f"{DATA_DIR}/values"},
                "ephemeral": False,
                "ttl": {"spans": retention},
            }}}},
        },
        "receivers": {"otlp": {"protocols": {
            "grpc": {"endpoint": f"{listen}:{PORTS['jaeger-otlp-grpc']}"},
            "http": {"endpoint": f"{listen}:{PORTS['jaeger-otlp-http']}"},
        }}},
        "processors": {"batch": {}},
        "exporters": {"jaeger_storage_exporter": {"trace_storage": "badger_store"}},
    }


class Jaeger(Construct):
    """StatefulSet `jaeger` (1 replica, Badger PVC), Services `jaeger` and `jaeger-headless`, config."""

    def __init__(self, scope: Construct, id: str, props: JaegerProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        app = Identity.of(NAME, namespace=PLATFORM_NAMESPACE, instance=cluster.name, component="tracing")
        #: where services send spans (OTLP gRPC and OTLP HTTP)
        self.otlp_grpc_endpoint = f"http://{service_host(NAME)}:{PORTS['jaeger-otlp-grpc']}"
        self.otlp_http_endpoint = f"http://{service_host(NAME)}:{PORTS['jaeger-otlp-http']}"

        # JSON is valid YAML, and key order is fixed: the checksum only changes with the content
        body = json.dumps(jaeger_config(props.retention), indent=2, sort_keys=True) + "\n"
        config = k8s.KubeConfigMap(self, "config", metadata=app.metadata(f"{NAME}-config"), data={"config.yaml": body})
        checksum = hashlib.sha256(body.encode()).hexdigest()

        tmp_volume, tmp_mount = writable("tmp", "/tmp")  # noqa: S108
        container = Container(
            name=NAME, image=image("jaeger"), args=[f"--config={CONFIG_DIR}/config.yaml"],
            ports=_PORTS,
            resources=props.resources,
            mounts=[k8s.VolumeMount(name="data", mount_path=DATA_DIR),
                    k8s.VolumeMount(name="config", mount_path=CONFIG_DIR, read_only=True),
                    tmp_mount],
            # Badger replays its value log on start: allow it time before liveness counts
            startup_probe=http_probe(HEALTH_PATH, "health", period=5, failure_threshold=60),
            readiness_probe=http_probe(HEALTH_PATH, "health", period=10),
            liveness_probe=http_probe(HEALTH_PATH, "health", period=20, failure_threshold=3))

        # the headless Service only names the pod; without the metrics port a ServiceMonitor never scrapes twice
        app.headless_service(self, "headless", [p for p in _PORTS if p.name != "metrics"])
        app.service(self, "service", _PORTS)
        app.stateful_set(self, "statefulset", StatefulSetSpec(
            pod=Pod(containers=[container], profile=JAEGER_PROFILE,
                    volumes=[config_volume("config", config.name), tmp_volume],
                    annotations={"checksum/config": checksum},
                    # Badger flushes its memtables on a clean shutdown
                    termination_grace_period=30),
            claims=[VolumeClaim("data", props.storage, cluster.capabilities.storage_class)]))

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
from genai_gitops_constructs.meta import labels, selector
from genai_gitops_constructs.security import (
    Resources,
    SecurityProfile,
    container_security_context,
    http_probe,
    pod_security_context,
    writable,
)
from genai_gitops_constructs.values import int_or_string, quantity
from genai_gitops_constructs.versions import image

NAME = "jaeger"
HEADLESS = f"{NAME}-headless"
#: the image's USER_UID
JAEGER_PROFILE = SecurityProfile(run_as_user=10001, run_as_group=10001, fs_group=10001)
CONFIG_DIR = "/etc/jaeger"
DATA_DIR = "/badger"
#: the healthcheckv2 extension's status path
HEALTH_PATH = "/status"

#: (Service port name, PORTS key, appProtocol)
_PORTS = (
    ("otlp-grpc", "jaeger-otlp-grpc", "grpc"),
    ("otlp-http", "jaeger-otlp-http", "http"),
    ("ui", "jaeger-ui", "http"),
    ("health", "jaeger-health", "http"),
    ("metrics", "jaeger-metrics", "http"),
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
        ns = PLATFORM_NAMESPACE
        meta = labels(NAME, instance=cluster.name, component="tracing")
        pods = selector(NAME, cluster.name)
        #: where services send spans (OTLP gRPC and OTLP HTTP)
        self.otlp_grpc_endpoint = f"http://{service_host(NAME)}:{PORTS['jaeger-otlp-grpc']}"
        self.otlp_http_endpoint = f"http://{service_host(NAME)}:{PORTS['jaeger-otlp-http']}"

        # JSON is valid YAML, and key order is fixed: the checksum only changes with the content
        body = json.dumps(jaeger_config(props.retention), indent=2, sort_keys=True) + "\n"
        config = k8s.KubeConfigMap(self, "config", metadata=k8s.ObjectMeta(
            name=f"{NAME}-config", namespace=ns, labels=meta), data={"config.yaml": body})
        checksum = hashlib.sha256(body.encode()).hexdigest()

        tmp_volume, tmp_mount = writable("tmp", "/tmp")  # noqa: S108
        container = k8s.Container(
            name=NAME, image=image("jaeger"), args=[f"--config={CONFIG_DIR}/config.yaml"],
            ports=[k8s.ContainerPort(name=name, container_port=PORTS[key]) for name, key, _ in _PORTS],
            resources=props.resources.render(),
            security_context=container_security_context(JAEGER_PROFILE),
            volume_mounts=[k8s.VolumeMount(name="data", mount_path=DATA_DIR),
                           k8s.VolumeMount(name="config", mount_path=CONFIG_DIR, read_only=True),
                           tmp_mount],
            # Badger replays its value log on start: allow it time before liveness counts
            startup_probe=http_probe(HEALTH_PATH, "health", period=5, failure_threshold=60),
            readiness_probe=http_probe(HEALTH_PATH, "health", period=10),
            liveness_probe=http_probe(HEALTH_PATH, "health", period=20, failure_threshold=3))
        service_ports = [k8s.ServicePort(name=name, port=PORTS[key], app_protocol=protocol,
                                         target_port=int_or_string(name))
                         for name, key, protocol in _PORTS]

        # the headless Service only names the pod; without the metrics port a ServiceMonitor never scrapes twice
        k8s.KubeService(self, "headless", metadata=k8s.ObjectMeta(name=HEADLESS, namespace=ns, labels=meta),
                        spec=k8s.ServiceSpec(cluster_ip="None", selector=pods,
                                             ports=[p for p in service_ports if p.name != "metrics"]))
        k8s.KubeService(self, "service", metadata=k8s.ObjectMeta(name=NAME, namespace=ns, labels=meta),
                        spec=k8s.ServiceSpec(type="ClusterIP", selector=pods, ports=service_ports))
        k8s.KubeStatefulSet(self, "statefulset", metadata=k8s.ObjectMeta(name=NAME, namespace=ns, labels=meta),
                            spec=k8s.StatefulSetSpec(
            service_name=HEADLESS, replicas=1, selector=k8s.LabelSelector(match_labels=pods),
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=meta, annotations={"checksum/config": checksum}),
                spec=k8s.PodSpec(
                    containers=[container],
                    volumes=[k8s.Volume(name="config", config_map=k8s.ConfigMapVolumeSource(name=config.name)),
                             tmp_volume],
                    security_context=pod_security_context(JAEGER_PROFILE),
                    automount_service_account_token=False, enable_service_links=False,
                    # Badger flushes its memtables on a clean shutdown
                    termination_grace_period_seconds=30)),
            volume_claim_templates=[k8s.KubePersistentVolumeClaimProps(
                metadata=k8s.ObjectMeta(name="data", labels=meta),
                spec=k8s.PersistentVolumeClaimSpec(
                    access_modes=["ReadWriteOnce"], storage_class_name=cluster.capabilities.storage_class,
                    resources=k8s.ResourceRequirements(
                        requests={"storage": quantity(props.storage)})))]))

"""Qdrant: the tenant's vector database for RAG (when rag.enabled).

StatefulSet with a volumeClaimTemplate, a headless Service for its stable identity, a ClusterIP
Service for clients, a PodDisruptionBudget and the ExternalSecret holding its API key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PORTS
from genai_gitops_constructs.external_secret import TENANT_SECRET_STORE, ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable, writable_dirs
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, Identity, Pod, Port, StatefulSetSpec, VolumeClaim, secret_env

HTTP_PORT = PORTS["qdrant-http"]
GRPC_PORT = PORTS["qdrant-grpc"]
STORAGE_DIR = "/qdrant/storage"
SNAPSHOTS_DIR = "/qdrant/snapshots"
#: Qdrant writes an init marker at start (src/startup.rs, v1.19.0: QDRANT_INIT_FILE_PATH, default
#: `.qdrant-initialized` in the working directory /qdrant, which is on the read-only root): an emptyDir
INIT_DIR = "/qdrant/init"
INIT_FILE = f"{INIT_DIR}/.qdrant-initialized"

# The upstream chart's own defaults: UID 1000, GID 2000, fsGroup 3000, read-only root filesystem (everything
# Qdrant writes is under /qdrant/storage and /qdrant/snapshots, both volumes). The chart's root init container
# that chowns old volumes is not needed: fsGroup makes a fresh volume writable.
QDRANT_SECURITY = SecurityProfile(run_as_user=1000, run_as_group=2000, fs_group=3000)
# RAM grows with vectors x dimensions x 4 bytes (x1.5) unless collections are on disk or quantized
QDRANT_RESOURCES = Resources(cpu_request="500m", memory_request="1Gi", cpu_limit="2", memory_limit="4Gi")


@dataclass(frozen=True)
class QdrantProps:
    namespace: str
    tenant: str
    storage_class: str
    storage_size: str
    #: the API key clients send in the `api-key` header
    api_key: SecretRef
    resources: Resources = QDRANT_RESOURCES
    #: on-demand snapshots before they are downloaded (emptyDir: lost with the pod)
    snapshots_size_limit: str = "10Gi"
    security: SecurityProfile = QDRANT_SECURITY
    image: str = field(default_factory=lambda: image("qdrant"))
    name: str = "qdrant"


class Qdrant(Construct):
    def __init__(self, scope: Construct, id: str, props: QdrantProps) -> None:
        super().__init__(scope, id)
        self.props = props
        ns = props.namespace
        app = Identity.of(props.name, namespace=ns, instance=ns, component="vector-database", tenant=props.tenant)
        self.secret_name = props.name

        ExternalSecret(self, "secret", ExternalSecretProps(
            name=self.secret_name, namespace=ns, labels=app.labels, data={"api-key": props.api_key},
            store=TENANT_SECRET_STORE, store_kind="SecretStore"))

        volumes, mounts = writable_dirs(writable("snapshots", SNAPSHOTS_DIR, props.snapshots_size_limit),
                                        writable("tmp", "/tmp", "1Gi"),  # noqa: S108 - an emptyDir
                                        writable("init", INIT_DIR, "1Mi"))
        ports = [Port("http", HTTP_PORT, app_protocol="http", protocol="TCP"),
                 Port("grpc", GRPC_PORT, app_protocol="grpc", protocol="TCP")]
        container = Container(
            name=props.name, image=props.image, image_pull_policy="IfNotPresent",
            ports=ports,
            env=[
                secret_env("QDRANT__SERVICE__API_KEY", self.secret_name, "api-key"),
                # no phone-home: the namespace has no egress for it anyway
                k8s.EnvVar(name="QDRANT__TELEMETRY_DISABLED", value="true"),
                k8s.EnvVar(name="QDRANT_INIT_FILE_PATH", value=INIT_FILE),
            ],
            resources=props.resources,
            # /livez and /readyz are the Kubernetes probe endpoints and need no api-key (the chart probes
            # /readyz with auth on). Loading large collections at start can take minutes.
            startup_probe=http_probe("/livez", "http", period=5, failure_threshold=60),
            liveness_probe=http_probe("/livez", "http", period=10, failure_threshold=6),
            readiness_probe=http_probe("/readyz", "http", period=5, failure_threshold=3),
            # in-flight requests finish before the endpoint disappears
            lifecycle=k8s.Lifecycle(pre_stop=k8s.LifecycleHandler(exec=k8s.ExecAction(command=["sleep", "3"]))),
            mounts=[k8s.VolumeMount(name="storage", mount_path=STORAGE_DIR), *mounts])

        app.stateful_set(self, "statefulset", StatefulSetSpec(
            pod=Pod(containers=[container], profile=props.security, volumes=volumes),
            claims=[VolumeClaim("storage", props.storage_size, props.storage_class)],
            pod_management_policy="Parallel", update_strategy="RollingUpdate", revision_history_limit=5))
        app.service(self, "service", ports)
        app.headless_service(self, "headless", ports, publish_not_ready=True)
        # one replica: maxUnavailable 1 lets a drain move it (a short RAG outage) instead of blocking the drain
        app.disruption_budget(self, "pdb", max_unavailable=1, evict_unhealthy=True)

    @property
    def url(self) -> str:
        return f"http://{self.props.name}.{self.props.namespace}.svc.cluster.local:{HTTP_PORT}"

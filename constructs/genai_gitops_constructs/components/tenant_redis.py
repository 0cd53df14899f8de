"""The tenant's Redis (Valkey): websocket sessions shared by Open WebUI replicas.

One replica, no persistence (the data is session state that clients re-create on reconnect), a
password from the tenant's secret store and a ClusterIP Service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PORTS
from genai_gitops_constructs.external_secret import TENANT_SECRET_STORE, ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, SecurityProfile, exec_probe, writable
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, Pod, Port, secret_env

PORT = PORTS["redis"]
PORT_NAME = "redis"

# The official image's `valkey` user (999); its entrypoint only chowns and drops privileges when started as
# root, so as 999 it execs valkey-server directly. Everything it may write is under /data (an emptyDir).
VALKEY_SECURITY = SecurityProfile(run_as_user=999, run_as_group=999, fs_group=999)
VALKEY_RESOURCES = Resources(cpu_request="100m", memory_request="128Mi", cpu_limit="500m", memory_limit="256Mi")

# PONG only with the right password: an exit code alone would pass on a NOAUTH error reply
PING = 'valkey-cli -a "$VALKEY_PASSWORD" --no-auth-warning ping | grep -q PONG'


@dataclass(frozen=True)
class TenantRedisProps:
    namespace: str
    tenant: str
    #: the server password in the tenant's store (no generator: the store holds it)
    password: SecretRef
    resources: Resources = VALKEY_RESOURCES
    #: below the memory limit, so Valkey evicts before the kernel kills it
    max_memory: str = "200mb"
    security: SecurityProfile = VALKEY_SECURITY
    image: str = field(default_factory=lambda: image("valkey"))
    name: str = "redis"


class TenantRedis(Construct):
    def __init__(self, scope: Construct, id: str, props: TenantRedisProps) -> None:
        super().__init__(scope, id)
        self.props = props
        ns = props.namespace
        app = Identity.of(props.name, namespace=ns, instance=ns, component="cache", tenant=props.tenant)

        ExternalSecret(self, "secret", ExternalSecretProps(
            name=props.name, namespace=ns, labels=app.labels, data={"password": props.password},
            store=TENANT_SECRET_STORE, store_kind="SecretStore"))

        data_volume, data_mount = writable("data", "/data", "512Mi")
        port = Port(PORT_NAME, PORT, protocol="TCP")
        container = Container(
            name=props.name, image=props.image, image_pull_policy="IfNotPresent",
            # $(VALKEY_PASSWORD) is expanded by the kubelet from the env below, never written in the manifest
            args=["valkey-server", "--port", str(PORT), "--requirepass", "$(VALKEY_PASSWORD)",
                  "--save", "", "--appendonly", "no", "--dir", "/data",
                  "--maxmemory", props.max_memory, "--maxmemory-policy", "allkeys-lru"],
            ports=[port],
            env=[secret_env("VALKEY_PASSWORD", props.name, "password")],
            resources=props.resources,
            liveness_probe=exec_probe(["sh", "-c", PING], period=10, failure_threshold=3),
            readiness_probe=exec_probe(["sh", "-c", PING], period=5, failure_threshold=3),
            mounts=[data_mount])

        app.deployment(self, "deployment", DeploymentSpec(
            pod=Pod(containers=[container], profile=props.security, volumes=[data_volume]),
            revision_history_limit=5,
            # never two servers behind the Service: sessions written to one would be missing on the other
            strategy="Recreate"))
        app.service(self, "service", [port])

    @property
    def host(self) -> str:
        return f"{self.props.name}.{self.props.namespace}.svc.cluster.local"

    @property
    def port(self) -> int:
        return PORT

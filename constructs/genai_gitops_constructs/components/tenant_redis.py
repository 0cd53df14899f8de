"""The tenant's Redis (Valkey): websocket sessions shared by Open WebUI replicas.

One replica, no persistence (the data is session state that clients re-create on reconnect), a
password from the tenant's secret store and a ClusterIP Service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PORTS
from genai_gitops_constructs.external_secret import TENANT_SECRET_STORE, ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.meta import labels, object_meta, selector
from genai_gitops_constructs.security import (
    Resources,
    SecurityProfile,
    container_security_context,
    exec_probe,
    pod_security_context,
    writable,
)
from genai_gitops_constructs.values import int_or_string
from genai_gitops_constructs.versions import image

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
        meta_labels = labels(props.name, instance=ns, component="cache", tenant=props.tenant)
        match = selector(props.name, ns)

        ExternalSecret(self, "secret", ExternalSecretProps(
            name=props.name, namespace=ns, labels=meta_labels, data={"password": props.password},
            store=TENANT_SECRET_STORE, store_kind="SecretStore"))

        data_volume, data_mount = writable("data", "/data", "512Mi")
        container = k8s.Container(
            name=props.name, image=props.image, image_pull_policy="IfNotPresent",
            # $(VALKEY_PASSWORD) is expanded by the kubelet from the env below, never written in the manifest
            args=["valkey-server", "--port", str(PORT), "--requirepass", "$(VALKEY_PASSWORD)",
                  "--save", "", "--appendonly", "no", "--dir", "/data",
                  "--maxmemory", props.max_memory, "--maxmemory-policy", "allkeys-lru"],
            ports=[k8s.ContainerPort(name=PORT_NAME, container_port=PORT, protocol="TCP")],
            env=[k8s.EnvVar(name="VALKEY_PASSWORD", value_from=k8s.EnvVarSource(
                secret_key_ref=k8s.SecretKeySelector(name=props.name, key="password")))],
            resources=props.resources.render(),
            security_context=container_security_context(props.security),
            liveness_probe=exec_probe(["sh", "-c", PING], period=10, failure_threshold=3),
            readiness_probe=exec_probe(["sh", "-c", PING], period=5, failure_threshold=3),
            volume_mounts=[data_mount])

        k8s.KubeDeployment(self, "deployment", metadata=object_meta(props.name, ns, meta_labels),
                           spec=k8s.DeploymentSpec(
            replicas=1,
            selector=k8s.LabelSelector(match_labels=match),
            revision_history_limit=5,
            # never two servers behind the Service: sessions written to one would be missing on the other
            strategy=k8s.DeploymentStrategy(type="Recreate"),
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=meta_labels),
                spec=k8s.PodSpec(
                    automount_service_account_token=False,
                    enable_service_links=False,
                    security_context=pod_security_context(props.security),
                    containers=[container],
                    volumes=[data_volume]))))

        k8s.KubeService(self, "service", metadata=object_meta(props.name, ns, meta_labels), spec=k8s.ServiceSpec(
            type="ClusterIP", selector=match,
            ports=[k8s.ServicePort(name=PORT_NAME, port=PORT, target_port=int_or_string(PORT_NAME),
                                   protocol="TCP")]))

    @property
    def host(self) -> str:
        return f"{self.props.name}.{self.props.namespace}.svc.cluster.local"

    @property
    def port(self) -> int:
        return PORT

"""The MCP registry: the platform's private catalogue of shared MCP servers (modelcontextprotocol/registry).

A stateless Go API over PostgreSQL (its own `mcp_registry` database in the central PostgreSQL), so two
replicas behind a PDB. It starts empty (no seeding from the public registry: this catalogue lists the
servers the platform runs) and validation against public package registries is off, because the
servers it lists are in-cluster images, not npm/PyPI packages. Publishing needs a token signed with
the registry's JWT key; anonymous publishing is off.

The image is built with ko on a distroless base whose `nonroot` user is UID 65532; read-only root,
only /tmp is writable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components.db_budget import PoolClaim
from genai_gitops_constructs.components.postgres import database_password_ref, database_url_template, platform_secret
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.meta import labels, object_meta, selector
from genai_gitops_constructs.security import (
    Resources,
    SecurityProfile,
    container_security_context,
    http_probe,
    pod_security_context,
    writable,
)
from genai_gitops_constructs.values import int_or_string
from genai_gitops_constructs.versions import image

NAME = "mcp-registry"
#: database and owner role in the central PostgreSQL
DATABASE = "mcp_registry"
PORT_NAME = "http"
HEALTH_PATH = "/v0/health"
#: the distroless `nonroot` user of ko-built images
REGISTRY_PROFILE = SecurityProfile(run_as_user=65532, run_as_group=65532, fs_group=65532)


@dataclass(frozen=True)
class McpRegistryProps:
    cluster: ClusterSpec
    replicas: int = 2
    resources: Resources = field(default_factory=lambda: Resources("100m", "128Mi", "500m", "256Mi"))


class McpRegistry(Construct):
    """Deployment, Service and PDB `mcp-registry`, and its ExternalSecret."""

    def __init__(self, scope: Construct, id: str, props: McpRegistryProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        ns = PLATFORM_NAMESPACE
        meta = labels(NAME, instance=cluster.name, component="agents")
        pods = selector(NAME, cluster.name)
        port = PORTS["mcp-registry"]
        #: base URL agents and LiteLLM use (API under /v0.1)
        self.url = f"http://{service_host(NAME)}:{port}"

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=meta,
            data={
                # the same store entry PostgreSQL creates the role with
                "DATABASE_PASSWORD": database_password_ref(cluster, DATABASE),
                # hex-encoded 32-byte Ed25519 seed (openssl rand -hex 32)
                "MCP_REGISTRY_JWT_PRIVATE_KEY": platform_secret(cluster, NAME, "jwt_private_key"),
            },
            template_data={"MCP_REGISTRY_DATABASE_URL": database_url_template(DATABASE, "DATABASE_PASSWORD")}))

        def secret_env(key: str) -> k8s.EnvVar:
            return k8s.EnvVar(name=key, value_from=k8s.EnvVarSource(
                secret_key_ref=k8s.SecretKeySelector(name=secret.secret_name, key=key)))

        tmp_volume, tmp_mount = writable("tmp", "/tmp")  # noqa: S108
        container = k8s.Container(
            name=NAME, image=image("mcp-registry"),
            ports=[k8s.ContainerPort(name=PORT_NAME, container_port=port)],
            env=[k8s.EnvVar(name="MCP_REGISTRY_SERVER_ADDRESS", value=f":{port}"),
                 secret_env("MCP_REGISTRY_DATABASE_URL"),
                 secret_env("MCP_REGISTRY_JWT_PRIVATE_KEY"),
                 # a private catalogue: nothing imported from the public registry
                 k8s.EnvVar(name="MCP_REGISTRY_SEED_FROM", value=""),
                 k8s.EnvVar(name="MCP_REGISTRY_ENABLE_ANONYMOUS_AUTH", value="false"),
                 # listed servers are in-cluster images, not packages npm/PyPI could confirm
                 k8s.EnvVar(name="MCP_REGISTRY_ENABLE_REGISTRY_VALIDATION", value="false")],
            resources=props.resources.render(),
            security_context=container_security_context(REGISTRY_PROFILE),
            volume_mounts=[tmp_mount],
            # the registry migrates its schema before it listens
            startup_probe=http_probe(HEALTH_PATH, PORT_NAME, period=5, failure_threshold=36),
            readiness_probe=http_probe(HEALTH_PATH, PORT_NAME, period=10),
            liveness_probe=http_probe(HEALTH_PATH, PORT_NAME, period=20))

        k8s.KubeDeployment(self, "deployment", metadata=object_meta(NAME, ns, meta), spec=k8s.DeploymentSpec(
            replicas=props.replicas, selector=k8s.LabelSelector(match_labels=pods),
            template=k8s.PodTemplateSpec(metadata=k8s.ObjectMeta(labels=meta), spec=k8s.PodSpec(
                containers=[container], volumes=[tmp_volume],
                security_context=pod_security_context(REGISTRY_PROFILE),
                automount_service_account_token=False, enable_service_links=False,
                affinity=k8s.Affinity(pod_anti_affinity=k8s.PodAntiAffinity(
                    preferred_during_scheduling_ignored_during_execution=[k8s.WeightedPodAffinityTerm(
                        weight=100, pod_affinity_term=k8s.PodAffinityTerm(
                            topology_key="kubernetes.io/hostname",
                            label_selector=k8s.LabelSelector(match_labels=pods)))]))))))
        k8s.KubeService(self, "service", metadata=object_meta(NAME, ns, meta), spec=k8s.ServiceSpec(
            type="ClusterIP", selector=pods, ports=[k8s.ServicePort(
                name=PORT_NAME, port=port, app_protocol="http", target_port=int_or_string(PORT_NAME))]))
        k8s.KubePodDisruptionBudget(self, "pdb", metadata=object_meta(NAME, ns, meta), spec=k8s.PodDisruptionBudgetSpec(
            min_available=int_or_string(1), selector=k8s.LabelSelector(match_labels=pods)))


#: pgx's pool default is max(4, CPUs the Go runtime sees); counted for nodes of up to 8 vCPUs
REGISTRY_POOL_ASSUMED = 8


def pool_claims(props: McpRegistryProps) -> list[PoolClaim]:
    return [PoolClaim("mcp-registry", REGISTRY_POOL_ASSUMED, props.replicas,
                      "pgx pool default max(4, CPUs), assumed <= 8 (not configurable here)")]

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
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, Pod, Port, secret_env

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
        app = Identity.of(NAME, namespace=ns, instance=cluster.name, component="agents")
        port = Port(PORT_NAME, PORTS["mcp-registry"], app_protocol="http")
        #: base URL agents and LiteLLM use (API under /v0.1)
        self.url = f"http://{service_host(NAME)}:{port.number}"

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=app.labels,
            data={
                # the same store entry PostgreSQL creates the role with
                "DATABASE_PASSWORD": database_password_ref(cluster, DATABASE),
                # hex-encoded 32-byte Ed25519 seed (openssl rand -hex 32)
                "MCP_REGISTRY_JWT_PRIVATE_KEY": platform_secret(cluster, NAME, "jwt_private_key"),
            },
            template_data={"MCP_REGISTRY_DATABASE_URL": database_url_template(DATABASE, "DATABASE_PASSWORD")}))

        tmp_volume, tmp_mount = writable("tmp", "/tmp")  # noqa: S108
        container = Container(
            name=NAME, image=image("mcp-registry"),
            ports=[port],
            env=[k8s.EnvVar(name="MCP_REGISTRY_SERVER_ADDRESS", value=f":{port.number}"),
                 secret_env("MCP_REGISTRY_DATABASE_URL", secret.secret_name),
                 secret_env("MCP_REGISTRY_JWT_PRIVATE_KEY", secret.secret_name),
                 # a private catalogue: nothing imported from the public registry
                 k8s.EnvVar(name="MCP_REGISTRY_SEED_FROM", value=""),
                 k8s.EnvVar(name="MCP_REGISTRY_ENABLE_ANONYMOUS_AUTH", value="false"),
                 # listed servers are in-cluster images, not packages npm/PyPI could confirm
                 k8s.EnvVar(name="MCP_REGISTRY_ENABLE_REGISTRY_VALIDATION", value="false")],
            resources=props.resources,
            mounts=[tmp_mount],
            # the registry migrates its schema before it listens
            startup_probe=http_probe(HEALTH_PATH, PORT_NAME, period=5, failure_threshold=36),
            readiness_probe=http_probe(HEALTH_PATH, PORT_NAME, period=10),
            liveness_probe=http_probe(HEALTH_PATH, PORT_NAME, period=20))

        app.deployment(self, "deployment", DeploymentSpec(
            # Kubernetes' default rollout (25% surge, 25% unavailable)
            replicas=props.replicas, strategy=None,
            pod=Pod(containers=[container], profile=REGISTRY_PROFILE, volumes=[tmp_volume], spread_over_nodes=True)))
        app.service(self, "service", [port])
        app.disruption_budget(self, "pdb", min_available=1)


#: pgx's pool default is max(4, CPUs the Go runtime sees); counted for nodes of up to 8 vCPUs
REGISTRY_POOL_ASSUMED = 8


def pool_claims(props: McpRegistryProps) -> list[PoolClaim]:
    return [PoolClaim("mcp-registry", REGISTRY_POOL_ASSUMED, props.replicas,
                      "pgx pool default max(4, CPUs), assumed <= 8 (not configurable here)")]

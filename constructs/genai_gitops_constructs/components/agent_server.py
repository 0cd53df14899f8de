"""The platform's own agentic server: multi-step workflows behind an OpenAI-compatible API.

The image (`agent-server` in versions.py) is built by the platform team in its own repository; its
contract with this construct is:
- serves the OpenAI API (`/v1/models`, `/v1/chat/completions`) on PORT (8000), `/healthz` (200 once
  its configuration is loaded), and Prometheus `/metrics` on the same port;
- calls models only through LiteLLM (`LITELLM_BASE_URL`, `LITELLM_API_KEY`: a virtual key of its own,
  so its spend and budget show up like a tenant's) and finds tools through the MCP registry
  (`MCP_REGISTRY_URL`);
- runs as any non-root UID with a read-only root filesystem, writing only to /tmp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components.postgres import platform_secret
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, http_probe, tcp_probe, writable
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, Pod, Port, secret_env

NAME = "agent-server"
PORT_NAME = "http"


@dataclass(frozen=True)
class AgentServerProps:
    cluster: ClusterSpec
    #: OpenAI-compatible base URL of the central LiteLLM
    litellm_base_url: str = f"http://{service_host('litellm')}:{PORTS['litellm']}/v1"
    mcp_registry_url: str = f"http://{service_host('mcp-registry')}:{PORTS['mcp-registry']}"
    #: the server's own LiteLLM virtual key (default genai/platform/<cluster>/agent-server:litellm_api_key)
    litellm_api_key: SecretRef | None = None
    replicas: int = 2
    resources: Resources = field(default_factory=lambda: Resources("250m", "512Mi", "1", "1Gi"))


class AgentServer(Construct):
    """Deployment, Service and PDB `agent-server`, and the ExternalSecret with its LiteLLM key."""

    def __init__(self, scope: Construct, id: str, props: AgentServerProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        ns = PLATFORM_NAMESPACE
        app = Identity.of(NAME, namespace=ns, instance=cluster.name, component="agents")
        port = Port(PORT_NAME, PORTS["agent-server"], app_protocol="http")
        #: the OpenAI-compatible base URL it serves
        self.url = f"http://{service_host(NAME)}:{port.number}/v1"

        key_ref = props.litellm_api_key or platform_secret(cluster, NAME, "litellm_api_key")
        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=app.labels, data={"LITELLM_API_KEY": key_ref}))

        tmp_volume, tmp_mount = writable("tmp", "/tmp", "1Gi")  # noqa: S108
        container = Container(
            name=NAME, image=image("agent-server"),
            ports=[port],
            env=[k8s.EnvVar(name="PORT", value=str(port.number)),
                 k8s.EnvVar(name="LITELLM_BASE_URL", value=props.litellm_base_url),
                 secret_env("LITELLM_API_KEY", secret.secret_name),
                 k8s.EnvVar(name="MCP_REGISTRY_URL", value=props.mcp_registry_url),
                 k8s.EnvVar(name="TMPDIR", value="/tmp")],  # noqa: S108
            resources=props.resources,
            mounts=[tmp_mount],
            startup_probe=http_probe("/healthz", PORT_NAME, period=5, failure_threshold=24),
            readiness_probe=http_probe("/healthz", PORT_NAME, period=10),
            # liveness only asks "is the process accepting connections": a slow model call must not restart it
            liveness_probe=tcp_probe(PORT_NAME, period=20))

        app.deployment(self, "deployment", DeploymentSpec(
            replicas=props.replicas,
            pod=Pod(containers=[container], volumes=[tmp_volume], spread_over_nodes=True,
                    # long agent runs (streamed completions) get time to finish on SIGTERM
                    termination_grace_period=120)))
        app.service(self, "service", [port])
        app.disruption_budget(self, "pdb", min_available=1)

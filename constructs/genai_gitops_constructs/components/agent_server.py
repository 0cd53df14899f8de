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
from genai_gitops_constructs.meta import labels, object_meta, selector
from genai_gitops_constructs.security import (
    RESTRICTED,
    Resources,
    container_security_context,
    http_probe,
    pod_security_context,
    tcp_probe,
    writable,
)
from genai_gitops_constructs.values import int_or_string
from genai_gitops_constructs.versions import image

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
        meta = labels(NAME, instance=cluster.name, component="agents")
        pods = selector(NAME, cluster.name)
        port = PORTS["agent-server"]
        #: the OpenAI-compatible base URL it serves
        self.url = f"http://{service_host(NAME)}:{port}/v1"

        key_ref = props.litellm_api_key or platform_secret(cluster, NAME, "litellm_api_key")
        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=meta, data={"LITELLM_API_KEY": key_ref}))

        tmp_volume, tmp_mount = writable("tmp", "/tmp", "1Gi")  # noqa: S108
        container = k8s.Container(
            name=NAME, image=image("agent-server"),
            ports=[k8s.ContainerPort(name=PORT_NAME, container_port=port)],
            env=[k8s.EnvVar(name="PORT", value=str(port)),
                 k8s.EnvVar(name="LITELLM_BASE_URL", value=props.litellm_base_url),
                 k8s.EnvVar(name="LITELLM_API_KEY", value_from=k8s.EnvVarSource(
                     secret_key_ref=k8s.SecretKeySelector(name=secret.secret_name, key="LITELLM_API_KEY"))),
                 k8s.EnvVar(name="MCP_REGISTRY_URL", value=props.mcp_registry_url),
                 k8s.EnvVar(name="TMPDIR", value="/tmp")],  # noqa: S108
            resources=props.resources.render(),
            security_context=container_security_context(RESTRICTED),
            volume_mounts=[tmp_mount],
            startup_probe=http_probe("/healthz", PORT_NAME, period=5, failure_threshold=24),
            readiness_probe=http_probe("/healthz", PORT_NAME, period=10),
            # liveness only asks "is the process accepting connections": a slow model call must not restart it
            liveness_probe=tcp_probe(PORT_NAME, period=20))

        k8s.KubeDeployment(self, "deployment", metadata=object_meta(NAME, ns, meta), spec=k8s.DeploymentSpec(
            replicas=props.replicas, selector=k8s.LabelSelector(match_labels=pods),
            strategy=k8s.DeploymentStrategy(type="RollingUpdate", rolling_update=k8s.RollingUpdateDeployment(
                max_surge=int_or_string(1), max_unavailable=int_or_string(0))),
            template=k8s.PodTemplateSpec(metadata=k8s.ObjectMeta(labels=meta), spec=k8s.PodSpec(
                containers=[container], volumes=[tmp_volume],
                security_context=pod_security_context(RESTRICTED),
                automount_service_account_token=False, enable_service_links=False,
                # long agent runs (streamed completions) get time to finish on SIGTERM
                termination_grace_period_seconds=120,
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

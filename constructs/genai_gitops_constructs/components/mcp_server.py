"""An MCP server the tenant enables: Deployment + ClusterIP Service (never exposed outside the namespace).

The image is the tenant's (pinned in its tenant file). It must listen on `port`, serve MCP streamable
HTTP at `path`, run as any non-root user and write only under /tmp; when the tenant sets an auth token
it receives it as MCP_AUTH_TOKEN and must require it as a bearer token.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.secrets import SecretRef
from genai_gitops_constructs.external_secret import TENANT_SECRET_STORE, ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.meta import labels, object_meta, selector
from genai_gitops_constructs.security import (
    RESTRICTED,
    Resources,
    SecurityProfile,
    container_security_context,
    pod_security_context,
    tcp_probe,
    writable,
)
from genai_gitops_constructs.values import int_or_string

PORT_NAME = "http"
TOKEN_ENV = "MCP_AUTH_TOKEN"  # noqa: S105 - the variable's name, not a value
MCP_RESOURCES = Resources(cpu_request="100m", memory_request="128Mi", cpu_limit="500m", memory_limit="512Mi")


@dataclass(frozen=True)
class McpServerProps:
    namespace: str
    tenant: str
    name: str
    image: str
    port: int = 8000
    path: str = "/mcp"
    description: str = ""
    #: bearer token clients must present; None for a server without auth
    auth_token: SecretRef | None = None
    replicas: int = 1
    resources: Resources = MCP_RESOURCES
    security: SecurityProfile = RESTRICTED


class McpServer(Construct):
    def __init__(self, scope: Construct, id: str, props: McpServerProps) -> None:
        super().__init__(scope, id)
        self.props = props
        ns = props.namespace
        meta_labels = labels(props.name, instance=ns, component="mcp-server", tenant=props.tenant)
        match = selector(props.name, ns)

        env = [k8s.EnvVar(name="HOME", value="/tmp")]  # noqa: S108 - an emptyDir; tools often write ~/.cache
        if props.auth_token is not None:
            ExternalSecret(self, "secret", ExternalSecretProps(
                name=props.name, namespace=ns, labels=meta_labels, data={"token": props.auth_token},
                store=TENANT_SECRET_STORE, store_kind="SecretStore"))
            env.append(k8s.EnvVar(name=TOKEN_ENV, value_from=k8s.EnvVarSource(
                secret_key_ref=k8s.SecretKeySelector(name=props.name, key="token"))))

        tmp_volume, tmp_mount = writable("tmp", "/tmp", "256Mi")  # noqa: S108 - an emptyDir
        container = k8s.Container(
            name=props.name, image=props.image, image_pull_policy="IfNotPresent",
            ports=[k8s.ContainerPort(name=PORT_NAME, container_port=props.port, protocol="TCP")],
            env=env,
            resources=props.resources.render(),
            security_context=container_security_context(props.security),
            # the MCP endpoint only answers a POST initialize: an HTTP GET probe would fail on a healthy server
            liveness_probe=tcp_probe(PORT_NAME, period=10, failure_threshold=3),
            readiness_probe=tcp_probe(PORT_NAME, period=5, failure_threshold=3),
            volume_mounts=[tmp_mount])

        k8s.KubeDeployment(self, "deployment", metadata=object_meta(props.name, ns, meta_labels),
                           spec=k8s.DeploymentSpec(
            replicas=props.replicas,
            selector=k8s.LabelSelector(match_labels=match),
            revision_history_limit=5,
            strategy=k8s.DeploymentStrategy(type="RollingUpdate", rolling_update=k8s.RollingUpdateDeployment(
                max_surge=int_or_string(1), max_unavailable=int_or_string(0))),
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=meta_labels),
                spec=k8s.PodSpec(
                    automount_service_account_token=False,
                    enable_service_links=False,
                    security_context=pod_security_context(props.security),
                    containers=[container],
                    volumes=[tmp_volume]))))

        k8s.KubeService(self, "service", metadata=object_meta(props.name, ns, meta_labels), spec=k8s.ServiceSpec(
            type="ClusterIP", selector=match,
            ports=[k8s.ServicePort(name=PORT_NAME, port=props.port, target_port=int_or_string(
                PORT_NAME), protocol="TCP", app_protocol="http")]))

    @property
    def url(self) -> str:
        """The MCP endpoint clients call (streamable HTTP)."""
        p = self.props
        host = f"{p.name}.{p.namespace}.svc.cluster.local"
        url = f"http://{host}:{p.port}{p.path}"
        # the tenant model admits absolute paths only; this guards every other caller: whatever the path,
        # the URL must still point at this server's Service and carry nothing but a path
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        if (parts.hostname, port, parts.username, parts.query, parts.fragment) != (host, p.port, None, "", "") \
                or not p.path.startswith("/") or p.path.startswith("//"):
            raise ValueError(f"MCP server {p.name}: path {p.path!r} would change the URL's host or add a query; "
                             "use an absolute path such as '/mcp'")
        return url

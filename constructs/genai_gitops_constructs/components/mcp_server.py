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
from genai_gitops_constructs.security import RESTRICTED, Resources, SecurityProfile, tcp_probe, writable
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, Pod, Port, secret_env

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
        app = Identity.of(props.name, namespace=ns, instance=ns, component="mcp-server", tenant=props.tenant)

        env = [k8s.EnvVar(name="HOME", value="/tmp")]  # noqa: S108 - an emptyDir; tools often write ~/.cache
        if props.auth_token is not None:
            ExternalSecret(self, "secret", ExternalSecretProps(
                name=props.name, namespace=ns, labels=app.labels, data={"token": props.auth_token},
                store=TENANT_SECRET_STORE, store_kind="SecretStore"))
            env.append(secret_env(TOKEN_ENV, props.name, "token"))

        tmp_volume, tmp_mount = writable("tmp", "/tmp", "256Mi")  # noqa: S108 - an emptyDir
        port = Port(PORT_NAME, props.port, app_protocol="http", protocol="TCP")
        container = Container(
            name=props.name, image=props.image, image_pull_policy="IfNotPresent",
            ports=[port],
            env=env,
            resources=props.resources,
            # the MCP endpoint only answers a POST initialize: an HTTP GET probe would fail on a healthy server
            liveness_probe=tcp_probe(PORT_NAME, period=10, failure_threshold=3),
            readiness_probe=tcp_probe(PORT_NAME, period=5, failure_threshold=3),
            mounts=[tmp_mount])

        app.deployment(self, "deployment", DeploymentSpec(
            pod=Pod(containers=[container], profile=props.security, volumes=[tmp_volume]),
            replicas=props.replicas, revision_history_limit=5))
        app.service(self, "service", [port])

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

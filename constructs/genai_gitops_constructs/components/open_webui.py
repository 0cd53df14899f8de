"""Open WebUI: the tenant's chat front end.

Deployment (scaled by an HPA), Service, PodDisruptionBudget, the IRSA ServiceAccount and the
ExternalSecrets that carry every credential it reads. Configuration is environment only
(`ENABLE_PERSISTENT_CONFIG=False`): without it most settings only seed the database on first start
and later edits to git would silently do nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PORTS
from genai_gitops_constructs.external_secret import TENANT_SECRET_STORE, ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable, writable_dirs
from genai_gitops_constructs.service_account import irsa_service_account
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, Pod, Port, secret_env

CONTAINER_PORT = PORTS["open-webui"]
SERVICE_PORT = 80
PORT_NAME = "http"
#: the Service listens on 80 in front of the container's port
PORT = Port(PORT_NAME, CONTAINER_PORT, service_number=SERVICE_PORT, app_protocol="http", protocol="TCP")

# Non-root, read-only root filesystem, although the image runs as root by default (Dockerfile `ARG UID=0`, "non-root
# configurations are untested"). runAsNonRoot alone cannot work (the kubelet refuses an image whose user is 0),
# so the UID is explicit. open-webui#27651 reports runAsNonRoot breaking on 0.11.0; the non-root failures
# reported upstream come from writes into the image tree, and each is taken away here:
#  - start.sh writes a generated `.webui_secret_key` into its workdir when WEBUI_SECRET_KEY is unset (#26662):
#    the key always comes from the secret store, so that branch never runs;
#  - every start copies favicons/loader.js into open_webui/static (#11210, #26662; since 0.11.0 the directory is
#    writable for group 0 only): it is an emptyDir here, seeded from the image by an init container;
#  - DATA_DIR (SQLite fallback, upload staging, the embedding/whisper/tiktoken caches baked into the image) and
#    HOME (~/.cache) are emptyDirs too; the data dir is seeded like static.
# Left in the image tree: start.sh's `| tee server.log`, which logs one error and keeps streaming to stdout.
# Not yet run on a cluster: if a smoke test shows another write, relax `read_only_root_filesystem` here with
# an `exception` (and in policies/) rather than going back to root.
# a high UID (10001) keeps clear of host users; nothing in the image tree needs a particular UID
OPEN_WEBUI_SECURITY = SecurityProfile(run_as_user=10001, run_as_group=10001, fs_group=10001)
# ~0.5-1 CPU and 1-2 GiB with remote embeddings; the local sentence-transformers model needs the upper end
OPEN_WEBUI_RESOURCES = Resources(cpu_request="500m", memory_request="1Gi", cpu_limit="2", memory_limit="2Gi")
SEED_RESOURCES = Resources(cpu_request="100m", memory_request="128Mi", cpu_limit="500m", memory_limit="256Mi")

APP_DIR = "/app/backend"
DATA_DIR = f"{APP_DIR}/data"
STATIC_DIR = f"{APP_DIR}/open_webui/static"
HOME_DIR = "/home/open-webui"
SEED_DIR = "/seed"

#: Open WebUI access grant for "every signed-in user may use it" (an empty list means admins only)
ALL_USERS_READ = [{"principal_type": "user", "principal_id": "*", "permission": "read"}]


@dataclass(frozen=True)
class Oidc:
    issuer_url: str
    client_id: str
    client_secret: SecretRef
    provider_name: str = "SSO"
    scopes: str = "openid email profile groups"
    #: create an account on a user's first OIDC login
    allow_signup: bool = True
    #: IdP groups mapped to Open WebUI's admin role
    admin_groups: tuple[str, ...] = ()
    #: IdP groups mapped to the user role; empty: any member of the IdP client ("*")
    user_groups: tuple[str, ...] = ()
    #: the ID token claim holding the groups (what the `groups` scope adds)
    groups_claim: str = "groups"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer_url.rstrip('/')}/.well-known/openid-configuration"


@dataclass(frozen=True)
class OpenAIConnection:
    """An OpenAI-compatible endpoint (the central LiteLLM) and the tenant's virtual key for it."""

    base_url: str
    api_key: SecretRef


@dataclass(frozen=True)
class QdrantConnection:
    url: str
    api_key: SecretRef


@dataclass(frozen=True)
class RedisConnection:
    """Redis for websocket sessions shared by replicas; the password is read from the store."""

    host: str
    port: int
    password: SecretRef
    database: int = 0


@dataclass(frozen=True)
class ToolServer:
    """An MCP server (streamable HTTP) offered to users as tools."""

    id: str
    name: str
    url: str
    description: str = ""
    #: bearer token Open WebUI presents; None for a server without auth
    token: SecretRef | None = None


@dataclass(frozen=True)
class S3Storage:
    """Uploads and documents in S3; credentials come from IRSA, never from keys."""

    bucket: str
    region: str
    key_prefix: str = "open-webui"


@dataclass(frozen=True)
class Scaling:
    min_replicas: int = 1
    max_replicas: int = 3
    target_cpu_utilization: int = 70


@dataclass(frozen=True)
class OpenWebUIProps:
    namespace: str
    tenant: str
    #: white-label product name shown in the UI
    display_name: str
    #: https://<host>, used for OAuth redirects and links
    public_url: str
    oidc: Oidc
    #: session signing key, identical on every replica
    secret_key: SecretRef
    #: PostgreSQL URL (holds a password)
    database_url: SecretRef
    redis: RedisConnection
    storage: S3Storage
    #: IAM role the ServiceAccount assumes through IRSA (S3)
    iam_role_arn: str
    ollama_url: str | None = None
    openai: OpenAIConnection | None = None
    qdrant: QdrantConnection | None = None
    tool_servers: tuple[ToolServer, ...] = ()
    #: tools are the tenant's own servers, meant for its users; False keeps them admin-only
    tools_for_all_users: bool = True
    #: the password form; off so that every login goes through the tenant's OIDC provider
    password_login: bool = False
    #: role of accounts created at first OIDC login ("pending" waits for an admin's approval)
    default_user_role: str = "pending"
    scaling: Scaling = Scaling()
    resources: Resources = OPEN_WEBUI_RESOURCES
    seed_resources: Resources = SEED_RESOURCES
    security: SecurityProfile = OPEN_WEBUI_SECURITY
    #: upload staging and model caches (the image's baked ones are copied in at start)
    data_size_limit: str = "4Gi"
    image: str = field(default_factory=lambda: image("open-webui"))
    name: str = "open-webui"
    extra_env: tuple[tuple[str, str], ...] = ()


def _env(name: str, value: str) -> k8s.EnvVar:
    return k8s.EnvVar(name=name, value=value)


def _flag(value: bool) -> str:
    return "True" if value else "False"


class OpenWebUI(Construct):
    """Open WebUI wired to the tenant's backends; `service_name`/`PORT_NAME` are what an Ingress targets."""

    def __init__(self, scope: Construct, id: str, props: OpenWebUIProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.service_name = props.name
        ns = props.namespace
        self._app = Identity.of(props.name, namespace=ns, instance=ns, component="frontend", tenant=props.tenant)
        self._labels = self._app.labels
        self._secret = props.name
        self._oidc_secret = f"{props.name}-oidc"

        self._external_secrets()
        # S3 uploads and documents through IRSA
        irsa_service_account(self, "service-account", name=props.name, namespace=ns, labels=self._labels,
                             role_arn=props.iam_role_arn)
        self._deployment()
        self._app.service(self, "service", [PORT])
        self._app.autoscaler(self, "hpa", min_replicas=props.scaling.min_replicas,
                   max_replicas=props.scaling.max_replicas, cpu_utilization=props.scaling.target_cpu_utilization)
        # maxUnavailable 1 never blocks a node drain (even at one replica) and, above two replicas, keeps
        # more capacity than minAvailable 1 would; AlwaysAllow lets drains evict pods that never became ready
        self._app.disruption_budget(self, "pdb", max_unavailable=1, evict_unhealthy=True)

    @property
    def url(self) -> str:
        return f"http://{self.props.name}.{self.props.namespace}.svc.cluster.local:{SERVICE_PORT}"

    # -- secrets -------------------------------------------------------------------------------------------

    def _external_secrets(self) -> None:
        p = self.props
        data: dict[str, SecretRef] = {
            "webui-secret-key": p.secret_key,
            "database-url": p.database_url,
            "redis-password": p.redis.password,
        }
        templates = {
            # a URL-safe password stays as is; urlquery escapes the rest for the userinfo part
            "redis-url": (f'redis://:{{{{ index . "redis-password" | urlquery }}}}@{p.redis.host}:{p.redis.port}'
                          f"/{p.redis.database}"),
        }
        if p.openai is not None:
            data["openai-api-key"] = p.openai.api_key
        if p.qdrant is not None:
            data["qdrant-api-key"] = p.qdrant.api_key
        for server in p.tool_servers:
            if server.token is not None:
                data[_token_key(server)] = server.token
        if p.tool_servers:
            templates["tool-server-connections"] = _tool_server_connections(p.tool_servers, p.tools_for_all_users)
        ExternalSecret(self, "secret", ExternalSecretProps(
            name=self._secret, namespace=p.namespace, labels=self._labels, data=data, template_data=templates,
            store=TENANT_SECRET_STORE, store_kind="SecretStore"))
        ExternalSecret(self, "oidc-secret", ExternalSecretProps(
            name=self._oidc_secret, namespace=p.namespace, labels=self._labels,
            data={"client-secret": p.oidc.client_secret}, store=TENANT_SECRET_STORE, store_kind="SecretStore"))

    # -- workload ------------------------------------------------------------------------------------------

    def _environment(self) -> list[k8s.EnvVar]:
        p = self.props
        env = [
            _env("WEBUI_NAME", p.display_name),
            _env("WEBUI_URL", p.public_url),
            _env("ENABLE_PERSISTENT_CONFIG", "False"),
            secret_env("WEBUI_SECRET_KEY", self._secret, "webui-secret-key"),
            secret_env("DATABASE_URL", self._secret, "database-url"),
            _env("WEBUI_SESSION_COOKIE_SECURE", "True"),
            _env("WEBUI_AUTH_COOKIE_SECURE", "True"),
            # sign-in: the tenant's OIDC provider
            _env("ENABLE_LOGIN_FORM", _flag(p.password_login)),
            _env("ENABLE_SIGNUP", _flag(p.password_login)),
            _env("ENABLE_OAUTH_SIGNUP", _flag(p.oidc.allow_signup)),
            _env("DEFAULT_USER_ROLE", p.default_user_role),
            _env("OAUTH_CLIENT_ID", p.oidc.client_id),
            secret_env("OAUTH_CLIENT_SECRET", self._oidc_secret, "client-secret"),
            _env("OPENID_PROVIDER_URL", p.oidc.discovery_url),
            _env("OAUTH_PROVIDER_NAME", p.oidc.provider_name),
            _env("OAUTH_SCOPES", p.oidc.scopes),
            # roles from the IdP's groups on every login (utils/oauth.py get_user_role, 0.11.0): admin
            # for admin_groups, user for user_groups, DEFAULT_USER_ROLE (pending) for anyone else. Open
            # WebUI still makes the very first account admin; see README (declined/partial items).
            _env("ENABLE_OAUTH_ROLE_MANAGEMENT", "True"),
            _env("OAUTH_ROLES_CLAIM", p.oidc.groups_claim),
            _env("OAUTH_ALLOWED_ROLES", ",".join(p.oidc.user_groups) or "*"),
            _env("OAUTH_ADMIN_ROLES", ",".join(p.oidc.admin_groups)),
        ]
        # models: the tenant's Ollama and/or the central LiteLLM; an unused backend is switched off
        env.append(_env("ENABLE_OLLAMA_API", _flag(p.ollama_url is not None)))
        if p.ollama_url is not None:
            env.append(_env("OLLAMA_BASE_URL", p.ollama_url))
        env.append(_env("ENABLE_OPENAI_API", _flag(p.openai is not None)))
        if p.openai is not None:
            env += [_env("OPENAI_API_BASE_URL", p.openai.base_url),
                    secret_env("OPENAI_API_KEY", self._secret, "openai-api-key")]
        if p.qdrant is not None:
            env += [_env("VECTOR_DB", "qdrant"), _env("QDRANT_URI", p.qdrant.url),
                    secret_env("QDRANT_API_KEY", self._secret, "qdrant-api-key")]
        else:
            # No Qdrant (RAG off): never the default embedded Chroma on the emptyDir data dir (lost on restart,
            # different per replica). pgvector in the tenant's own PostgreSQL (PGVECTOR_DB_URL defaults to
            # DATABASE_URL, config.py 0.11.0) is shared by every replica and persistent; the database needs
            # the `vector` extension available (Open WebUI creates it: PGVECTOR_CREATE_EXTENSION).
            env.append(_env("VECTOR_DB", "pgvector"))
        env += [
            # websockets through Redis: any replica can serve any session
            _env("ENABLE_WEBSOCKET_SUPPORT", "True"),
            _env("WEBSOCKET_MANAGER", "redis"),
            secret_env("WEBSOCKET_REDIS_URL", self._secret, "redis-url"),
            secret_env("REDIS_URL", self._secret, "redis-url"),
            # files in S3 through IRSA: no S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY, boto3 reads the web identity
            _env("STORAGE_PROVIDER", "s3"),
            _env("S3_BUCKET_NAME", p.storage.bucket),
            _env("S3_REGION_NAME", p.storage.region),
            _env("S3_KEY_PREFIX", p.storage.key_prefix),
        ]
        if p.tool_servers:
            env.append(secret_env("TOOL_SERVER_CONNECTIONS", self._secret, "tool-server-connections"))
        env.append(_env("HOME", HOME_DIR))
        env += [_env(name, value) for name, value in p.extra_env]
        return env

    def _deployment(self) -> None:
        p = self.props
        volumes, mounts = writable_dirs(
            writable("data", DATA_DIR, p.data_size_limit),
            writable("static", STATIC_DIR, "256Mi"),
            writable("home", HOME_DIR, "512Mi"),
            writable("tmp", "/tmp", "1Gi"),  # noqa: S108 - an emptyDir, not the image's /tmp
        )
        # the emptyDirs start empty: copy what the image ships there (baked model caches, static assets)
        seed = Container(
            name="seed-writable-dirs", image=p.image, image_pull_policy="IfNotPresent",
            command=["sh", "-c", f"cp -R {DATA_DIR}/. {SEED_DIR}/data/ && cp -R {STATIC_DIR}/. {SEED_DIR}/static/"],
            resources=p.seed_resources,
            mounts=[k8s.VolumeMount(name="data", mount_path=f"{SEED_DIR}/data"),
                    k8s.VolumeMount(name="static", mount_path=f"{SEED_DIR}/static")])
        container = Container(
            name=p.name, image=p.image, image_pull_policy="IfNotPresent",
            ports=[PORT],
            env=self._environment(),
            resources=p.resources,
            # first start runs the database migrations: up to 5 minutes before liveness applies
            startup_probe=http_probe("/health", PORT_NAME, period=5, failure_threshold=60),
            liveness_probe=http_probe("/health", PORT_NAME, period=10, failure_threshold=3),
            # /ready (main.py, 0.11.0): 200 only once the database and Redis answer
            readiness_probe=http_probe("/ready", PORT_NAME, period=10, failure_threshold=3),
            mounts=mounts)
        spread = [k8s.TopologySpreadConstraint(
            max_skew=1, topology_key=key, when_unsatisfiable="ScheduleAnyway",
            label_selector=k8s.LabelSelector(match_labels=self._app.selector))
            for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")]
        self._app.deployment(self, "deployment", DeploymentSpec(
            # no `replicas`: the HPA owns the count, and Argo CD must not reset it on every sync
            replicas=None, revision_history_limit=5,
            pod=Pod(containers=[container], init_containers=[seed], profile=p.security, volumes=volumes,
                    service_account=p.name, topology_spread=spread)))


def _token_key(server: ToolServer) -> str:
    return f"{server.id}-token"


def _tool_server_connections(servers: tuple[ToolServer, ...], for_all_users: bool) -> str:
    """TOOL_SERVER_CONNECTIONS as an ExternalSecret template: JSON with each token spliced in by ESO.

    Entry shape as Open WebUI's admin API stores it: `key` and `config` must be present (config never null),
    `info.id` fixed so that a tool's id does not depend on its position in the list.
    """
    placeholders: dict[str, str] = {}
    entries = []
    for server in servers:
        key = ""
        if server.token is not None:
            key = f"@@{server.id}@@"
            placeholders[json.dumps(key)] = f'{{{{ index . "{_token_key(server)}" | toJson }}}}'
        entries.append({
            "type": "mcp",
            "url": server.url,
            "path": "",
            "auth_type": "bearer" if server.token is not None else "none",
            "key": key,
            "config": {"enable": True, "access_grants": ALL_USERS_READ if for_all_users else []},
            "info": {"id": server.id, "name": server.name, "description": server.description},
        })
    # JSON structure never holds "{{"; a name or description might, and ESO would read it as a template action
    text = json.dumps(entries, separators=(",", ":")).replace("{{", "{\\u007b")
    for placeholder, template in placeholders.items():
        text = text.replace(placeholder, template)
    return text

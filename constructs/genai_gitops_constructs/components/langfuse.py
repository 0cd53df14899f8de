"""Langfuse v3: the trace store LiteLLM reports to. Web (UI + ingestion API) and worker (queue consumer).

Backed by the central PostgreSQL (`langfuse` database), ClickHouse, Redis through Sentinel and S3 through
IRSA (a ServiceAccount annotated with the role; no static keys anywhere). The web container runs the
PostgreSQL and ClickHouse migrations itself before it starts serving, so its startup probe allows minutes.

Headless initialisation (LANGFUSE_INIT_*) creates the organisation, the project LiteLLM reports to and
its API key pair from the secret store, so LiteLLM's LANGFUSE_PUBLIC_KEY/SECRET_KEY and this project
read the same store entry and sign-up can stay disabled.

Non-root (the images' own `nextjs`/`expressjs` user, UID 1001) with a read-only root filesystem:
what the processes write is /tmp (Prisma, Node), HOME (set to /tmp) and Next.js's `.next/cache`
(image optimisation), each an emptyDir.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.quantity import parse_quantity
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components import redis_ha
from genai_gitops_constructs.components.clickhouse import ClickHouseConnection
from genai_gitops_constructs.components.db_budget import PoolClaim
from genai_gitops_constructs.components.gateway import PublicEndpoint, PublicRoute
from genai_gitops_constructs.components.postgres import database_password_ref, database_url_template, platform_secret
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.meta import labels
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable, writable_dirs
from genai_gitops_constructs.service_account import irsa_service_account
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, Pod, Port, secret_env

WEB = "langfuse-web"
WORKER = "langfuse-worker"
SERVICE_ACCOUNT = "langfuse"
SECRET = "langfuse"  # noqa: S105 (the Secret's name, not a value)
PORT_NAME = "http"
WEB_PORT = Port(PORT_NAME, PORTS["langfuse-web"], app_protocol="http")
#: the images' `nextjs` (web) and `expressjs` (worker) users
LANGFUSE_PROFILE = SecurityProfile(run_as_user=1001, run_as_group=1001, fs_group=1001)
#: Next.js standalone server's cache directory inside the web image
NEXT_CACHE = "/app/web/.next/cache"


@dataclass(frozen=True)
class RedisSentinel:
    """A Sentinel-managed Redis: clients ask the sentinels for the current master of `master_name`.

    `password` authenticates to Redis and to the Sentinels alike (redis_ha sets both to one value).
    """

    sentinel_nodes: tuple[tuple[str, int], ...]
    master_name: str
    password: SecretRef

    @classmethod
    def central(cls, cluster: ClusterSpec) -> RedisSentinel:
        """The central stack's Redis HA (redis_ha.py): its Sentinels, master set and password entry."""
        return cls(tuple(redis_ha.sentinel_nodes()), redis_ha.MASTER_SET, redis_ha.password_ref(cluster))

    @property
    def nodes(self) -> str:
        """`host:port,host:port,...`, the form Langfuse and Lago read."""
        return ",".join(f"{host}:{port}" for host, port in self.sentinel_nodes)


@dataclass(frozen=True)
class LangfuseInit:
    """Headless initialisation: the organisation and project LiteLLM reports to, and the first admin."""

    org_id: str = "genai-platform"
    org_name: str = "GenAI Platform"
    project_id: str = "litellm"
    project_name: str = "LiteLLM gateway"


@dataclass(frozen=True)
class LangfuseProps:
    cluster: ClusterSpec
    clickhouse: ClickHouseConnection
    #: default: the central Redis HA (RedisSentinel.central)
    redis: RedisSentinel | None = None
    #: public host of the UI and ingestion API (default langfuse.<cluster ingress domain>)
    host: str | None = None
    #: the blob store bucket (events, media); created with its IAM role outside the cluster
    s3_bucket: str | None = None
    #: IAM role the `langfuse` ServiceAccount assumes through IRSA
    s3_role_arn: str | None = None
    init: LangfuseInit = field(default_factory=LangfuseInit)
    web_min_replicas: int = 2
    web_max_replicas: int = 6
    worker_replicas: int = 2
    #: Prisma's pool per process (`connection_limit` in DATABASE_URL; Prisma's default grows with cores)
    db_connection_limit: int = 5
    # Langfuse's guidance is >= 2 CPU / 4 GiB per container in production
    web_resources: Resources = field(default_factory=lambda: Resources("1", "2Gi", "2", "4Gi"))
    worker_resources: Resources = field(default_factory=lambda: Resources("1", "2Gi", "2", "4Gi"))
    #: OTLP/HTTP endpoint for Langfuse's own spans; None switches its OpenTelemetry SDK off
    otlp_endpoint: str | None = None

    @property
    def public_host(self) -> str:
        return self.host or f"langfuse.{self.cluster.capabilities.ingress.domain}"

    @property
    def redis_sentinel(self) -> RedisSentinel:
        return self.redis or RedisSentinel.central(self.cluster)

    @property
    def bucket(self) -> str:
        return self.s3_bucket or f"{self.cluster.name}-langfuse-{self.cluster.aws_account_id}"

    @property
    def role_arn(self) -> str:
        return self.s3_role_arn or f"arn:aws:iam::{self.cluster.aws_account_id}:role/genai-{self.cluster.name}-langfuse"


def _env(name: str, value: str) -> k8s.EnvVar:
    return k8s.EnvVar(name=name, value=value)


def _heap_mib(memory_limit: str) -> int:
    """Node's old-space limit: 75% of the container limit, so GC runs before the OOM killer does."""
    return int(parse_quantity(memory_limit) * 3 / 4 / 2**20)


class Langfuse(Construct):
    """Deployments `langfuse-web` (HPA, PDB, Service, HTTPRoute) and `langfuse-worker` (PDB), SA, ExternalSecret."""

    def __init__(self, scope: Construct, id: str, props: LangfuseProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.namespace = PLATFORM_NAMESPACE
        self.instance = props.cluster.name
        #: in-cluster URL of the web container (LiteLLM's LANGFUSE_HOST)
        self.url = f"http://{service_host(WEB)}:{PORTS['langfuse-web']}"
        self.public_url = f"https://{props.public_host}"

        meta = labels(SERVICE_ACCOUNT, instance=self.instance, component="tracing")
        self._external_secret(meta)
        irsa_service_account(self, "service-account", name=SERVICE_ACCOUNT, namespace=self.namespace, labels=meta,
                             role_arn=props.role_arn)

        web = Identity.of(WEB, namespace=self.namespace, instance=self.instance, component="tracing")
        worker = Identity.of(WORKER, namespace=self.namespace, instance=self.instance, component="tracing")
        self._web(web)
        self._worker(worker)
        web.service(self, "service", [WEB_PORT])
        self._ingress(web.labels)
        web.autoscaler(self, "hpa", min_replicas=props.web_min_replicas, max_replicas=props.web_max_replicas,
                   cpu_utilization=70)
        for app in (web, worker):
            app.disruption_budget(self, f"{app.name}-pdb", min_available=1)

    # -- credentials -----------------------------------------------------------------------------------

    def _external_secret(self, meta: dict[str, str]) -> None:
        cluster = self.props.cluster

        def own(prop: str) -> SecretRef:
            return platform_secret(cluster, SECRET, prop)

        ExternalSecret(self, "secret", ExternalSecretProps(
            name=SECRET, namespace=self.namespace, labels=meta,
            data={
                "NEXTAUTH_SECRET": own("nextauth_secret"),
                "SALT": own("salt"),
                # 64 hex characters (openssl rand -hex 32)
                "ENCRYPTION_KEY": own("encryption_key"),
                # the project key pair LiteLLM also reads (pk-lf-... / sk-lf-...)
                "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": own("public_key"),
                "LANGFUSE_INIT_PROJECT_SECRET_KEY": own("secret_key"),
                "LANGFUSE_INIT_USER_EMAIL": own("admin_email"),
                "LANGFUSE_INIT_USER_PASSWORD": own("admin_password"),
                "DATABASE_PASSWORD": database_password_ref(cluster, "langfuse"),
                "REDIS_AUTH": self.props.redis_sentinel.password,
            },
            template_data={"DATABASE_URL": database_url_template("langfuse", "DATABASE_PASSWORD")
                           + f"?connection_limit={self.props.db_connection_limit}"}))

    # -- configuration shared by web and worker -------------------------------------------------------------

    def _environment(self, *, web: bool, resources: Resources) -> list[k8s.EnvVar]:
        props = self.props
        ch, redis = props.clickhouse, props.redis_sentinel
        region = props.cluster.region
        env = [
            _env("NODE_ENV", "production"),
            _env("NODE_OPTIONS", f"--max-old-space-size={_heap_mib(resources.memory_limit)}"),
            _env("HOSTNAME", "0.0.0.0"),  # noqa: S104 - the pod's only interface; NetworkPolicy limits callers
            _env("PORT", str(PORTS["langfuse-web" if web else "langfuse-worker"])),
            # the read-only root has no writable home; Prisma's update check writes there otherwise
            _env("HOME", "/tmp"),  # noqa: S108 - an emptyDir of this pod
            _env("CHECKPOINT_DISABLE", "1"),
            _env("TELEMETRY_ENABLED", "false"),
            _env("LANGFUSE_LOG_LEVEL", "info"),
            _env("NEXTAUTH_URL", self.public_url),
            secret_env("NEXTAUTH_SECRET", SECRET),
            secret_env("SALT", SECRET),
            secret_env("ENCRYPTION_KEY", SECRET),
            secret_env("DATABASE_URL", SECRET),
            # ClickHouse: one node, so no ON CLUSTER statements in the migrations
            _env("CLICKHOUSE_URL", ch.http_url),
            _env("CLICKHOUSE_MIGRATION_URL", ch.migration_url),
            _env("CLICKHOUSE_USER", ch.user),
            secret_env("CLICKHOUSE_PASSWORD", ch.secret_name, ch.password_key),
            _env("CLICKHOUSE_DB", "default"),
            _env("CLICKHOUSE_CLUSTER_ENABLED", "false"),
            # Redis through Sentinel: the queues survive a master failover
            _env("REDIS_SENTINEL_ENABLED", "true"),
            _env("REDIS_SENTINEL_NODES", redis.nodes),
            _env("REDIS_SENTINEL_MASTER_NAME", redis.master_name),
            secret_env("REDIS_AUTH", SECRET),
            # S3 through IRSA: bucket and region only, the SDK's web-identity credentials do the rest
            _env("LANGFUSE_S3_EVENT_UPLOAD_BUCKET", props.bucket),
            _env("LANGFUSE_S3_EVENT_UPLOAD_REGION", region),
            _env("LANGFUSE_S3_EVENT_UPLOAD_PREFIX", "events/"),
            _env("LANGFUSE_S3_MEDIA_UPLOAD_BUCKET", props.bucket),
            _env("LANGFUSE_S3_MEDIA_UPLOAD_REGION", region),
            _env("LANGFUSE_S3_MEDIA_UPLOAD_PREFIX", "media/"),
        ]
        if props.otlp_endpoint:
            env += [_env("OTEL_EXPORTER_OTLP_ENDPOINT", props.otlp_endpoint),
                    _env("OTEL_SERVICE_NAME", WEB if web else WORKER)]
        else:
            # otherwise the SDK exports to localhost:4318 and logs a failure for every batch
            env.append(_env("OTEL_SDK_DISABLED", "true"))
        if web:
            init = props.init
            env += [
                _env("AUTH_DISABLE_SIGNUP", "true"),
                _env("LANGFUSE_INIT_ORG_ID", init.org_id),
                _env("LANGFUSE_INIT_ORG_NAME", init.org_name),
                _env("LANGFUSE_INIT_PROJECT_ID", init.project_id),
                _env("LANGFUSE_INIT_PROJECT_NAME", init.project_name),
                secret_env("LANGFUSE_INIT_PROJECT_PUBLIC_KEY", SECRET),
                secret_env("LANGFUSE_INIT_PROJECT_SECRET_KEY", SECRET),
                secret_env("LANGFUSE_INIT_USER_EMAIL", SECRET),
                _env("LANGFUSE_INIT_USER_NAME", "Platform admin"),
                secret_env("LANGFUSE_INIT_USER_PASSWORD", SECRET),
            ]
        return env

    def _pod(self, container: Container, volumes: list[k8s.Volume]) -> Pod:
        return Pod(containers=[container], profile=LANGFUSE_PROFILE, volumes=volumes, service_account=SERVICE_ACCOUNT,
                   # in-flight ingestion batches finish before the pod goes (Next.js handles SIGTERM)
                   termination_grace_period=60, spread_over_nodes=True)

    # -- workloads ---------------------------------------------------------------------------------------

    def _web(self, app: Identity) -> None:
        resources = self.props.web_resources
        volumes, mounts = writable_dirs(writable("tmp", "/tmp", "1Gi"),  # noqa: S108
                                        writable("next-cache", NEXT_CACHE, "1Gi"))
        container = Container(
            name="langfuse-web", image=image("langfuse-web"),
            ports=[WEB_PORT],
            env=self._environment(web=True, resources=resources),
            resources=resources,
            mounts=mounts,
            # the entrypoint applies PostgreSQL and ClickHouse migrations before the server listens
            startup_probe=http_probe("/api/public/health", PORT_NAME, period=10, failure_threshold=60),
            liveness_probe=http_probe("/api/public/health", PORT_NAME, period=10, failure_threshold=5),
            readiness_probe=http_probe("/api/public/ready", PORT_NAME, period=10, failure_threshold=3),
        )
        # no `replicas`: the HPA owns the count (a value here would be reset on every Argo CD sync)
        app.deployment(self, "web", DeploymentSpec(pod=self._pod(container, volumes), replicas=None))

    def _worker(self, app: Identity) -> None:
        resources = self.props.worker_resources
        volume, mount = writable("tmp", "/tmp", "1Gi")  # noqa: S108
        container = Container(
            name="langfuse-worker", image=image("langfuse-worker"),
            ports=[Port(PORT_NAME, PORTS["langfuse-worker"])],
            env=self._environment(web=False, resources=resources),
            resources=resources,
            mounts=[mount],
            startup_probe=http_probe("/api/health", PORT_NAME, period=10, failure_threshold=30),
            liveness_probe=http_probe("/api/health", PORT_NAME, period=10, failure_threshold=5),
            readiness_probe=http_probe("/api/ready", PORT_NAME, period=10, failure_threshold=3),
        )
        # Kubernetes' default rollout (25% surge, 25% unavailable)
        app.deployment(self, "worker", DeploymentSpec(pod=self._pod(container, [volume]),
                                                       replicas=self.props.worker_replicas, strategy=None))

    # -- exposure ------------------------------------------------------------------------------------------

    def _ingress(self, obj_labels: dict[str, str]) -> None:
        PublicRoute(self, "public", labels=obj_labels, endpoint=PublicEndpoint(
            name=WEB, namespace=self.namespace, host=self.props.public_host, service=WEB,
            port=PORTS["langfuse-web"],
            # SDK ingestion batches are a few MiB at most
            body_limit="16Mi"))


def pool_claims(props: LangfuseProps) -> list[PoolClaim]:
    """Langfuse's share of the central PostgreSQL connections (Prisma, one process per container)."""
    bound = f"Prisma connection_limit={props.db_connection_limit} in DATABASE_URL"
    return [PoolClaim("langfuse-web", props.db_connection_limit, props.web_max_replicas, bound),
            PoolClaim("langfuse-worker", props.db_connection_limit, props.worker_replicas, bound)]

"""Lago billing: API, Sidekiq worker, clock (scheduler), front end, and the migration Job.

All Ruby processes run the `getlago/api` image with a different script; the front end is the
`getlago/front` nginx image. Credentials come from one ExternalSecret; file storage (invoices,
exports) is S3 through IRSA.

Ordering with Argo CD (sync waves inside the central application):
- wave 0 (default): the ExternalSecret, ServiceAccounts, ConfigMaps and the PostgreSQL StatefulSet;
- wave 1: `lago-migrate`, a Sync hook Job (`db:migrate`, predefined roles, the first organisation and
  the API key LiteLLM sends usage events with). It runs upstream's scripts/migrate.sh (v1.48.1) minus
  its first step, `rake db:create`: PostgreSQL checks CREATEDB before it checks whether the database
  exists, and the `lago` role owns its database (created by PostgreSQL's init script) but may not
  create others, so that step would fail the Job every time. A PreSync hook would run before wave 0 exists on the
  first install - no Secret, no database - and hang the sync; a Sync hook after them does not;
- wave 2: the Lago workloads, so a new image never serves an unmigrated schema.

Security: the api image has no USER (runs as root by default). Nothing in it needs root: the app tree
only has to be readable, and the paths Rails and Puma write (tmp/ for bootsnap's cache, the pid file,
Puma's control socket in /tmp) are emptyDirs, so it runs as UID 10001 with a read-only root. The front
image's entrypoint writes env-config.js into the web root and nginx listens on 80 as root; here nginx
runs as its own `nginx` user (101) on 8080 from our nginx.conf, and env-config.js is served from a
ConfigMap, which also keeps the root filesystem read-only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import yaml
from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components.db_budget import PoolClaim
from genai_gitops_constructs.components.gateway import PublicEndpoint, PublicRoute
from genai_gitops_constructs.components.langfuse import RedisSentinel
from genai_gitops_constructs.components.postgres import database_password_ref, database_url_template, platform_secret
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.meta import labels, object_meta
from genai_gitops_constructs.security import (
    Resources,
    SecurityProfile,
    exec_probe,
    http_probe,
    tcp_probe,
    writable,
    writable_dirs,
)
from genai_gitops_constructs.service_account import irsa_service_account
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, JobSpec, Pod, Port, config_volume
from genai_gitops_constructs.workload import secret_env as workload_secret_env

API, WORKER, CLOCK, FRONT, MIGRATE = "lago-api", "lago-worker", "lago-clock", "lago-front", "lago-migrate"
SERVICE_ACCOUNT = "lago"
SECRET = "lago"  # noqa: S105 (the Secret's name, not a value)
PORT_NAME = "http"
#: Sidekiq's liveness server (config/initializers/sidekiq.rb): 200 when Redis answers PING
WORKER_HEALTH_PORT = 8080
LAGO_PROFILE = SecurityProfile(run_as_user=10001, run_as_group=10001, fs_group=10001)
#: the `nginx` user of the nginx:alpine base of getlago/front
FRONT_PROFILE = SecurityProfile(run_as_user=101, run_as_group=101, fs_group=101)
FRONT_CONFIG_DIR = "/etc/lago-front"
CABLE_CONFIG = "lago-cable"
APP_DIR = "/app"

#: scripts/migrate.sh of lago-api v1.48.1 without `rake db:create` (see the module docstring);
#: the seed step reads LAGO_CREATE_ORG itself
MIGRATE_SCRIPT = ("set -e; bundle exec rails db:migrate; bundle exec rails roles:seed_predefined; "
                  "bundle exec rails signup:seed_organization")
#: DATABASE_POOL of the clock and the migration Job (one thread each)
CLOCK_DB_POOL = 2
MIGRATION_WAVE = "1"
WORKLOAD_WAVE = "2"


@dataclass(frozen=True)
class LagoOrganisation:
    """The organisation the migration Job seeds; its API key is the one LiteLLM sends usage events with."""

    name: str = "GenAI Platform"


@dataclass(frozen=True)
class LagoProps:
    cluster: ClusterSpec
    #: default: the central Redis HA (RedisSentinel.central)
    redis: RedisSentinel | None = None
    #: public hosts (defaults billing.<domain> and billing-api.<domain>)
    front_host: str | None = None
    api_host: str | None = None
    s3_bucket: str | None = None
    s3_role_arn: str | None = None
    organisation: LagoOrganisation = field(default_factory=LagoOrganisation)
    api_replicas: int = 2
    worker_replicas: int = 2
    front_replicas: int = 2
    #: invoice PDFs need the Gotenberg service, which this stack does not run
    pdf_generation: bool = False
    # chart requests: api 1 CPU/1Gi, worker 1.1 CPU/1Gi, clock 100m/256Mi, front 200m/512Mi
    api_resources: Resources = field(default_factory=lambda: Resources("500m", "1Gi", "1", "2Gi"))
    worker_resources: Resources = field(default_factory=lambda: Resources("500m", "1Gi", "1500m", "2Gi"))
    clock_resources: Resources = field(default_factory=lambda: Resources("100m", "256Mi", "500m", "512Mi"))
    front_resources: Resources = field(default_factory=lambda: Resources("50m", "64Mi", "200m", "128Mi"))
    rails_max_threads: int = 5
    #: Puma worker processes per api pod
    web_concurrency: int = 2
    sidekiq_concurrency: int = 10

    @property
    def public_front_host(self) -> str:
        return self.front_host or f"billing.{self.cluster.capabilities.ingress.domain}"

    @property
    def public_api_host(self) -> str:
        return self.api_host or f"billing-api.{self.cluster.capabilities.ingress.domain}"

    @property
    def bucket(self) -> str:
        return self.s3_bucket or f"{self.cluster.name}-lago-{self.cluster.aws_account_id}"

    @property
    def redis_sentinel(self) -> RedisSentinel:
        return self.redis or RedisSentinel.central(self.cluster)

    @property
    def role_arn(self) -> str:
        return self.s3_role_arn or f"arn:aws:iam::{self.cluster.aws_account_id}:role/genai-{self.cluster.name}-lago"


def _env(name: str, value: str) -> k8s.EnvVar:
    return k8s.EnvVar(name=name, value=value)


def _secret_env(name: str, key: str | None = None) -> k8s.EnvVar:
    return workload_secret_env(name, SECRET, key)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _wave(wave: str) -> dict[str, str]:
    return {"argocd.argoproj.io/sync-wave": wave}


def _nginx_config() -> str:
    # Upstream's server block (nginx/nginx.conf of getlago/front) on an unprivileged port, plus a main
    # context that writes nothing outside /tmp and serves env-config.js from the ConfigMap.
    return f"""worker_processes 2;
error_log stderr warn;
pid /tmp/nginx.pid;

events {{
  worker_connections 1024;
}}

http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  keepalive_timeout 65;
  server_tokens off;
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;
  include /etc/nginx/conf.d/gzip.conf;

  server {{
    listen {PORTS["lago-front"]};
    root /usr/share/nginx/html;

    location = /env-config.js {{
      alias {FRONT_CONFIG_DIR}/env-config.js;
      add_header Cache-Control "no-cache";
    }}

    location /assets/ {{
      include /etc/nginx/conf.d/csp.conf;
      add_header Cache-Control "public, max-age=31536000, immutable";
      try_files $uri =404;
    }}

    location / {{
      include /etc/nginx/conf.d/csp.conf;
      add_header Cache-Control "no-cache";
      index index.html index.htm;
      try_files $uri $uri/ /index.html =404;
    }}
  }}
}}
"""


def _env_config(values: dict[str, str]) -> str:
    """What the image's .env.sh would write: one `window.<NAME> = "<value>"` line per setting."""
    return "".join(f"window.{name} = {json.dumps(value)}\n" for name, value in values.items())


class Lago(Construct):
    """Deployments `lago-api`, `lago-worker`, `lago-clock`, `lago-front`; Job `lago-migrate`; Services,
    HTTPRoutes, PDBs, ServiceAccounts, the ExternalSecret and the front end's ConfigMap."""

    def __init__(self, scope: Construct, id: str, props: LagoProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.namespace = PLATFORM_NAMESPACE
        self.instance = props.cluster.name
        self.api_url = f"https://{props.public_api_host}"
        self.front_url = f"https://{props.public_front_host}"
        #: in-cluster API base URL (LiteLLM's LAGO_API_BASE)
        self.internal_api_url = f"http://{service_host(API)}:{PORTS['lago-api']}"

        meta = labels(SERVICE_ACCOUNT, instance=self.instance, component="billing")
        self._external_secret(meta)
        irsa_service_account(self, "service-account", name=SERVICE_ACCOUNT, namespace=self.namespace, labels=meta,
                             role_arn=props.role_arn)

        self._cable_config(meta)
        self._migration_job()
        self._api()
        self._worker()
        self._clock()
        self._front()

    # -- credentials and configuration -------------------------------------------------------------------

    def _external_secret(self, meta: dict[str, str]) -> None:
        cluster = self.props.cluster

        def own(prop: str) -> SecretRef:
            return platform_secret(cluster, SECRET, prop)

        ExternalSecret(self, "secret", ExternalSecretProps(
            name=SECRET, namespace=self.namespace, labels=meta,
            data={
                "SECRET_KEY_BASE": own("secret_key_base"),
                # base64 of a PEM RSA 2048 key (openssl genrsa 2048 | base64 | tr -d '\\n')
                "LAGO_RSA_PRIVATE_KEY": own("rsa_private_key"),
                "ENCRYPTION_PRIMARY_KEY": own("encryption_primary_key"),
                "ENCRYPTION_DETERMINISTIC_KEY": own("encryption_deterministic_key"),
                "ENCRYPTION_KEY_DERIVATION_SALT": own("encryption_key_derivation_salt"),
                # the organisation's API key: LiteLLM's Lago callback reads the same store entry
                "LAGO_ORG_API_KEY": own("api_key"),
                "LAGO_ORG_USER_EMAIL": own("admin_email"),
                "LAGO_ORG_USER_PASSWORD": own("admin_password"),
                "DATABASE_PASSWORD": database_password_ref(cluster, "lago"),
                "REDIS_PASSWORD": self.props.redis_sentinel.password,
            },
            template_data={"DATABASE_URL": database_url_template("lago", "DATABASE_PASSWORD")}))

    def _cable_config(self, meta: dict[str, str]) -> None:
        """config/cable.yml through the Sentinels (upstream's takes only a URL: LAGO_REDIS_CABLE_URL).

        ActionCable's Redis adapter (Rails 8.0) passes every cable.yml key but `adapter` and
        `channel_prefix` to Redis.new, and redis-rb 5 (Lago v1.48.1's Gemfile.lock: 5.4.1) asks the
        `sentinels` for the master of `name`: after a failover pub/sub follows the new master.
        """
        redis = self.props.redis_sentinel
        cable = {"production": {
            "adapter": "redis",
            "name": redis.master_name,
            "role": "master",
            "sentinels": [{"host": host, "port": port} for host, port in redis.sentinel_nodes],
            # ERB: Rails renders the file; the password stays in the Secret-backed environment
            "password": '<%= ENV.fetch("REDIS_PASSWORD") %>',
            "db": 1,
            "channel_prefix": "lago_production",
        }}
        k8s.KubeConfigMap(self, "cable-config", metadata=object_meta(CABLE_CONFIG, self.namespace, meta),
                          data={"cable.yml": yaml.safe_dump(cable, sort_keys=False)})

    def _ruby_environment(self) -> list[k8s.EnvVar]:
        """What every process of the api image reads: database, Redis, keys, URLs, storage."""
        props = self.props
        redis = props.redis_sentinel
        return [
            _env("RAILS_ENV", "production"),
            _env("RAILS_LOG_TO_STDOUT", "true"),
            _env("LAGO_LOG_LEVEL", "info"),
            # no writable home in a read-only root: bundler and bootsnap fall back to it
            _env("HOME", "/tmp"),  # noqa: S108 - an emptyDir of this pod
            _env("LAGO_API_URL", self.api_url),
            _env("LAGO_FRONT_URL", self.front_url),
            _secret_env("DATABASE_URL"),
            # Sidekiq and the Rails cache ask the sentinels for the master (Lago's RedisConfigBuilder)
            _env("LAGO_REDIS_SIDEKIQ_SENTINELS", redis.nodes),
            _env("LAGO_REDIS_SIDEKIQ_MASTER_NAME", redis.master_name),
            _secret_env("REDIS_PASSWORD"),
            _env("LAGO_REDIS_CACHE_SENTINELS", redis.nodes),
            _env("LAGO_REDIS_CACHE_MASTER_NAME", redis.master_name),
            _secret_env("LAGO_REDIS_CACHE_PASSWORD", "REDIS_PASSWORD"),
            _secret_env("SECRET_KEY_BASE"),
            _secret_env("LAGO_RSA_PRIVATE_KEY"),
            _secret_env("ENCRYPTION_PRIMARY_KEY"),
            _secret_env("ENCRYPTION_DETERMINISTIC_KEY"),
            _secret_env("ENCRYPTION_KEY_DERIVATION_SALT"),
            _env("LAGO_DISABLE_SEGMENT", "true"),
            _env("LAGO_DISABLE_SIGNUP", "true"),
            _env("LAGO_DISABLE_PDF_GENERATION", _flag(not props.pdf_generation)),
            _env("LAGO_SIDEKIQ_WEB", "false"),
            # S3 through IRSA: no LAGO_AWS_S3_ACCESS_KEY_ID/SECRET; the SDK uses the web identity token
            _env("LAGO_USE_AWS_S3", "true"),
            _env("LAGO_AWS_S3_BUCKET", props.bucket),
            _env("LAGO_AWS_S3_REGION", props.cluster.region),
        ]

    def _ruby_volumes(self) -> tuple[list[k8s.Volume], list[k8s.VolumeMount]]:
        # tmp/: bootsnap's cache and Rails' pids; /tmp: Puma's control socket, bundler's fallback home
        volumes, mounts = writable_dirs(writable("app-tmp", f"{APP_DIR}/tmp", "512Mi"),  # noqa: S108
                                        writable("tmp", "/tmp", "512Mi"))  # noqa: S108
        # ActionCable through the Sentinels (_cable_config) in place of the image's config/cable.yml
        volumes.append(config_volume("cable", CABLE_CONFIG))
        mounts.append(k8s.VolumeMount(name="cable", mount_path=f"{APP_DIR}/config/cable.yml", sub_path="cable.yml",
                                      read_only=True))
        return volumes, mounts

    def _app(self, name: str) -> Identity:
        return Identity.of(name, namespace=self.namespace, instance=self.instance, component="billing")

    @staticmethod
    def _ruby_pod(container: Container, volumes: list[k8s.Volume], *, restart_policy: str | None = None,
                  grace: int = 60) -> Pod:
        return Pod(containers=[container], profile=LAGO_PROFILE, volumes=volumes, service_account=SERVICE_ACCOUNT,
                   restart_policy=restart_policy, termination_grace_period=grace)

    def _deployment(self, id: str, app: Identity, *, replicas: int, pod: Pod, recreate: bool = False) -> None:
        app.deployment(self, id, DeploymentSpec(pod=pod, replicas=replicas, annotations=_wave(WORKLOAD_WAVE),
                                                strategy="Recreate" if recreate else "RollingUpdate"))

    def _ingress(self, id: str, name: str, host: str, obj_labels: dict[str, str], port: int,
                 body_limit: str | None = None) -> None:
        PublicRoute(self, id, labels=obj_labels, endpoint=PublicEndpoint(
            name=name, namespace=self.namespace, host=host, service=name, port=port, body_limit=body_limit))

    # -- the processes ---------------------------------------------------------------------------------

    def _migration_job(self) -> None:
        app = self._app(MIGRATE)
        volumes, mounts = self._ruby_volumes()
        org = self.props.organisation
        container = Container(
            name=MIGRATE, image=image("lago-api"),
            command=["/bin/bash", "-c", MIGRATE_SCRIPT],
            env=[*self._ruby_environment(),
                 # signup:seed_organization: idempotent (find_or_create), keeps the API key in step with the store
                 _env("DATABASE_POOL", str(CLOCK_DB_POOL)),
                 _env("LAGO_CREATE_ORG", "true"),
                 _env("LAGO_ORG_NAME", org.name),
                 _secret_env("LAGO_ORG_USER_EMAIL"),
                 _secret_env("LAGO_ORG_USER_PASSWORD"),
                 _secret_env("LAGO_ORG_API_KEY")],
            resources=self.props.api_resources,
            mounts=mounts)
        annotations = {
            "argocd.argoproj.io/hook": "Sync",
            # keep the finished Job (and its logs) until the next sync replaces it
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
            **_wave(MIGRATION_WAVE),
        }
        app.job(self, "migrate", JobSpec(pod=self._ruby_pod(container, volumes, restart_policy="Never"),
                                          backoff_limit=3, active_deadline_seconds=1800, annotations=annotations))

    def _api(self) -> None:
        app = self._app(API)
        port = Port(PORT_NAME, PORTS["lago-api"], app_protocol="http")
        volumes, mounts = self._ruby_volumes()
        threads = self.props.rails_max_threads
        container = Container(
            name=API, image=image("lago-api"), args=["./scripts/start.api.sh"],
            ports=[port],
            env=[*self._ruby_environment(),
                 _env("PORT", str(port.number)),
                 # Puma's default pid file is tmp/pids/server.pid, a folder the emptyDir does not have
                 _env("PIDFILE", "/tmp/puma.pid"),  # noqa: S108
                 _env("RAILS_MAX_THREADS", str(threads)),
                 _env("WEB_CONCURRENCY", str(self.props.web_concurrency)),
                 # one connection per Puma thread (config/database.yml reads DATABASE_POOL)
                 _env("DATABASE_POOL", str(threads))],
            resources=self.props.api_resources,
            mounts=mounts,
            startup_probe=http_probe("/health", PORT_NAME, period=10, failure_threshold=30),
            # /health runs a query: ready means "can serve"; liveness must not restart pods when the database blips
            readiness_probe=http_probe("/health", PORT_NAME, period=10),
            liveness_probe=tcp_probe(PORT_NAME, period=20, failure_threshold=3))
        self._deployment("api", app, replicas=self.props.api_replicas, pod=self._ruby_pod(container, volumes))
        app.disruption_budget(self, "api-pdb", min_available=1)
        app.service(self, "api-service", [port])
        # the events API takes batches of usage events
        self._ingress("api-route", API, self.props.public_api_host, app.labels, port.number, body_limit="8Mi")

    def _worker(self) -> None:
        app = self._app(WORKER)
        volumes, mounts = self._ruby_volumes()
        concurrency = self.props.sidekiq_concurrency
        container = Container(
            name=WORKER, image=image("lago-api"), args=["./scripts/start.worker.sh"],
            ports=[Port("health", WORKER_HEALTH_PORT)],
            env=[*self._ruby_environment(),
                 _env("SIDEKIQ_CONCURRENCY", str(concurrency)),
                 _env("DATABASE_POOL", str(concurrency))],
            resources=self.props.worker_resources,
            mounts=mounts,
            startup_probe=http_probe("/", "health", period=10, failure_threshold=30),
            readiness_probe=http_probe("/", "health", period=10),
            liveness_probe=http_probe("/", "health", period=20, failure_threshold=3))
        # Sidekiq stops fetching on SIGTERM and waits up to its 25 s timeout for running jobs
        self._deployment("worker", app, replicas=self.props.worker_replicas,
                         pod=self._ruby_pod(container, volumes, grace=40))
        app.disruption_budget(self, "worker-pdb", min_available=1)

    def _clock(self) -> None:
        app = self._app(CLOCK)
        volumes, mounts = self._ruby_volumes()
        scheduler_running = ["/bin/sh", "-c", "grep -q clockwork /proc/1/cmdline"]
        container = Container(
            name=CLOCK, image=image("lago-api"), args=["./scripts/start.clock.sh"],
            # the scheduler only enqueues: database.yml's default pool of 10 would be idle capacity
            env=[*self._ruby_environment(), _env("DATABASE_POOL", str(CLOCK_DB_POOL))],
            resources=self.props.clock_resources,
            mounts=mounts,
            # clockwork serves no HTTP: the probes check that the scheduler (exec'd by the start script)
            # is PID 1; a crashed scheduler also ends the container, which restarts it
            readiness_probe=exec_probe(scheduler_running, period=30),
            liveness_probe=exec_probe(scheduler_running, period=30))
        # Exactly one replica, and Recreate: every clock enqueues the periodic billing jobs (subscriptions,
        # invoices, usage refresh) on its own schedule, so two clocks - even briefly during a rolling
        # update - would enqueue every job twice and bill twice. No PDB: it would block node drains.
        self._deployment("clock", app, replicas=1, recreate=True, pod=self._ruby_pod(container, volumes))

    def _front(self) -> None:
        app = self._app(FRONT)
        port = Port(PORT_NAME, PORTS["lago-front"], app_protocol="http")
        files = {
            "nginx.conf": _nginx_config(),
            "env-config.js": _env_config({
                "API_URL": self.api_url,
                "LAGO_DOMAIN": "",
                "APP_ENV": "production",
                "LAGO_OAUTH_PROXY_URL": "",
                "LAGO_DISABLE_SIGNUP": "true",
                "NANGO_PUBLIC_KEY": "",
                "SENTRY_DSN": "",
                "LAGO_DISABLE_PDF_GENERATION": _flag(not self.props.pdf_generation),
                "LAGO_SUPERSET_URL": "",
            }),
        }
        config = k8s.KubeConfigMap(self, "front-config", metadata=app.metadata(f"{FRONT}-config"), data=files)
        checksum = hashlib.sha256("".join(files[k] for k in sorted(files)).encode()).hexdigest()
        tmp_volume, tmp_mount = writable("tmp", "/tmp", "64Mi")  # noqa: S108
        container = Container(
            name=FRONT, image=image("lago-front"),
            # bypasses the image's entrypoint (.env.sh writes env-config.js into the read-only web root)
            command=["nginx", "-c", f"{FRONT_CONFIG_DIR}/nginx.conf", "-g", "daemon off;"],
            ports=[port],
            resources=self.props.front_resources,
            mounts=[tmp_mount, k8s.VolumeMount(name="config", mount_path=FRONT_CONFIG_DIR, read_only=True)],
            readiness_probe=http_probe("/", PORT_NAME, period=10),
            liveness_probe=http_probe("/", PORT_NAME, period=20))
        pod = Pod(containers=[container], profile=FRONT_PROFILE,
                  volumes=[tmp_volume, config_volume("config", config.name)],
                  annotations={"checksum/config": checksum})
        self._deployment("front", app, replicas=self.props.front_replicas, pod=pod)
        app.disruption_budget(self, "front-pdb", min_available=1)
        app.service(self, "front-service", [port])
        self._ingress("front-route", FRONT, self.props.public_front_host, app.labels, port.number)


def pool_claims(props: LagoProps) -> list[PoolClaim]:
    """Lago's share of the central PostgreSQL connections. config/database.yml (v1.48.1) gives the
    `primary` and `events` databases each a pool of DATABASE_POOL, both on DATABASE_URL: x2 per process."""
    pools = 2
    return [
        PoolClaim("lago-api", props.rails_max_threads * pools * props.web_concurrency, props.api_replicas,
                  f"DATABASE_POOL={props.rails_max_threads} x {pools} pools x WEB_CONCURRENCY={props.web_concurrency}"),
        PoolClaim("lago-worker", props.sidekiq_concurrency * pools, props.worker_replicas,
                  f"DATABASE_POOL={props.sidekiq_concurrency} x {pools} pools"),
        PoolClaim("lago-clock", CLOCK_DB_POOL * pools, 1, f"DATABASE_POOL={CLOCK_DB_POOL} x {pools} pools"),
        PoolClaim("lago-migrate", CLOCK_DB_POOL * pools, 1, f"DATABASE_POOL={CLOCK_DB_POOL} x {pools} pools"),
    ]

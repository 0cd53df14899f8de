"""The central LiteLLM proxy: OpenAI-compatible gateway for every tenant that uses external models.

- `ghcr.io/berriai/litellm-non_root` runs as `nobody` (65534). The root filesystem is read-only;
  /tmp, /.cache and /.npm (the chart's set for read-only mode) and /var/lib/litellm (the admin UI
  is copied there at start, litellm#19425) are emptyDirs.
- Database migrations run once per sync, before the rollout: `litellm-migrate` is an Argo CD Sync
  hook in wave 1 (after PostgreSQL and the Secrets of wave 0) running the proxy's own
  `--skip_server_startup` path (what upstream's prisma_migration.py and chart Job call); the
  Deployment is in wave 2 with `DISABLE_SCHEMA_UPDATE=true`, so replicas never race on the schema.
  A PreSync hook would run before the database exists on the first sync and hang it.
- The image sets `HOME=/app` (docker/Dockerfile.non_root) on the read-only root: HOME points at an
  emptyDir instead (the app tree under /app, including Prisma's binaries, must stay as shipped).
- /metrics is served by a separate, unauthenticated process on the `metrics` port for Prometheus;
  the API port keeps its /metrics behind a key, and the public HTTPRoute sends /v1 only.
- Tenant teams (budgets, rate limits) and tenant keys are reconciled by the `litellm-team-sync`
  CronJob (see litellm_config.py for why they cannot live in config.yaml). It depends on LiteLLM
  alone: it waits for /health/readiness itself. A PostSync hook would wait for every workload of the
  central application (Lago, vLLM on a GPU node) to be healthy first; a CronJob is healthy on
  creation, so it blocks no sync wave, and re-applies the tenant files every few minutes (a budget
  edited by hand in the UI is put back).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import LITELLM_MIGRATE, LITELLM_TEAM_SYNC, PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components import litellm_config as cfg
from genai_gitops_constructs.components import redis_ha, vllm
from genai_gitops_constructs.components.db_budget import PoolClaim
from genai_gitops_constructs.components.gateway import PublicEndpoint, PublicRoute
from genai_gitops_constructs.components.postgres import database_password_ref, database_url_template, platform_secret
from genai_gitops_constructs.components.sync_job import ScriptCronJobProps, script_cronjob
from genai_gitops_constructs.external_secret import TENANT_KEYS_STORE, ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.meta import labels
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable
from genai_gitops_constructs.service_account import irsa_service_account
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import (
    Container,
    DeploymentSpec,
    Identity,
    JobSpec,
    Pod,
    Port,
    config_volume,
    secret_env,
)

NAME = "litellm"
CONFIG_PATH = "/etc/litellm/config.yaml"
#: the non_root image's user (`nobody`)
LITELLM_PROFILE = SecurityProfile(run_as_user=65534, run_as_group=65534, fs_group=65534)
SALT_KEY = "LITELLM_SALT_KEY"
LANGFUSE_KEYS = ("LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY")
LAGO_API_KEY = "LAGO_API_KEY"
DB_PASSWORD = "LITELLM_DB_PASSWORD"  # noqa: S105 (a variable name, not a value)
#: paths inside the container, on emptyDirs
TMP = "/tmp"  # noqa: S108
#: HOME on an emptyDir (the image's HOME=/app is read-only here)
HOME = "/home/litellm"
MIGRATION_WAVE = "1"
WORKLOAD_WAVE = "2"
#: how often the team sync re-applies the tenant files
TEAM_SYNC_SCHEDULE = "*/5 * * * *"


def api_url() -> str:
    """In-cluster base URL (agent server, team sync, tenants on the central cluster)."""
    return f"http://{service_host(NAME)}:{PORTS['litellm']}"


def public_host(cluster: ClusterSpec) -> str:
    """Where tenants on other clusters reach LiteLLM: https://<this>/v1."""
    return f"llm.{cluster.capabilities.ingress.domain}"


def langfuse_keys(cluster: ClusterSpec) -> dict[str, SecretRef]:
    """Langfuse project keys: LiteLLM sends with them, Langfuse's headless init creates the project with them."""
    return {key: platform_secret(cluster, "langfuse", prop)
            for key, prop in zip(LANGFUSE_KEYS, ("public_key", "secret_key"), strict=True)}


@dataclass(frozen=True)
class LiteLLMProps:
    cluster: ClusterSpec
    #: tenants served by this central LiteLLM (same environment)
    tenants: Sequence[TenantSpec]
    config: cfg.LiteLLMConfigProps
    min_replicas: int = 2
    max_replicas: int = 10
    cpu_utilization: int = 70
    #: uvicorn workers per pod. One: the HPA adds pods instead. With more, uvicorn's supervisor
    #: restarts workers whose slow import misses its health ping (seen with 2 workers on 2 CPUs:
    #: 30 s to live instead of 6 s), and each worker adds a database pool.
    num_workers: int = 1
    resources: Resources = field(default_factory=lambda: Resources("1", "2Gi", "2", "4Gi"))
    #: client ranges admitted to the public API (model.traffic.litellm_client_cidrs); empty: anyone
    client_cidrs: tuple[str, ...] = ()


class LiteLLM(Construct):
    """ServiceAccount (IRSA), ConfigMap, ExternalSecrets, Deployment, Service, PDB, HPA, HTTPRoute, team sync Job."""

    def __init__(self, scope: Construct, id: str, props: LiteLLMProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        ns = PLATFORM_NAMESPACE
        app = Identity.of(NAME, namespace=ns, instance=cluster.name, component="gateway")
        meta = app.labels
        port, metrics_port = PORTS["litellm"], PORTS["litellm-metrics"]
        config_yaml = cfg.render_config_yaml(props.config)

        data: dict[str, SecretRef] = {
            cfg.MASTER_KEY: platform_secret(cluster, NAME, "master_key"),
            SALT_KEY: platform_secret(cluster, NAME, "salt_key"),
            DB_PASSWORD: database_password_ref(cluster, "litellm"),
            cfg.REDIS_PASSWORD: redis_ha.password_ref(cluster),
            LAGO_API_KEY: platform_secret(cluster, "lago", "api_key"),
            **langfuse_keys(cluster),
        }
        for provider, key in cfg.PROVIDER_KEYS.items():
            if key is None:
                continue
            # the vLLM key is the very entry the vLLM server reads
            data[key] = (platform_secret(cluster, vllm.NAME, "api_key") if provider == "hosted_vllm"
                         else platform_secret(cluster, "providers", f"{provider}_api_key"))
        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=meta, data=data,
            template_data={cfg.DATABASE_URL: database_url_template("litellm", DB_PASSWORD)}))
        self.secret_name = secret.secret_name

        # Bedrock through IRSA: the pod gets web-identity credentials for this role, no static keys
        irsa_service_account(self, "sa", name=NAME, namespace=ns, labels=meta,
                             role_arn=f"arn:aws:iam::{cluster.aws_account_id}:role/genai-{cluster.name}-litellm")
        config_map = k8s.KubeConfigMap(self, "config", metadata=app.metadata(f"{NAME}-config"),
                                       data={"config.yaml": config_yaml})

        env = [
            k8s.EnvVar(name="LITELLM_LOCAL_MODEL_COST_MAP", value="True"),
            k8s.EnvVar(name="LITELLM_LOG", value="INFO"),
            k8s.EnvVar(name="HOME", value=HOME),
            k8s.EnvVar(name="PROMETHEUS_MULTIPROC_DIR", value=f"{TMP}/prometheus"),
            k8s.EnvVar(name="LANGFUSE_HOST", value=f"http://{service_host('langfuse-web')}:{PORTS['langfuse-web']}"),
            k8s.EnvVar(name="OTEL_EXPORTER", value="otlp_grpc"),
            k8s.EnvVar(name="OTEL_ENDPOINT", value=f"http://{service_host('jaeger')}:{PORTS['jaeger-otlp-grpc']}"),
            k8s.EnvVar(name="OTEL_SERVICE_NAME", value=NAME),
            k8s.EnvVar(name="LAGO_API_BASE", value=f"http://{service_host('lago-api')}:{PORTS['lago-api']}"),
            k8s.EnvVar(name="LAGO_API_EVENT_CODE", value="llm_usage"),
            k8s.EnvVar(name="LAGO_API_CHARGE_BY", value="team_id"),
            *[secret_env(key, secret.secret_name) for key in sorted(data) if key != DB_PASSWORD],
            secret_env(cfg.DATABASE_URL, secret.secret_name),
        ]
        jwt = props.config.jwt
        if jwt is not None:
            env.append(k8s.EnvVar(name="JWT_PUBLIC_KEY_URL", value=jwt.jwks_url))
            env.append(k8s.EnvVar(name="JWT_AUDIENCE", value=jwt.audience))
            if jwt.issuer:
                env.append(k8s.EnvVar(name="JWT_ISSUER", value=jwt.issuer))

        volumes = [config_volume("config", config_map.name)]
        mounts = [k8s.VolumeMount(name="config", mount_path=CONFIG_PATH, sub_path="config.yaml", read_only=True)]
        for vol_name, path, size in (("tmp", TMP, "1Gi"), ("cache", "/.cache", "500Mi"), ("npm", "/.npm", "500Mi"),
                                     ("ui", "/var/lib/litellm", "500Mi"), ("home", HOME, "100Mi")):
            volume, mount = writable(vol_name, path, size)
            volumes.append(volume)
            mounts.append(mount)

        self._migration_job(cluster, env, volumes, mounts, props.resources)
        ports = [Port("http", port, app_protocol="http"), Port("metrics", metrics_port)]
        container = Container(
            name=NAME, image=image("litellm"),
            args=["--config", CONFIG_PATH, "--port", str(port), "--num_workers", str(props.num_workers),
                  "--prometheus_metrics_port", str(metrics_port)],
            # the migration Job of wave 1 has migrated; the replicas only check the schema
            env=[*env, k8s.EnvVar(name="DISABLE_SCHEMA_UPDATE", value="true")],
            ports=ports, resources=props.resources, mounts=mounts,
            # never /health: it calls every upstream model
            startup_probe=http_probe("/health/readiness", "http", period=10, failure_threshold=30),
            liveness_probe=http_probe("/health/liveliness", "http", period=15, failure_threshold=3),
            readiness_probe=http_probe("/health/readiness", "http", period=10, failure_threshold=3),
        )
        # a config change must roll the pods (a subPath mount never sees ConfigMap updates)
        checksum = hashlib.sha256(config_yaml.encode()).hexdigest()
        app.deployment(self, "deployment", DeploymentSpec(
            # no `replicas`: the HPA owns the count (a fixed value here would fight it on every sync)
            replicas=None, annotations={"argocd.argoproj.io/sync-wave": WORKLOAD_WAVE},
            pod=Pod(containers=[container], profile=LITELLM_PROFILE, volumes=volumes, service_account=NAME,
                    annotations={"checksum/config": checksum}, spread_over_nodes=True,
                    # long streaming completions finish before the pod goes
                    termination_grace_period=90)))
        app.service(self, "service", ports)
        app.disruption_budget(self, "pdb", min_available=1)
        app.autoscaler(self, "hpa", min_replicas=props.min_replicas, max_replicas=props.max_replicas,
                   cpu_utilization=props.cpu_utilization)
        self._public_route(cluster, meta, props.client_cidrs)
        self._team_sync(cluster, props.tenants, secret.secret_name)

    def _migration_job(self, cluster: ClusterSpec, env: list[k8s.EnvVar], volumes: list[k8s.Volume],
                       mounts: list[k8s.VolumeMount], resources: Resources) -> None:
        """Prisma migrations once per sync, with the Deployment's config, Secret and mounts."""
        app = Identity.of(LITELLM_MIGRATE, namespace=PLATFORM_NAMESPACE, instance=cluster.name, component="gateway")
        container = Container(
            name="migrate", image=image("litellm"),
            # proxy_cli: setup_database, then exit before serving (non-zero when a migration fails)
            args=["--config", CONFIG_PATH, "--skip_server_startup"],
            env=[*env, k8s.EnvVar(name="DISABLE_SCHEMA_UPDATE", value="false")],
            resources=resources, mounts=mounts)
        app.job(self, "migrate", JobSpec(
            backoff_limit=3, active_deadline_seconds=1800,
            pod=Pod(containers=[container], profile=LITELLM_PROFILE, volumes=volumes, restart_policy="Never"),
            annotations={
                # after wave 0 (PostgreSQL, Secrets) exists, before the replicas of wave 2
                "argocd.argoproj.io/hook": "Sync",
                "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
                "argocd.argoproj.io/sync-wave": MIGRATION_WAVE}))

    def _public_route(self, cluster: ClusterSpec, meta: dict[str, str], client_cidrs: tuple[str, ...]) -> None:
        PublicRoute(self, "public", labels=meta, endpoint=PublicEndpoint(
            name=NAME, namespace=PLATFORM_NAMESPACE, host=public_host(cluster), service=NAME, port=PORTS["litellm"],
            # the OpenAI API only: the admin UI and management routes are not on the internet
            paths=("/v1",),
            # completions stream for minutes
            timeout="600s",
            # the design documents' request-size limit (long prompts, base64 images and files)
            body_limit="50Mi",
            client_cidrs=client_cidrs))

    def _team_sync(self, cluster: ClusterSpec, tenants: Sequence[TenantSpec], secret_name: str) -> None:
        ns = PLATFORM_NAMESPACE
        meta = labels(LITELLM_TEAM_SYNC, instance=cluster.name, component="gateway")
        teams_json = json.dumps(cfg.teams(tenants), indent=2, sort_keys=True) + "\n"
        files = k8s.KubeConfigMap(self, "teams", metadata=k8s.ObjectMeta(
            name=f"{NAME}-teams", namespace=ns, labels=meta),
            data={"teams.json": teams_json, "team_sync.py": cfg.TEAM_SYNC_SCRIPT})
        env = [k8s.EnvVar(name="LITELLM_URL", value=api_url()),
               k8s.EnvVar(name="TEAMS_FILE", value="/sync/teams.json"),
               k8s.EnvVar(name="READY_TIMEOUT", value="240"),
               k8s.EnvVar(name=cfg.MASTER_KEY, value_from=k8s.EnvVarSource(
                   secret_key_ref=k8s.SecretKeySelector(name=secret_name, key=cfg.MASTER_KEY)))]
        keys: dict[str, SecretRef] = {cfg.tenant_key_env(t): t.secrets.litellm_api_key for t in tenants
                                      if t.usage_mode.uses_litellm and t.secrets.litellm_api_key is not None}
        if keys:
            # the tenant's virtual key, from the same store path its Open WebUI reads, through the store that
            # can read tenants' LiteLLM keys and nothing else (the model confines the path to the tenant's prefix)
            tenant_keys = ExternalSecret(self, "tenant-keys", ExternalSecretProps(
                name=f"{NAME}-tenant-keys", namespace=ns, labels=meta,
                data=keys, store=TENANT_KEYS_STORE))
            env += [k8s.EnvVar(name=name, value_from=k8s.EnvVarSource(secret_key_ref=k8s.SecretKeySelector(
                name=tenant_keys.secret_name, key=name))) for name in sorted(keys)]
        script_cronjob(self, "team-sync", ScriptCronJobProps(
            name=LITELLM_TEAM_SYNC, namespace=ns, labels=meta, container="team-sync", script="team_sync.py",
            config_map=files.name, env=env, schedule=TEAM_SYNC_SCHEDULE, active_deadline_seconds=280,
            checksum_annotation="checksum/teams", checksum=hashlib.sha256(teams_json.encode()).hexdigest(),
            profile=LITELLM_PROFILE))


def pool_claims(props: LiteLLMProps) -> list[PoolClaim]:
    """LiteLLM's share of the central PostgreSQL connections (Prisma pool per uvicorn worker)."""
    bound = f"database_connection_pool_limit={cfg.DB_POOL_LIMIT} per worker"
    return [PoolClaim(NAME, cfg.DB_POOL_LIMIT * props.num_workers, props.max_replicas,
                      f"{bound} x --num_workers={props.num_workers}"),
            PoolClaim(LITELLM_MIGRATE, cfg.DB_POOL_LIMIT, 1, bound)]

"""The central (agency) stack: LiteLLM, Langfuse, vLLM, Lago, data stores, observability."""

from __future__ import annotations

from cdk8s import Chart
from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.loader import Platform
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, central_flows, litellm_client_cidrs
from genai_gitops_constructs.components import db_budget, litellm_config, redis_ha
from genai_gitops_constructs.components.agent_server import AgentServer, AgentServerProps
from genai_gitops_constructs.components.backups import (
    BackupCronJob,
    backup_role_arn,
    clickhouse_dump,
    postgres_dump,
)
from genai_gitops_constructs.components.clickhouse import CLICKHOUSE_PROFILE, ClickHouse, ClickHouseProps
from genai_gitops_constructs.components.db_budget import PoolClaim
from genai_gitops_constructs.components.gateway import PublicGateway, public_endpoints
from genai_gitops_constructs.components.jaeger import Jaeger, JaegerProps
from genai_gitops_constructs.components.lago import Lago, LagoProps
from genai_gitops_constructs.components.lago import pool_claims as pool_claims_lago
from genai_gitops_constructs.components.lago_billing import LagoBillingProps, LagoBillingSync
from genai_gitops_constructs.components.langfuse import Langfuse, LangfuseProps
from genai_gitops_constructs.components.langfuse import pool_claims as pool_claims_langfuse
from genai_gitops_constructs.components.litellm import LiteLLM, LiteLLMProps
from genai_gitops_constructs.components.litellm import pool_claims as pool_claims_litellm
from genai_gitops_constructs.components.mcp_registry import McpRegistry, McpRegistryProps
from genai_gitops_constructs.components.mcp_registry import pool_claims as pool_claims_registry
from genai_gitops_constructs.components.observability import Observability, ObservabilityProps
from genai_gitops_constructs.components.postgres import DATABASES, POSTGRES_PROFILE, Postgres, PostgresProps
from genai_gitops_constructs.components.redis_ha import RedisHA, RedisHAProps
from genai_gitops_constructs.components.vllm import Vllm, VllmProps
from genai_gitops_constructs.meta import labels
from genai_gitops_constructs.network_policy import NamespaceNetworkPolicies
from genai_gitops_constructs.versions import IMAGES


def served_tenants(cluster: ClusterSpec, platform: Platform) -> tuple[TenantSpec, ...]:
    """The tenants whose environment this central cluster serves (a dev central never sees prod budgets)."""
    return tuple(t for t in platform.tenants
                 if (central := platform.inventory.central_for(t.environment)) is not None
                 and central.name == cluster.name)


def _optional_image(name: str) -> str | None:
    """An image only some deployments pin (metrics exporters): absent from versions.py means not deployed."""
    pinned = IMAGES.get(name)
    return str(pinned) if pinned else None


class CentralStack(Chart):
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec, platform: Platform) -> None:
        super().__init__(scope, id, namespace=PLATFORM_NAMESPACE, disable_resource_name_hashes=True)
        meta = labels("genai-platform", instance=cluster.name, component="central")
        k8s.KubeNamespace(self, "namespace", metadata=k8s.ObjectMeta(
            name=PLATFORM_NAMESPACE, labels={
                **meta, "kubernetes.io/metadata.name": PLATFORM_NAMESPACE,
                # every central workload meets the restricted Pod Security Standard
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            },
            annotations={"argocd.argoproj.io/sync-wave": "-1"}))
        tenants = served_tenants(cluster, platform)

        # -- LiteLLM and what it depends on ----------------------------------------------------------
        redis = RedisHA(self, "redis", RedisHAProps(cluster=cluster, exporter_image=_optional_image("redis-exporter")))
        postgres_props = PostgresProps(cluster=cluster, exporter_image=_optional_image("postgres-exporter"))
        postgres = Postgres(self, "postgres", postgres_props)
        pool = cluster.gpu_pool
        if pool is not None:
            Vllm(self, "vllm", VllmProps(cluster=cluster, pool=pool))
        litellm = LiteLLMProps(
            cluster=cluster, tenants=tenants, config=litellm_config.LiteLLMConfigProps(
                region=cluster.region, tenants=tenants, tenant_files=platform.tenant_files,
                sentinel_nodes=redis_ha.sentinel_nodes(), master_set=redis.master_set, vllm=pool is not None),
            client_cidrs=litellm_client_cidrs(platform.inventory, cluster))
        LiteLLM(self, "litellm", litellm)

        # -- observability, tracing, billing, agents -------------------------------------------------
        clickhouse = ClickHouse(self, "clickhouse", ClickHouseProps(cluster=cluster))
        langfuse = LangfuseProps(cluster=cluster, clickhouse=clickhouse.connection)
        Langfuse(self, "langfuse", langfuse)
        lago = LagoProps(cluster=cluster)
        Lago(self, "lago", lago)
        LagoBillingSync(self, "lago-billing", LagoBillingProps(cluster=cluster, tenants=tenants))
        Jaeger(self, "jaeger", JaegerProps(cluster=cluster))
        registry = McpRegistryProps(cluster=cluster)
        McpRegistry(self, "mcp-registry", registry)
        # every client pool is bounded; together they must fit PostgreSQL's max_connections
        exporter = ([PoolClaim("postgres-exporter", 1, 1, "one connection per scrape")]
                    if postgres_props.exporter_image else [])
        db_budget.check_connection_budget(
            [*pool_claims_litellm(litellm), *pool_claims_langfuse(langfuse), *pool_claims_lago(lago),
             *pool_claims_registry(registry), *exporter], postgres_props.max_connections)
        AgentServer(self, "agent-server", AgentServerProps(cluster=cluster))
        Observability(self, "observability", ObservabilityProps(cluster=cluster))
        # -- end: observability, tracing, billing, agents --------------------------------------------

        if cluster.backups is not None:
            for store, dump in (("postgres", postgres_dump(postgres.secret_name, DATABASES, POSTGRES_PROFILE)),
                                ("clickhouse", clickhouse_dump(clickhouse.connection.user,
                                                               clickhouse.connection.secret_name,
                                                               clickhouse.connection.password_key,
                                                               CLICKHOUSE_PROFILE))):
                BackupCronJob(self, f"backup-{store}", cluster=cluster, backups=cluster.backups,
                              namespace=PLATFORM_NAMESPACE, store=store, prefix=f"{cluster.name}/{store}",
                              role_arn=backup_role_arn(cluster, PLATFORM_NAMESPACE), dump=dump)

        # one Gateway for every public route the components above declared
        PublicGateway(self, "gateway", namespace=PLATFORM_NAMESPACE, endpoints=public_endpoints(self),
                      labels=labels("gateway", instance=cluster.name, component="gateway"))

        # default deny plus exactly the flows of the central traffic graph (model/traffic.py)
        NamespaceNetworkPolicies(self, "network", namespace=PLATFORM_NAMESPACE,
                                 flows=central_flows(cluster, platform.tenants, platform.inventory), labels=meta)

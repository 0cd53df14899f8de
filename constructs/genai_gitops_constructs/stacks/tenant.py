"""A tenant's workloads (owned by the tenant's Argo CD project): Open WebUI, Redis, Ollama, Qdrant, MCP.

The stack only turns the tenant's data into component props and wires components to each other
(URLs and secret references); every Kubernetes detail lives in the components.
"""

from __future__ import annotations

from cdk8s import Chart
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.loader import Platform
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS
from genai_gitops_constructs.components.backups import BackupCronJob, backup_role_arn, qdrant_dump
from genai_gitops_constructs.components.gateway import PublicEndpoint, PublicRoute
from genai_gitops_constructs.components.mcp_server import McpServer, McpServerProps
from genai_gitops_constructs.components.ollama import GpuPlacement, Ollama, OllamaProps, Toleration
from genai_gitops_constructs.components.open_webui import (
    SERVICE_PORT,
    Oidc,
    OpenAIConnection,
    OpenWebUI,
    OpenWebUIProps,
    QdrantConnection,
    RedisConnection,
    S3Storage,
    Scaling,
    ToolServer,
)
from genai_gitops_constructs.components.qdrant import Qdrant, QdrantProps
from genai_gitops_constructs.components.tenant_redis import TenantRedis, TenantRedisProps
from genai_gitops_constructs.meta import labels

#: the central LiteLLM's public host on the central cluster's ingress domain (tenants on other clusters)
LITELLM_HOST_PREFIX = "llm"


def platform_secret(tenant: TenantSpec, name: str, prop: str) -> SecretRef:
    """A credential the platform provisions for the tenant (not listed in its file), under its store path."""
    return SecretRef(key=f"genai/tenants/{tenant.id}/{name}", property=prop)


def litellm_base_url(tenant: TenantSpec, platform: Platform) -> str:
    """In-cluster Service when the central stack runs on the tenant's cluster, else its public ingress."""
    central = platform.inventory.central_for(tenant.environment)
    if central is None:  # the loader refuses this for tenants that use LiteLLM
        raise ValueError(f"no central cluster serves environment {tenant.environment.value!r}")
    if central.name == tenant.cluster:
        return f"http://litellm.{PLATFORM_NAMESPACE}.svc.cluster.local:{PORTS['litellm']}/v1"
    return f"https://{LITELLM_HOST_PREFIX}.{central.capabilities.ingress.domain}/v1"


def gpu_placement(tenant: TenantSpec, cluster: ClusterSpec) -> GpuPlacement | None:
    """The cluster's GPU pool when the tenant has GPU quota; None means CPU inference."""
    pool = cluster.gpu_pool
    if pool is None or tenant.quotas.gpu <= 0:
        return None
    return GpuPlacement(resource=pool.gpu_resource, node_selector=tuple(sorted(pool.labels.items())),
                        tolerations=tuple(Toleration(t.key, t.value, t.effect) for t in pool.taints),
                        count=1)


def open_webui_endpoint(tenant: TenantSpec, service: str = "open-webui") -> PublicEndpoint:
    """The tenant's one public host. No request buffering (hence no size limit at the gateway): Open WebUI
    speaks websockets, which a buffering route would hang; its long streamed answers need the hour."""
    return PublicEndpoint(name="open-webui", namespace=tenant.namespace, host=tenant.ingress.host, service=service,
                          port=SERVICE_PORT, timeout="3600s")


class TenantStack(Chart):
    def __init__(self, scope: Construct, id: str, *, tenant: TenantSpec, platform: Platform) -> None:
        ns = tenant.namespace
        super().__init__(scope, id, namespace=ns, disable_resource_name_hashes=True)
        cluster = platform.cluster(tenant.cluster)
        storage_class = cluster.capabilities.storage_class

        redis = TenantRedis(self, "redis", TenantRedisProps(
            namespace=ns, tenant=tenant.id, password=platform_secret(tenant, "redis", "password")))

        ollama = None
        if tenant.usage_mode.runs_ollama:
            ollama = Ollama(self, "ollama", OllamaProps(
                namespace=ns, tenant=tenant.id, models=tuple(tenant.models.local), storage_class=storage_class,
                gpu=gpu_placement(tenant, cluster)))

        qdrant_key = platform_secret(tenant, "qdrant", "api_key")
        qdrant = None
        if tenant.rag.enabled:
            qdrant = Qdrant(self, "qdrant", QdrantProps(
                namespace=ns, tenant=tenant.id, storage_class=storage_class, storage_size=tenant.rag.storage,
                api_key=qdrant_key))
            if cluster.backups is not None:
                # the platform backs up the tenant's vectors (Ollama models are re-pulled, never backed up)
                BackupCronJob(self, "backup-qdrant", cluster=cluster, backups=cluster.backups, namespace=ns,
                              store="qdrant", prefix=f"{cluster.name}/qdrant/{tenant.id}",
                              role_arn=backup_role_arn(cluster, ns), dump=qdrant_dump(qdrant.url, qdrant.secret_name),
                              tenant=tenant.id)

        tools = []
        for server in tenant.mcp_servers:
            mcp = McpServer(self, f"mcp-{server.name}", McpServerProps(
                namespace=ns, tenant=tenant.id, name=server.name, image=server.image, port=server.port,
                path=server.path, description=server.description, auth_token=server.auth_token))
            tools.append(ToolServer(id=server.name, name=server.name, url=mcp.url,
                                    description=server.description, token=server.auth_token))

        openai = None
        if tenant.usage_mode.uses_litellm and tenant.secrets.litellm_api_key is not None:
            openai = OpenAIConnection(base_url=litellm_base_url(tenant, platform),
                                      api_key=tenant.secrets.litellm_api_key)

        webui = OpenWebUI(self, "open-webui", OpenWebUIProps(
            namespace=ns, tenant=tenant.id,
            display_name=tenant.branding.display_name,
            public_url=f"https://{tenant.ingress.host}",
            oidc=Oidc(issuer_url=tenant.oidc.issuer_url, client_id=tenant.oidc.client_id,
                      client_secret=tenant.oidc.client_secret, provider_name=tenant.oidc.provider_name,
                      scopes=tenant.oidc.scopes, admin_groups=tuple(tenant.oidc.admin_groups),
                      user_groups=tuple(tenant.oidc.user_groups)),
            secret_key=tenant.secrets.webui_secret_key,
            database_url=tenant.secrets.database_url,
            redis=RedisConnection(host=redis.host, port=redis.port, password=redis.props.password),
            storage=S3Storage(bucket=tenant.aws.s3_bucket, region=tenant.aws.region),
            # S3 documents and uploads through IRSA: the role is the tenant's, never a static key
            iam_role_arn=f"arn:aws:iam::{tenant.aws.account_id}:role/genai-{ns}-open-webui",
            ollama_url=ollama.url if ollama is not None else None,
            openai=openai,
            qdrant=QdrantConnection(url=qdrant.url, api_key=qdrant_key) if qdrant is not None else None,
            tool_servers=tuple(tools),
            scaling=Scaling(min_replicas=tenant.scaling.min_replicas, max_replicas=tenant.scaling.max_replicas)))

        # the route is the tenant's; the Gateway it attaches to is in the tenant's guard rails
        PublicRoute(self, "public", endpoint=open_webui_endpoint(tenant, webui.service_name), labels=labels(
            "open-webui", instance=ns, component="frontend", tenant=tenant.id))

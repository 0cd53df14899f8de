"""The declared traffic graph of platform.md: who may talk to whom, on which ports.

One source for two readers: the NetworkPolicy constructs render these flows as allow rules,
and the isolation check proves (with network-config-analyzer) that the rendered policies
allow exactly these flows and nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.tenant import TenantSpec

# Namespaces the platform owns on every cluster
PLATFORM_NAMESPACE = "genai-platform"   # the central (agency) stack
MONITORING_NAMESPACE = "monitoring"     # kube-prometheus-stack
DNS_NAMESPACE = "kube-system"

# Well-known ports, one place (constructs read them too)
PORTS: dict[str, int] = {
    "open-webui": 8080,
    "ollama": 11434,
    "qdrant-http": 6333,
    "qdrant-grpc": 6334,
    "redis": 6379,
    "redis-sentinel": 26379,
    "litellm": 4000,
    "postgres": 5432,
    "https": 443,
    "dns": 53,
    "acme-solver": 8089,
}

PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")

#: on a NetworkPolicy whose pods a controller creates at run time: says which (the refs check
#: then does not call the policy dangling)
RUNTIME_PODS_ANNOTATION = "genai-gitops.io/runtime-pods"


@dataclass(frozen=True, order=True)
class Port:
    number: int
    protocol: str = "TCP"

    def __str__(self) -> str:
        return f"{self.number}" if self.protocol == "TCP" else f"{self.number}/{self.protocol}"


@dataclass(frozen=True, order=True)
class Workload:
    """Pods selected by labels inside one namespace (NetworkPolicy podSelector + namespaceSelector)."""

    namespace: str
    name: str
    #: pod labels; empty means the standard `app.kubernetes.io/name: <name>`
    labels: tuple[tuple[str, str], ...] = ()
    #: pods a controller creates at run time (not in the manifests): why they exist
    runtime: str = field(default="", compare=False)

    @property
    def selector(self) -> dict[str, str]:
        return dict(self.labels) if self.labels else {"app.kubernetes.io/name": self.name}

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, order=True)
class Cidr:
    """Addresses outside the cluster (NetworkPolicy ipBlock)."""

    name: str
    cidr: str
    excepts: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.name}({self.cidr})"


Peer = Workload | Cidr


@dataclass(frozen=True, order=True)
class Flow:
    source: Peer
    destination: Peer
    ports: tuple[Port, ...]
    purpose: str = field(default="", compare=False)

    def __str__(self) -> str:
        ports = ",".join(str(p) for p in self.ports)
        return f"{self.source} -> {self.destination}:{ports}"


#: the labels Envoy Gateway puts on its Envoy proxy pods (the data plane every public request passes)
GATEWAY_PROXY_LABELS = (("app.kubernetes.io/component", "proxy"), ("app.kubernetes.io/name", "envoy"))


def ingress_controller(cluster: ClusterSpec) -> Workload:
    """The gateway's Envoy proxies (one merged fleet per cluster, in Envoy Gateway's namespace)."""
    ns = cluster.capabilities.ingress.controller_namespace
    return Workload(ns, "envoy", GATEWAY_PROXY_LABELS)


def litellm_client_cidrs(inventory: ClusterInventory, central: ClusterSpec) -> tuple[str, ...]:
    """Who may call the central LiteLLM's public API: the NAT egress of every cluster of its environment
    (tenants on other clusters) and the ranges the central cluster lists itself."""
    ranges = {c for cl in inventory.clusters if cl.environment is central.environment for c in cl.nat_egress_cidrs}
    ranges.update(central.capabilities.ingress.api_client_cidrs)
    return tuple(sorted(ranges))


def acme_solver(namespace: str) -> Workload:
    """cert-manager's temporary HTTP-01 solver pods (created in the namespace of the Ingress)."""
    return Workload(namespace, "acme-http01-solver", (("acme.cert-manager.io/http01-solver", "true"),),
                    runtime="cert-manager HTTP-01 solver pods, present while a certificate is issued")


def prometheus() -> Workload:
    return Workload(MONITORING_NAMESPACE, "prometheus", (("app.kubernetes.io/name", "prometheus"),))


def grafana() -> Workload:
    return Workload(MONITORING_NAMESPACE, "grafana", (("app.kubernetes.io/name", "grafana"),))


def kube_dns() -> Workload:
    return Workload(DNS_NAMESPACE, "kube-dns", (("k8s-app", "kube-dns"),))


DNS_PORTS = (Port(53, "UDP"), Port(53, "TCP"))
HTTPS = (Port(PORTS["https"]),)


def central_ingress_cidrs(inventory: ClusterInventory, tenant: TenantSpec) -> tuple[str, ...]:
    central = inventory.central_for(tenant.environment)
    return tuple(central.capabilities.ingress.public_cidrs) if central else ()


def internet(cluster: ClusterSpec, inventory: ClusterInventory) -> Cidr:
    """Public internet on HTTPS: everything but private ranges and every central ingress.

    Central ingresses are carved out so that reaching the central LiteLLM is only ever
    possible through the dedicated flow a tenant's usage mode declares.
    """
    central = sorted({c for cl in inventory.clusters if cl.role.value == "central"
                      for c in cl.capabilities.ingress.public_cidrs})
    return Cidr("internet", "0.0.0.0/0", (*PRIVATE_RANGES, *central))


def database_peers(tenant: TenantSpec, cluster: ClusterSpec) -> list[Cidr]:
    """Where the tenant's Open WebUI may reach its database: its own endpoints when declared, else the data subnets."""
    if tenant.database_endpoints:
        return [Cidr("database", cidr) for cidr in tenant.database_endpoints]
    return [Cidr("data-subnet", cidr) for cidr in cluster.data_subnets]


def tenant_workloads(tenant: TenantSpec) -> dict[str, tuple[Port, ...]]:
    """Workloads of a tenant namespace and the ports they serve."""
    workloads: dict[str, tuple[Port, ...]] = {
        "open-webui": (Port(PORTS["open-webui"]),),
        "redis": (Port(PORTS["redis"]),),
    }
    if tenant.usage_mode.runs_ollama:
        workloads["ollama"] = (Port(PORTS["ollama"]),)
    if tenant.rag.enabled:
        workloads["qdrant"] = (Port(PORTS["qdrant-http"]), Port(PORTS["qdrant-grpc"]))
    for server in tenant.mcp_servers:
        workloads[server.name] = (Port(server.port),)
    return workloads


def tenant_flows(tenant: TenantSpec, inventory: ClusterInventory) -> list[Flow]:
    """Every flow into or out of the tenant's namespace that platform.md's request paths need."""
    cluster = inventory.by_name()[tenant.cluster]
    ns = tenant.namespace
    workloads = tenant_workloads(tenant)

    def w(name: str) -> Workload:
        return Workload(ns, name)

    webui = w("open-webui")
    flows = [
        Flow(ingress_controller(cluster), webui, workloads["open-webui"], "users reach Open WebUI through ingress"),
        Flow(ingress_controller(cluster), acme_solver(ns), (Port(PORTS["acme-solver"]),),
             "cert-manager HTTP-01 challenge for the tenant's TLS certificate"),
        Flow(webui, w("redis"), workloads["redis"], "websocket sessions shared by replicas"),
        # the tenant's own database endpoints, else the data subnets (never "the VPC": with the VPC CNI, pods
        # have VPC addresses, so it would include them)
        *(Flow(webui, peer, (Port(PORTS["postgres"]),), "Open WebUI database (managed)")
          for peer in database_peers(tenant, cluster)),
        Flow(webui, internet(cluster, inventory), HTTPS, "OIDC login and S3 through IRSA"),
    ]
    if "ollama" in workloads:
        flows.append(Flow(webui, w("ollama"), workloads["ollama"], "local inference"))
        flows.append(Flow(w("ollama"), internet(cluster, inventory), HTTPS, "model pulls"))
    if "qdrant" in workloads:
        flows.append(Flow(webui, w("qdrant"), workloads["qdrant"], "RAG vector search"))
        flows.append(Flow(prometheus(), w("qdrant"), (Port(PORTS["qdrant-http"]),), "Qdrant /metrics"))
    for server in tenant.mcp_servers:
        flows.append(Flow(webui, w(server.name), workloads[server.name], "MCP tools"))
        flows.append(Flow(w(server.name), internet(cluster, inventory), HTTPS, "MCP server's upstream API"))
    if tenant.usage_mode.uses_litellm:
        central = inventory.central_for(tenant.environment)
        purpose = "external models through the central LiteLLM"
        if central is not None and central.name == cluster.name:
            flows.append(Flow(webui, Workload(PLATFORM_NAMESPACE, "litellm"), (Port(PORTS["litellm"]),), purpose))
        else:  # another cluster: out through egress to the central ingress, HTTPS only
            flows += [Flow(webui, Cidr("central-litellm", cidr), HTTPS, purpose)
                      for cidr in central_ingress_cidrs(inventory, tenant)]
    for name in workloads:
        flows.append(Flow(w(name), kube_dns(), DNS_PORTS, "DNS"))
    if "qdrant" in workloads and cluster.backups is not None:
        job = w("backup-qdrant")
        flows += [Flow(job, w("qdrant"), (Port(PORTS["qdrant-http"]),), "Qdrant snapshot"),
                  Flow(job, internet(cluster, inventory), HTTPS, "backup upload to S3 through IRSA (STS)"),
                  Flow(job, kube_dns(), DNS_PORTS, "DNS")]
    return sorted(flows, key=str)


# -- the central (agency) stack -------------------------------------------------------------------------
# Appended: the central half of the graph. Workload names are the pods' `app.kubernetes.io/name`
# labels in PLATFORM_NAMESPACE; the central components and this graph must agree on them and on the
# ports below (the constructs read PORTS, never their own numbers).

PORTS.update({
    "litellm-metrics": 9090,      # LiteLLM's separate /metrics server (no auth; never behind the ingress)
    "vllm": 8000,                 # OpenAI API and /metrics
    "redis-exporter": 9121,
    "postgres-exporter": 9187,
    "langfuse-web": 3000,
    "langfuse-worker": 3030,
    "clickhouse-http": 8123,
    "clickhouse-native": 9000,
    "clickhouse-interserver": 9009,
    "clickhouse-metrics": 9363,
    "lago-api": 3000,
    "lago-front": 8080,           # unprivileged nginx port, not 80
    "jaeger-otlp-grpc": 4317,
    "jaeger-otlp-http": 4318,
    "jaeger-ui": 16686,
    "jaeger-health": 13133,
    "jaeger-metrics": 8888,
    "mcp-registry": 8000,
    "agent-server": 8000,
})

#: the CronJob that reconciles LiteLLM teams (tenant budgets, rate limits) from the tenant files
LITELLM_TEAM_SYNC = "litellm-team-sync"
#: the Sync-hook Job that runs LiteLLM's database migrations once, before the replicas roll
LITELLM_MIGRATE = "litellm-migrate"
#: the CronJob that creates Lago's metric, plans, customers and subscriptions from the tenant files
LAGO_BILLING_SYNC = "lago-billing-sync"

#: every workload of the central namespace, in one place (the DNS rule and the checks list them)
CENTRAL_WORKLOADS = (
    "litellm", LITELLM_TEAM_SYNC, LITELLM_MIGRATE, "redis", "postgres", "vllm", "langfuse-web", "langfuse-worker",
    "clickhouse",
    "lago-api", "lago-worker", "lago-clock", "lago-front", "lago-migrate", LAGO_BILLING_SYNC, "jaeger",
    "mcp-registry", "agent-server",
)

#: where Prometheus scrapes each central workload that exposes metrics
CENTRAL_METRICS_PORTS: dict[str, int] = {
    "litellm": PORTS["litellm-metrics"],
    "vllm": PORTS["vllm"],
    "redis": PORTS["redis-exporter"],
    "postgres": PORTS["postgres-exporter"],
    "clickhouse": PORTS["clickhouse-metrics"],
    "jaeger": PORTS["jaeger-metrics"],
    "mcp-registry": PORTS["mcp-registry"],
    "agent-server": PORTS["agent-server"],
}


def service_host(name: str, namespace: str = PLATFORM_NAMESPACE) -> str:
    """The cluster DNS name of a Service (fully qualified: no search-path surprises in clients)."""
    return f"{name}.{namespace}.svc.cluster.local"


def central_flows(cluster: ClusterSpec, platform_tenants: Sequence[TenantSpec],
                  inventory: ClusterInventory) -> list[Flow]:
    """Every flow into, out of and inside the central namespace that platform.md's request paths need.

    `platform_tenants` are all tenants; those on this cluster whose usage mode reaches LiteLLM get
    a direct in-cluster flow (each namespace by name: a `local` tenant's namespace gets nothing).
    Tenants on other clusters arrive through the ingress controller.
    """

    def w(name: str) -> Workload:
        return Workload(PLATFORM_NAMESPACE, name)

    def ports(*names: str) -> tuple[Port, ...]:
        return tuple(Port(PORTS[n]) for n in names)

    litellm, redis, postgres = w("litellm"), w("redis"), w("postgres")
    langfuse = (w("langfuse-web"), w("langfuse-worker"))
    # lago-migrate: the Sync-hook Job that migrates and seeds the database before the Lago workloads
    lago = (w("lago-api"), w("lago-worker"), w("lago-clock"), w("lago-migrate"))
    internet_https = internet(cluster, inventory)
    redis_ports = ports("redis", "redis-sentinel")
    ingress = ingress_controller(cluster)

    flows = [
        Flow(ingress, litellm, ports("litellm"), "tenants on other clusters: https://llm.<domain>/v1"),
        Flow(ingress, w("langfuse-web"), ports("langfuse-web"), "Langfuse UI"),
        Flow(ingress, w("lago-front"), ports("lago-front"), "Lago UI"),
        Flow(ingress, w("lago-api"), ports("lago-api"), "Lago API (UI and integrations)"),
        Flow(litellm, redis, redis_ports, "cache, rate limits, router state (Sentinel-aware)"),
        Flow(litellm, postgres, ports("postgres"), "virtual keys, teams, spend"),
        Flow(w(LITELLM_MIGRATE), postgres, ports("postgres"), "LiteLLM schema migrations"),
        Flow(w(LAGO_BILLING_SYNC), w("lago-api"), ports("lago-api"), "billing objects from the tenant files"),
        Flow(litellm, w("langfuse-web"), ports("langfuse-web"), "traces"),
        Flow(litellm, w("jaeger"), ports("jaeger-otlp-grpc"), "OpenTelemetry spans"),
        Flow(grafana(), w("jaeger"), ports("jaeger-ui"), "Grafana's Jaeger data source (query API)"),
        Flow(litellm, w("lago-api"), ports("lago-api"), "usage events"),
        Flow(litellm, internet_https, HTTPS, "providers (OpenAI, Anthropic), Bedrock and STS through IRSA, JWKS"),
        Flow(w(LITELLM_TEAM_SYNC), litellm, ports("litellm"), "reconcile tenant teams, budgets and keys"),
        Flow(w("agent-server"), litellm, ports("litellm"), "agent workflows call models"),
        Flow(w("agent-server"), w("mcp-registry"), ports("mcp-registry"), "agent tools"),
        Flow(w("mcp-registry"), postgres, ports("postgres"), "MCP registry database"),
        Flow(redis, redis, redis_ports, "replication and Sentinel gossip"),
    ]
    for source in langfuse:
        flows += [
            Flow(source, postgres, ports("postgres"), "Langfuse database"),
            Flow(source, w("clickhouse"), ports("clickhouse-http", "clickhouse-native"), "traces store, migrations"),
            Flow(source, redis, redis_ports, "Langfuse queues and cache"),
            Flow(source, internet_https, HTTPS, "blob storage: S3 through IRSA"),
        ]
    for source in lago:
        flows += [
            Flow(source, postgres, ports("postgres"), "Lago database"),
            Flow(source, redis, redis_ports, "Lago jobs (Sidekiq)"),
            Flow(source, internet_https, HTTPS, "invoices and exports on S3 through IRSA (STS)"),
        ]
    if cluster.has_gpu:
        flows += [
            Flow(litellm, w("vllm"), ports("vllm"), "self-hosted models"),
            Flow(w("vllm"), internet_https, HTTPS, "model download from Hugging Face"),
        ]
    for tenant in platform_tenants:
        central = inventory.central_for(tenant.environment)
        if tenant.usage_mode.uses_litellm and tenant.cluster == cluster.name and central is not None \
                and central.name == cluster.name:
            # the same flow tenant_flows declares from the tenant's side
            flows.append(Flow(Workload(tenant.namespace, "open-webui"), litellm, ports("litellm"),
                              "external models through the central LiteLLM"))
    scraped = {name: port for name, port in CENTRAL_METRICS_PORTS.items() if name != "vllm" or cluster.has_gpu}
    for name, port in sorted(scraped.items()):
        flows.append(Flow(prometheus(), w(name), (Port(port),), f"{name} /metrics"))
    for name in CENTRAL_WORKLOADS:
        if name != "vllm" or cluster.has_gpu:
            flows.append(Flow(w(name), kube_dns(), DNS_PORTS, "DNS"))
    if cluster.backups is not None:
        for store, store_ports in (("postgres", ports("postgres")), ("clickhouse", ports("clickhouse-native"))):
            job = w(f"backup-{store}")
            flows += [Flow(job, w(store), store_ports, f"{store} backup (dump)"),
                      Flow(job, internet_https, HTTPS, "backup upload to S3 through IRSA (STS)"),
                      Flow(job, kube_dns(), DNS_PORTS, "DNS")]
    return sorted(set(flows), key=str)

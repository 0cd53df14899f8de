"""The declared traffic graph of platform.md: who may talk to whom, on which ports.

One source for two readers: the NetworkPolicy constructs render these flows as allow rules,
and the isolation check proves (with network-config-analyzer) that the rendered policies
allow exactly these flows and nothing more.
"""

from __future__ import annotations

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
}

PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


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


def ingress_controller(cluster: ClusterSpec) -> Workload:
    ns = cluster.capabilities.ingress.controller_namespace
    return Workload(ns, "ingress-nginx", (("app.kubernetes.io/name", "ingress-nginx"),))


def prometheus() -> Workload:
    return Workload(MONITORING_NAMESPACE, "prometheus", (("app.kubernetes.io/name", "prometheus"),))


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
        Flow(webui, w("redis"), workloads["redis"], "websocket sessions shared by replicas"),
        Flow(webui, Cidr("vpc", cluster.vpc_cidr), (Port(PORTS["postgres"]),), "Open WebUI database (managed)"),
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
    return sorted(flows, key=str)

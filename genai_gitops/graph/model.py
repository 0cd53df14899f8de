"""What a connectivity picture shows: workloads inside namespaces, address blocks, labelled edges.

Built from what network-config-analyzer computed for each tenant namespace (never from the
declared graph), so the picture shows what the NetworkPolicies really allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from genai_gitops.validators.isolation.analysis import NamespaceAnalysis
from genai_gitops.validators.isolation.connectivity import AddressBook, Connection, Endpoint
from genai_gitops.validators.isolation.ports import PortSet
from genai_gitops.validators.isolation.workspace import TenantWorkspace


class Role(StrEnum):
    TENANT = "tenant"              # a workload of an analysed tenant namespace
    PEER = "peer"                  # a shared workload (ingress controller, Prometheus, DNS, central)
    OTHER_TENANT = "other-tenant"  # another tenant's namespace: any edge to it is a violation
    EXTERNAL = "external"          # addresses outside the cluster


@dataclass(frozen=True, order=True)
class Node:
    cluster: str
    endpoint: Endpoint
    role: Role

    @property
    def namespace(self) -> str:
        return self.endpoint.namespace

    @property
    def label(self) -> str:
        if not self.endpoint.is_external:
            return self.endpoint.name
        return f"{self.endpoint.name}: {self.endpoint.addresses}" if self.endpoint.name \
            else str(self.endpoint.addresses)


@dataclass(frozen=True, order=True)
class Edge:
    cluster: str
    source: Endpoint
    destination: Endpoint
    ports: PortSet
    #: between two tenants' namespaces: never allowed, drawn as such
    cross_tenant: bool = False

    @property
    def label(self) -> str:
        return str(self.ports)


@dataclass(frozen=True)
class ConnectivityGraph:
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()
    #: namespaces that could not be analysed, with the reason
    errors: tuple[str, ...] = ()

    @property
    def clusters(self) -> list[str]:
        return sorted({n.cluster for n in self.nodes if n.cluster})

    def namespaces(self, cluster: str) -> list[str]:
        return sorted({n.namespace for n in self.nodes if n.cluster == cluster and n.namespace})

    def connections(self, cluster: str | None = None) -> list[Connection]:
        """The edges as connections (of one cluster, or all), e.g. for `connectivity_diff`."""
        return sorted(Connection(e.source, e.destination, e.ports) for e in self.edges
                      if cluster is None or e.cluster == cluster)

    def node(self, cluster: str, endpoint: Endpoint) -> Node | None:
        key = "" if endpoint.is_external else cluster
        return next((n for n in self.nodes if n.cluster == key and n.endpoint == endpoint), None)


def build_graph(cluster: str, analysed: Sequence[tuple[TenantWorkspace, NamespaceAnalysis]],
                book: AddressBook | None = None) -> ConnectivityGraph:
    """The picture of one cluster's analysed tenant namespaces (address blocks shared by all clusters)."""
    nodes: dict[tuple[str, Endpoint], Node] = {}
    edges: set[Edge] = set()
    errors: list[str] = []

    def role(subject: TenantWorkspace, endpoint: Endpoint) -> Role:
        if endpoint.is_external:
            return Role.EXTERNAL
        if endpoint.namespace == subject.namespace:
            return Role.TENANT
        return Role.OTHER_TENANT if endpoint.namespace in subject.workspace.tenant_namespaces else Role.PEER

    def add(subject: TenantWorkspace, endpoint: Endpoint) -> None:
        key = ("" if endpoint.is_external else cluster, endpoint)
        found = role(subject, endpoint)
        if key not in nodes or found is Role.TENANT:
            nodes[key] = Node(key[0], endpoint, found)

    for subject, analysis in analysed:
        if analysis.error:
            errors.append(f"{cluster}/{subject.namespace}: {analysis.error}")
            continue
        for pod in subject.workspace.subject_pods:
            add(subject, subject.workload_of(Endpoint.workload(pod.namespace, pod.name)))
        others = subject.workspace.tenant_namespaces
        for connection in subject.workload_connections(analysis.connections).connections(book):
            add(subject, connection.source)
            add(subject, connection.destination)
            crossing = bool({connection.source.namespace, connection.destination.namespace} & others)
            edges.add(Edge(cluster, connection.source, connection.destination, connection.ports, crossing))
    return ConnectivityGraph(tuple(sorted(nodes.values())), tuple(sorted(edges)), tuple(errors))


def merge_graphs(graphs: Iterable[ConnectivityGraph]) -> ConnectivityGraph:
    nodes: dict[tuple[str, Endpoint], Node] = {}
    edges: set[Edge] = set()
    errors: list[str] = []
    for graph in graphs:
        for node in graph.nodes:
            nodes.setdefault((node.cluster, node.endpoint), node)
        edges.update(graph.edges)
        errors.extend(graph.errors)
    return ConnectivityGraph(tuple(sorted(nodes.values())), tuple(sorted(edges)), tuple(errors))

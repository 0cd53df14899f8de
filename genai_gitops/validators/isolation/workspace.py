"""The analysis tree of one tenant namespace: what network-config-analyzer reads for it.

A NetworkPolicy selects pods in its own namespace only, so a tenant's isolation depends on its own
policies alone, and each tenant is analysed on its own (linear in the number of tenants):

* the tenant namespace: one pod per workload (Pod, or the pod template of a Deployment,
  StatefulSet, ...) with its labels and named ports, and the namespace's NetworkPolicies;
* stand-in pods where the manifests have none yet: for each workload the traffic graph declares
  (when the tenant's data is known) and for each selector of the namespace's own policies;
* the shared peers the graph names (ingress controller, Prometheus, kube-dns, the central
  platform on its own cluster), with the labels the graph selects them by;
* other tenants as this tenant's policies can see them: a probe namespace standing for any other
  tenant (and tenants not added yet) with one representative pod, and every other tenant
  namespace a namespaceSelector of these policies selects, each with a representative pod and a
  pod for every podSelector that reaches into it, so no cross-tenant path can hide behind a label.
  Other tenants' real pods are left out: what they could run matters, not what they run today.

Peers carry no policies of their own here: what is checked is what *this* namespace's policies
let through. Every value is immutable and ordered, so a `Workspace` is hashable and its
`fingerprint()` can key a content cache.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import Flow, Workload, ingress_controller, kube_dns, prometheus, tenant_flows
from genai_gitops.validators.isolation.connectivity import Connection, ConnectivityMap, Endpoint
from genai_gitops.validators.isolation.selectors import selector_matches, selector_witness

#: the label that marks a tenant namespace (genai_gitops_constructs.meta.TENANT_LABEL writes it)
TENANT_LABEL = "genai-gitops.io/tenant"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
APP_NAME_LABEL = "app.kubernetes.io/name"
#: a namespace standing for every tenant not on the cluster yet: a policy that would admit it fails now
PROBE_NAMESPACE = "new-tenant-probe"
#: the representative pod of a namespace, matched by any selector that does not name pod labels
ANY_POD = "any-pod"
#: the ingress controller's namespace when no cluster data says otherwise (IngressCapability's default)
DEFAULT_INGRESS_NAMESPACE = "ingress-nginx"

#: where the pod template sits in each workload kind
POD_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

Labels = tuple[tuple[str, str], ...]
NamedPort = tuple[str, int, str]  # (name, containerPort, protocol)


class Origin(StrEnum):
    """Why a pod is in the workspace."""

    WORKLOAD = "workload"              # a Pod or pod template in the manifests
    DECLARED = "declared"              # a workload the traffic graph declares, absent from the manifests
    POLICY = "policy"                  # selected by a policy of the namespace, absent from the manifests
    PEER = "peer"                      # a shared workload outside the tenant namespace
    REPRESENTATIVE = "representative"  # stands for what another tenant could run


@dataclass(frozen=True, order=True)
class PodStandIn:
    namespace: str
    name: str
    labels: Labels
    ports: tuple[NamedPort, ...] = ()
    origin: Origin = Origin.WORKLOAD

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, order=True)
class NamespaceStandIn:
    name: str
    labels: Labels

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    @property
    def tenant(self) -> str | None:
        return self.label_map.get(TENANT_LABEL)


@dataclass(frozen=True, order=True)
class PolicyDocument:
    """One NetworkPolicy of the tenant namespace, as canonical JSON (hashable, byte-stable)."""

    namespace: str
    name: str
    body: str

    @property
    def spec(self) -> dict[str, Any]:
        spec = json.loads(self.body).get("spec")
        return spec if isinstance(spec, dict) else {}


@dataclass(frozen=True)
class Workspace:
    """Everything one namespace's analysis reads; equal workspaces give equal analyses."""

    namespace: str
    namespaces: tuple[NamespaceStandIn, ...]
    pods: tuple[PodStandIn, ...]
    policies: tuple[PolicyDocument, ...]

    def fingerprint(self) -> str:
        """sha256 of the canonical content: the key for a content-hash cache of analyses."""
        digest = hashlib.sha256()
        for document in self.documents():
            digest.update(json.dumps(document, sort_keys=True, separators=(",", ":")).encode())
            digest.update(b"\n")
        digest.update(self.namespace.encode())
        return digest.hexdigest()

    def pod(self, namespace: str, name: str) -> PodStandIn | None:
        for pod in self.pods:
            if pod.namespace == namespace and pod.name == name:
                return pod
        return None

    @property
    def subject_pods(self) -> tuple[PodStandIn, ...]:
        return tuple(p for p in self.pods if p.namespace == self.namespace)

    @property
    def tenant_namespaces(self) -> frozenset[str]:
        """Namespaces of *other* tenants (and the probe) in this workspace."""
        return frozenset(n.name for n in self.namespaces if n.tenant is not None and n.name != self.namespace)

    def without_policies(self, names: Iterable[str]) -> Workspace:
        drop = set(names)
        return replace(self, policies=tuple(p for p in self.policies if p.name not in drop))

    def documents(self) -> list[dict[str, Any]]:
        """The Kubernetes objects the analyser reads: namespaces, then pods, then policies."""
        docs: list[dict[str, Any]] = [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n.name, "labels": n.label_map}}
            for n in self.namespaces]
        for pod in self.pods:
            container: dict[str, Any] = {"name": "main", "image": "stand-in"}
            if pod.ports:
                container["ports"] = [{"name": name, "containerPort": number, "protocol": protocol} if name
                                      else {"containerPort": number, "protocol": protocol}
                                      for name, number, protocol in pod.ports]
            docs.append({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": pod.name, "namespace": pod.namespace, "labels": pod.label_map},
                         "spec": {"containers": [container]}})
        docs.extend(json.loads(p.body) for p in self.policies)
        return docs


@dataclass(frozen=True)
class TenantWorkspace:
    """A tenant's workspace plus what findings need to point back at the manifests."""

    workspace: Workspace
    tenant: str
    spec: TenantSpec | None = None
    #: the declared flows of the tenant (None without tenant data: ad-hoc validation)
    declared: tuple[Flow, ...] | None = None
    #: workloads whose names the graph knows (declared endpoints and the shared peers)
    known_workloads: tuple[Workload, ...] = ()
    namespace_resource: Resource | None = None
    #: pod name (tenant namespace) -> the manifest it was read from
    workloads: Mapping[str, Resource] = field(default_factory=dict)
    #: policy name -> the manifest it was read from
    policies: Mapping[str, Resource] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return self.workspace.namespace

    def workload_of(self, endpoint: Endpoint) -> Endpoint:
        """The graph's name for a pod (the known workload whose selector selects it), else the pod's own."""
        if endpoint.is_external:
            return endpoint
        pod = self.workspace.pod(endpoint.namespace, endpoint.name)
        if pod is None:
            return endpoint
        for workload in self.known_workloads:
            if workload.namespace == pod.namespace and selector_matches({"matchLabels": workload.selector},
                                                                         pod.label_map):
                return Endpoint.workload(workload.namespace, workload.name)
        return endpoint

    def pods_of(self, endpoint: Endpoint) -> list[PodStandIn]:
        """The pods a workload endpoint stands for."""
        return [p for p in self.workspace.pods if p.namespace == endpoint.namespace
                and self.workload_of(Endpoint.workload(p.namespace, p.name)) == endpoint]

    def workload_connections(self, connections: Iterable[Connection]) -> ConnectivityMap:
        """Pod-level connections (what nca printed) as connections between the graph's workloads."""
        return ConnectivityMap(Connection(self.workload_of(c.source), self.workload_of(c.destination), c.ports)
                               for c in connections)


# -- reading the manifests ---------------------------------------------------------------------------


def _labels(value: object) -> Labels:
    if not isinstance(value, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _dig(obj: Mapping[str, Any], path: Sequence[str]) -> Mapping[str, Any] | None:
    current: Any = obj
    for key in path:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else None


def _pod_name(raw: str, taken: set[str]) -> str:
    """A DNS label, unique in its namespace (the analyser names pods by it)."""
    base = re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")[:55] or "pod"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


#: labels that usually carry a workload's name, to name a stand-in pod after what selects it
_NAME_LABELS = (APP_NAME_LABEL, "app", "k8s-app", "name")


def _stand_in_name(labels: Mapping[str, str], fallback: str) -> str:
    return next((labels[k] for k in _NAME_LABELS if labels.get(k)), fallback)


def _named_ports(template: Mapping[str, Any]) -> tuple[NamedPort, ...]:
    spec = _dig(template, ("spec",)) or {}
    ports: set[NamedPort] = set()
    for key in ("containers", "initContainers"):  # native sidecars (init with restartPolicy Always) serve ports
        for container in spec.get(key) or []:
            for port in (container.get("ports") or []) if isinstance(container, dict) else []:
                number = port.get("containerPort") if isinstance(port, dict) else None
                if isinstance(number, int):
                    ports.add((str(port.get("name") or ""), number, str(port.get("protocol") or "TCP")))
    return tuple(sorted(ports))


def _policy_document(resource: Resource) -> PolicyDocument:
    body = {"apiVersion": resource.api_version or "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": resource.name, "namespace": resource.namespace},
            "spec": resource.obj.get("spec") if isinstance(resource.obj.get("spec"), dict) else {}}
    return PolicyDocument(resource.namespace, resource.name, json.dumps(body, sort_keys=True, separators=(",", ":")))


def _policy_peers(policy: PolicyDocument) -> list[Mapping[str, Any]]:
    """Every `from`/`to` entry of the policy's rules."""
    spec = policy.spec
    peers: list[Mapping[str, Any]] = []
    for direction, key in (("ingress", "from"), ("egress", "to")):
        for rule in spec.get(direction) or []:
            if isinstance(rule, dict):
                peers.extend(p for p in rule.get(key) or [] if isinstance(p, dict))
    return peers


class ClusterObjects:
    """The namespaces, workloads and NetworkPolicies of one cluster's manifests, by namespace."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.namespaces: dict[str, Resource] = {}
        self.pods: dict[str, list[PodStandIn]] = {}
        self.pod_sources: dict[tuple[str, str], Resource] = {}
        self.policies: dict[str, list[Resource]] = {}
        taken: dict[str, set[str]] = {}
        workloads: list[Resource] = []
        for resource in resources:
            if resource.kind == "Namespace" and resource.group == "":
                self.namespaces.setdefault(resource.name, resource)
            elif resource.kind == "NetworkPolicy" and resource.group == "networking.k8s.io":
                self.policies.setdefault(resource.namespace or "default", []).append(resource)
            elif resource.kind in POD_TEMPLATES:
                workloads.append(resource)
        for resource in sorted(workloads, key=lambda r: (r.namespace, r.name, r.kind, r.file, r.line)):
            template = _dig(resource.obj, POD_TEMPLATES[resource.kind]) if POD_TEMPLATES[resource.kind] \
                else resource.obj
            if template is None:
                continue
            namespace = resource.namespace or "default"
            meta = _dig(template, ("metadata",)) or {}
            name = _pod_name(resource.name, taken.setdefault(namespace, set()))
            pod = PodStandIn(namespace, name, _labels(meta.get("labels")), _named_ports(template))
            self.pods.setdefault(namespace, []).append(pod)
            self.pod_sources[(namespace, name)] = resource
        for listed in self.policies.values():
            listed.sort(key=lambda r: (r.name, r.file, r.line))

    def namespace(self, name: str, tenant: str | None = None) -> NamespaceStandIn:
        """The namespace's labels as the API server would have them (it always sets the name label)."""
        resource = self.namespaces.get(name)
        labels = dict(resource.labels) if resource is not None else {}
        labels[NAMESPACE_NAME_LABEL] = name
        if tenant is not None:
            labels.setdefault(TENANT_LABEL, tenant)
        return NamespaceStandIn(name, _labels(labels))


# -- building workspaces -------------------------------------------------------------------------------


class WorkspaceBuilder:
    """Builds the workspace of each tenant namespace of one cluster's manifests."""

    def __init__(self, resources: Iterable[Resource], *, tenants: Sequence[TenantSpec] = (),
                 cluster: ClusterSpec | None = None, inventory: ClusterInventory | None = None) -> None:
        self.objects = ClusterObjects(resources)
        self.cluster = cluster
        self.inventory = inventory
        self.specs = {t.namespace: t for t in tenants}
        #: tenant namespace -> tenant id: labelled Namespaces and the tenants the data puts here
        self.tenants: dict[str, str] = {
            name: str(r.labels[TENANT_LABEL]) for name, r in self.objects.namespaces.items()
            if r.labels.get(TENANT_LABEL)}
        for namespace, spec in self.specs.items():
            self.tenants.setdefault(namespace, spec.id)
        self._namespaces: dict[str, NamespaceStandIn] = {}

    def _namespace(self, name: str) -> NamespaceStandIn:
        if name not in self._namespaces:
            self._namespaces[name] = self.objects.namespace(name, self.tenants.get(name))
        return self._namespaces[name]

    def _reached(self, name: str, selectors: Sequence[Mapping[str, Any] | None]) -> bool:
        """Does any of these namespaceSelectors select namespace `name`?"""
        labels = self._namespace(name).label_map
        for selector in selectors:
            named = ((selector or {}).get("matchLabels") or {}).get(NAMESPACE_NAME_LABEL)
            if named is not None and named != name:
                continue  # the common case, decided without looking further: a selector naming one namespace
            if selector_matches(selector, labels):
                return True
        return False

    def shared_peers(self) -> list[Workload]:
        ingress = ingress_controller(self.cluster) if self.cluster is not None else Workload(
            DEFAULT_INGRESS_NAMESPACE, "ingress-nginx", ((APP_NAME_LABEL, "ingress-nginx"),))
        return [ingress, prometheus(), kube_dns()]

    def build(self, namespace: str) -> TenantWorkspace:
        objects = self.objects
        spec = self.specs.get(namespace)
        declared: tuple[Flow, ...] | None = None
        if spec is not None and self.inventory is not None and spec.cluster in self.inventory.by_name():
            declared = tuple(tenant_flows(spec, self.inventory))
        policies = tuple(_policy_document(r) for r in objects.policies.get(namespace, []))

        # other tenants: a pod reaches one only through a rule of this namespace whose namespaceSelector
        # selects it, so only those are kept, and the probe (below) stands for the rest and for tenants
        # still to come: an open pod or a too-wide selector reaches the probe. A workspace stays the same
        # size however many tenants the cluster has, and the whole check stays linear.
        reaching = [peer["namespaceSelector"] for policy in policies for peer in _policy_peers(policy)
                    if "namespaceSelector" in peer]
        named: set[str | None] = {((s or {}).get("matchLabels") or {}).get(NAMESPACE_NAME_LABEL) for s in reaching}
        if None in named:  # some selector picks namespaces by other labels: ask every tenant namespace
            others = [n for n in self.tenants if n != namespace and self._reached(n, reaching)]
        else:  # every selector names its namespace (the generated policies): no need to look at the others
            others = [n for n in self.tenants.keys() & named if n != namespace and self._reached(n, reaching)]
        kept = [*others, *(n for n in {namespace, *objects.namespaces} if n == namespace or n not in self.tenants)]
        namespaces: dict[str, NamespaceStandIn] = {name: self._namespace(name) for name in kept}
        pods: dict[str, list[PodStandIn]] = {ns: list(objects.pods.get(ns, [])) for ns in namespaces}

        def add(pod: PodStandIn) -> None:
            if pod.namespace not in namespaces:
                namespaces[pod.namespace] = self._namespace(pod.namespace)
                pods[pod.namespace] = list(objects.pods.get(pod.namespace, []))
            taken = {p.name for p in pods[pod.namespace]}
            pods[pod.namespace].append(replace(pod, name=_pod_name(pod.name, taken)))

        def matched(ns: str, selector: Mapping[str, Any] | None) -> bool:
            return any(selector_matches(selector, p.label_map) for p in pods.get(ns, []))

        # the tenant's own workloads the graph declares, where the manifests have none (yet)
        known: list[Workload] = [*self.shared_peers()]
        if declared is not None:
            known += sorted({e for f in declared for e in (f.source, f.destination) if isinstance(e, Workload)})
        for workload in sorted(set(known)):
            if not matched(workload.namespace, {"matchLabels": workload.selector}) and (
                    workload.namespace == namespace or workload.namespace not in self.tenants):
                origin = Origin.DECLARED if workload.namespace == namespace else Origin.PEER
                add(PodStandIn(workload.namespace, workload.name, _labels(workload.selector), origin=origin))

        # pods the namespace's own policies select or name as peers, where none match yet
        for policy in policies:
            selectors = [policy.spec.get("podSelector")]
            selectors += [p.get("podSelector") for p in _policy_peers(policy)
                          if "namespaceSelector" not in p and "ipBlock" not in p]
            for selector in selectors:
                witness = selector_witness(selector) if selector else None
                if witness is not None and not matched(namespace, selector):
                    add(PodStandIn(namespace, _stand_in_name(witness, f"{policy.name}-selected"),
                                   _labels(witness), origin=Origin.POLICY))

        # the probe: any other tenant, today's or tomorrow's
        if PROBE_NAMESPACE not in namespaces:
            namespaces[PROBE_NAMESPACE] = NamespaceStandIn(PROBE_NAMESPACE, _labels(
                {NAMESPACE_NAME_LABEL: PROBE_NAMESPACE, TENANT_LABEL: PROBE_NAMESPACE}))
            pods[PROBE_NAMESPACE] = []
        for ns, labels in sorted(namespaces.items()):
            if (ns != namespace and ns in self.tenants) or ns == PROBE_NAMESPACE:
                pods[ns] = []  # what another tenant runs is its own business: only what it could run counts
            if not pods[ns] and ns != namespace:
                origin = Origin.REPRESENTATIVE if labels.tenant is not None else Origin.PEER
                add(PodStandIn(ns, ANY_POD, ((APP_NAME_LABEL, ANY_POD),), origin=origin))

        # a pod for every selector of this tenant's policies that reaches into another namespace
        for policy in policies:
            for peer in _policy_peers(policy):
                if "namespaceSelector" not in peer:
                    continue
                witness = selector_witness(peer.get("podSelector"))
                if witness is None:
                    continue
                for ns, labels in sorted(namespaces.items()):
                    if ns == namespace or not selector_matches(peer.get("namespaceSelector"), labels.label_map):
                        continue
                    if not matched(ns, peer.get("podSelector")):
                        origin = Origin.REPRESENTATIVE if labels.tenant is not None else Origin.PEER
                        add(PodStandIn(ns, _stand_in_name(witness, "selected-pod"), _labels(witness),
                                       origin=origin))

        workspace = Workspace(
            namespace=namespace,
            namespaces=tuple(sorted(namespaces.values())),
            pods=tuple(sorted(p for listed in pods.values() for p in listed)),
            policies=tuple(sorted(policies)))
        return TenantWorkspace(
            workspace=workspace, tenant=self.tenants.get(namespace, namespace), spec=spec, declared=declared,
            known_workloads=tuple(sorted(set(known))),
            namespace_resource=objects.namespaces.get(namespace),
            workloads={name: r for (ns, name), r in objects.pod_sources.items() if ns == namespace},
            policies={r.name: r for r in objects.policies.get(namespace, [])})

    def build_all(self, only: Iterable[str] | None = None) -> list[TenantWorkspace]:
        wanted = set(only) if only is not None else None
        return [self.build(ns) for ns in sorted(self.tenants) if wanted is None or ns in wanted]


def build_workspaces(resources: Iterable[Resource], *, tenants: Sequence[TenantSpec] = (),
                     cluster: ClusterSpec | None = None, inventory: ClusterInventory | None = None,
                     only: Iterable[str] | None = None) -> list[TenantWorkspace]:
    """One workspace per tenant namespace (a Namespace labelled genai-gitops.io/tenant, or a tenant
    the data places on this cluster), sorted by namespace; `only` restricts to those namespaces."""
    return WorkspaceBuilder(resources, tenants=tenants, cluster=cluster, inventory=inventory).build_all(only)

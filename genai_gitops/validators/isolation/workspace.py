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

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from genai_gitops.manifests.pods import WORKLOAD_KINDS, pod_template_body
from genai_gitops.manifests.resource import Resource
from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.tenant import TENANT_LABEL, TenantSpec
from genai_gitops.model.traffic import (
    GATEWAY_PROXY_LABELS,
    Flow,
    Workload,
    ingress_controller,
    kube_dns,
    prometheus,
    tenant_flows,
)
from genai_gitops.validators.isolation.connectivity import Connection, ConnectivityMap, Endpoint
from genai_gitops.validators.isolation.selectors import selector_matches, selector_witness

#: the label that marks a tenant namespace (genai_gitops_constructs.meta.TENANT_LABEL writes it)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
APP_NAME_LABEL = "app.kubernetes.io/name"
#: a namespace standing for every tenant not on the cluster yet: a policy that would admit it fails now
PROBE_NAMESPACE = "new-tenant-probe"
#: every tenant namespace is `tenant-<id>` (TenantSpec.namespace)
TENANT_NAMESPACE_PREFIX = "tenant-"
#: the representative pod of a namespace, matched by any selector that does not name pod labels
ANY_POD = "any-pod"
#: the ingress controller's namespace when no cluster data says otherwise (IngressCapability's default)
DEFAULT_INGRESS_NAMESPACE = "envoy-gateway-system"

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

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        """Parsed once per document (read-only: shared by every reader)."""
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
        return self._pods_by_name.get((namespace, name))

    @functools.cached_property
    def _pods_by_name(self) -> dict[tuple[str, str], PodStandIn]:
        """(namespace, name) -> pod, the first of a name as a scan would find it."""
        index: dict[tuple[str, str], PodStandIn] = {}
        for pod in self.pods:
            index.setdefault((pod.namespace, pod.name), pod)
        return index

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
    #: tenant namespaces the policies name that do not exist yet (tenants still to be onboarded)
    future_namespaces: tuple[str, ...] = ()

    @property
    def namespace(self) -> str:
        return self.workspace.namespace

    def workload_of(self, endpoint: Endpoint) -> Endpoint:
        """The graph's name for a pod (the known workload whose selector selects it), else the pod's own."""
        if endpoint.is_external:
            return endpoint
        key = (endpoint.namespace, endpoint.name)
        if key not in self._workload_names:
            self._workload_names[key] = self._workload_of(endpoint)
        return self._workload_names[key]

    @functools.cached_property
    def _workload_names(self) -> dict[tuple[str, str], Endpoint]:
        """A memo of `workload_of` (a pure function of this immutable value), filled as pods are asked for."""
        return {}

    def _workload_of(self, endpoint: Endpoint) -> Endpoint:
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
    namespace = resource.namespace or "default"  # where kubectl apply would put it
    body = {"apiVersion": resource.api_version or "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": resource.name, "namespace": namespace},
            "spec": resource.obj.get("spec") if isinstance(resource.obj.get("spec"), dict) else {}}
    return PolicyDocument(namespace, resource.name, json.dumps(body, sort_keys=True, separators=(",", ":")))


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
        #: namespace -> pod name -> the manifest it was read from
        self.pod_sources_in: dict[str, dict[str, Resource]] = {}
        self.policies: dict[str, list[Resource]] = {}
        taken: dict[str, set[str]] = {}
        workloads: list[Resource] = []
        for resource in resources:
            if resource.kind == "Namespace" and resource.group == "":
                self.namespaces.setdefault(resource.name, resource)
            elif resource.kind == "NetworkPolicy" and resource.group == "networking.k8s.io":
                self.policies.setdefault(resource.namespace or "default", []).append(resource)
            elif resource.kind in WORKLOAD_KINDS:
                workloads.append(resource)
        for resource in sorted(workloads, key=lambda r: (r.namespace, r.name, r.kind, r.file, r.line)):
            template = pod_template_body(resource)
            if template is None:
                continue
            namespace = resource.namespace or "default"
            meta = _dig(template, ("metadata",)) or {}
            name = _pod_name(resource.name, taken.setdefault(namespace, set()))
            pod = PodStandIn(namespace, name, _labels(meta.get("labels")), _named_ports(template))
            self.pods.setdefault(namespace, []).append(pod)
            self.pod_sources[(namespace, name)] = resource
            self.pod_sources_in.setdefault(namespace, {})[name] = resource
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

    def namespace_stand_in(self, name: str) -> NamespaceStandIn:
        if name not in self._namespaces:
            self._namespaces[name] = self.objects.namespace(name, self.tenants.get(name))
        return self._namespaces[name]

    def _reached(self, name: str, selectors: Sequence[Mapping[str, Any] | None]) -> bool:
        """Does any of these namespaceSelectors select namespace `name`?"""
        labels = self.namespace_stand_in(name).label_map
        for selector in selectors:
            named = ((selector or {}).get("matchLabels") or {}).get(NAMESPACE_NAME_LABEL)
            if named is not None and named != name:
                continue  # the common case, decided without looking further: a selector naming one namespace
            if selector_matches(selector, labels):
                return True
        return False

    def shared_peers(self) -> list[Workload]:
        ingress = ingress_controller(self.cluster) if self.cluster is not None else Workload(
            DEFAULT_INGRESS_NAMESPACE, "envoy", GATEWAY_PROXY_LABELS)
        return [ingress, prometheus(), kube_dns()]

    def build(self, namespace: str) -> TenantWorkspace:
        spec = self.specs.get(namespace)
        declared: tuple[Flow, ...] | None = None
        if spec is not None and self.inventory is not None and spec.cluster in self.inventory.by_name():
            declared = tuple(tenant_flows(spec, self.inventory))
        policies = tuple(_policy_document(r) for r in self.objects.policies.get(namespace, []))
        known = sorted({*self.shared_peers(), *(e for f in declared or () for e in (f.source, f.destination)
                                                if isinstance(e, Workload))})

        draft = _Draft(self, namespace)
        for name in self._namespaces_in_view(namespace, policies):
            draft.open(name)
        future = self._future_tenants(namespace, policies)
        for stand_in in future:
            draft.open_as(stand_in)
        draft.add_declared(known)
        draft.add_selected(policies)
        draft.add_representatives()
        draft.add_reached(policies)
        return TenantWorkspace(
            workspace=draft.workspace(policies), tenant=self.tenants.get(namespace, namespace), spec=spec,
            declared=declared, known_workloads=tuple(known),
            namespace_resource=self.objects.namespaces.get(namespace),
            workloads=dict(self.objects.pod_sources_in.get(namespace, {})),
            policies={r.name: r for r in self.objects.policies.get(namespace, [])},
            future_namespaces=tuple(n.name for n in future))

    def _future_tenants(self, namespace: str, policies: Sequence[PolicyDocument]) -> list[NamespaceStandIn]:
        """Tenant namespaces these policies name (by name or by tenant label) that do not exist yet.

        A rule written today for `tenant-umbrella` admits umbrella the day it is onboarded; the probe
        namespace cannot show it (its name is not `tenant-umbrella`), so the named tenant stands in itself.
        """
        found: dict[str, NamespaceStandIn] = {}
        for policy in policies:
            for peer in _policy_peers(policy):
                witness = selector_witness(peer.get("namespaceSelector")) if "namespaceSelector" in peer else None
                if not witness:
                    continue
                tenant = witness.get(TENANT_LABEL)
                name = witness.get(NAMESPACE_NAME_LABEL) or (f"tenant-{tenant}" if tenant else None)
                if name is None or name == namespace or name in self.tenants or name in self.objects.namespaces:
                    continue
                if tenant is None:
                    if not name.startswith(TENANT_NAMESPACE_PREFIX):
                        continue
                    tenant = name.removeprefix(TENANT_NAMESPACE_PREFIX)
                labels = {**witness, NAMESPACE_NAME_LABEL: name, TENANT_LABEL: tenant}
                found.setdefault(name, NamespaceStandIn(name, _labels(labels)))
        return sorted(found.values())

    def _namespaces_in_view(self, namespace: str, policies: Sequence[PolicyDocument]) -> list[str]:
        """The namespace, every non-tenant namespace, and the other tenants its policies can select.

        A pod reaches another tenant only through a rule of this namespace whose namespaceSelector
        selects that tenant's namespace; the probe stands for all the others (an open pod or a
        too-wide selector reaches it). So a workspace stays the same size however many tenants the
        cluster has, and the whole check stays linear.
        """
        reaching = [peer["namespaceSelector"] for policy in policies for peer in _policy_peers(policy)
                    if "namespaceSelector" in peer]
        named: set[str | None] = {((s or {}).get("matchLabels") or {}).get(NAMESPACE_NAME_LABEL) for s in reaching}
        # when every selector names its namespace (as the generated policies do), only those can be reached
        candidates = self.tenants.keys() if None in named else self.tenants.keys() & named
        others = [n for n in candidates if n != namespace and self._reached(n, reaching)]
        return sorted({namespace, *others, *(n for n in self.objects.namespaces if n not in self.tenants)})

    def build_all(self, only: Iterable[str] | None = None) -> list[TenantWorkspace]:
        wanted = set(only) if only is not None else None
        return [self.build(ns) for ns in sorted(self.tenants) if wanted is None or ns in wanted]


class _Draft:
    """The namespaces and pods of one workspace while it is being built."""

    def __init__(self, builder: WorkspaceBuilder, namespace: str) -> None:
        self.builder = builder
        self.namespace = namespace
        self.namespaces: dict[str, NamespaceStandIn] = {}
        self.pods: dict[str, list[PodStandIn]] = {}

    def open(self, name: str) -> None:
        if name not in self.namespaces:
            self.namespaces[name] = self.builder.namespace_stand_in(name)
            other_tenant = name != self.namespace and name in self.builder.tenants
            # what another tenant runs is its own business: only what it could run counts
            self.pods[name] = [] if other_tenant else list(self.builder.objects.pods.get(name, []))

    def open_as(self, namespace: NamespaceStandIn) -> None:
        """A namespace that exists only in the analysis (a tenant still to come): no pods of its own."""
        if namespace.name not in self.namespaces:
            self.namespaces[namespace.name] = namespace
            self.pods[namespace.name] = []

    def add(self, pod: PodStandIn) -> None:
        self.open(pod.namespace)
        taken = {p.name for p in self.pods[pod.namespace]}
        self.pods[pod.namespace].append(replace(pod, name=_pod_name(pod.name, taken)))

    def matched(self, namespace: str, selector: Mapping[str, Any] | None) -> bool:
        return any(selector_matches(selector, p.label_map) for p in self.pods.get(namespace, []))

    def add_declared(self, known: Iterable[Workload]) -> None:
        """The tenant's workloads and shared peers the graph names, where the manifests have none (yet)."""
        for workload in known:
            if workload.namespace != self.namespace and workload.namespace in self.builder.tenants:
                continue
            if not self.matched(workload.namespace, {"matchLabels": workload.selector}):
                origin = Origin.DECLARED if workload.namespace == self.namespace else Origin.PEER
                self.add(PodStandIn(workload.namespace, workload.name, _labels(workload.selector), origin=origin))

    def add_selected(self, policies: Iterable[PolicyDocument]) -> None:
        """Pods the namespace's own policies select or name as peers, where none match yet."""
        for policy in policies:
            selectors = [policy.spec.get("podSelector")]
            selectors += [p.get("podSelector") for p in _policy_peers(policy)
                          if "namespaceSelector" not in p and "ipBlock" not in p]
            for selector in selectors:
                witness = selector_witness(selector) if selector else None
                if witness is not None and not self.matched(self.namespace, selector):
                    self.add(PodStandIn(self.namespace, _stand_in_name(witness, f"{policy.name}-selected"),
                                        _labels(witness), origin=Origin.POLICY))

    def add_representatives(self) -> None:
        """The probe namespace (any other tenant, today's or tomorrow's), and one pod in every
        namespace that has none: what a selector without pod labels would reach."""
        if PROBE_NAMESPACE not in self.namespaces:
            self.namespaces[PROBE_NAMESPACE] = NamespaceStandIn(PROBE_NAMESPACE, _labels(
                {NAMESPACE_NAME_LABEL: PROBE_NAMESPACE, TENANT_LABEL: PROBE_NAMESPACE}))
            self.pods[PROBE_NAMESPACE] = []
        for name, namespace in sorted(self.namespaces.items()):
            if not self.pods[name] and name != self.namespace:
                origin = Origin.REPRESENTATIVE if namespace.tenant is not None else Origin.PEER
                self.add(PodStandIn(name, ANY_POD, ((APP_NAME_LABEL, ANY_POD),), origin=origin))

    def add_reached(self, policies: Iterable[PolicyDocument]) -> None:
        """A pod for every podSelector of these policies that reaches into another namespace."""
        for policy in policies:
            for peer in _policy_peers(policy):
                witness = selector_witness(peer.get("podSelector")) if "namespaceSelector" in peer else None
                if witness is None:
                    continue
                for name, namespace in sorted(self.namespaces.items()):
                    if name == self.namespace or self.matched(name, peer.get("podSelector")) or \
                            not selector_matches(peer.get("namespaceSelector"), namespace.label_map):
                        continue
                    origin = Origin.REPRESENTATIVE if namespace.tenant is not None else Origin.PEER
                    self.add(PodStandIn(name, _stand_in_name(witness, "selected-pod"), _labels(witness),
                                        origin=origin))

    def workspace(self, policies: Sequence[PolicyDocument]) -> Workspace:
        return Workspace(namespace=self.namespace, namespaces=tuple(sorted(self.namespaces.values())),
                         pods=tuple(sorted(p for listed in self.pods.values() for p in listed)),
                         policies=tuple(sorted(policies)))


def build_workspaces(resources: Iterable[Resource], *, tenants: Sequence[TenantSpec] = (),
                     cluster: ClusterSpec | None = None, inventory: ClusterInventory | None = None,
                     only: Iterable[str] | None = None) -> list[TenantWorkspace]:
    """One workspace per tenant namespace (a Namespace labelled genai-gitops.io/tenant, or a tenant
    the data places on this cluster), sorted by namespace; `only` restricts to those namespaces."""
    return WorkspaceBuilder(resources, tenants=tenants, cluster=cluster, inventory=inventory).build_all(only)

"""Turn one tenant's analysis into findings: cross-tenant, undeclared and missing flows, default deny.

Pods are named as the traffic graph names workloads (a pod is `open-webui` when the graph's
selector for open-webui selects it), so what nca computed and what the graph declares compare
directly. Each offending flow names the NetworkPolicy that lets it through: the policies that
select the pod on the tenant's side for that direction and have rules for it; when several do,
nca is asked again with each one alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.isolation.analysis import NamespaceAnalysis
from genai_gitops.validators.isolation.connectivity import (
    AddressBook,
    Connection,
    ConnectivityMap,
    Endpoint,
    endpoint_of,
)
from genai_gitops.validators.isolation.ports import PortSet
from genai_gitops.validators.isolation.selectors import selector_matches
from genai_gitops.validators.isolation.workspace import PROBE_NAMESPACE, Origin, TenantWorkspace, Workspace

VALIDATOR = "isolation"
CROSS_TENANT, UNDECLARED, MISSING, NOT_DEFAULT_DENY, ANALYSIS_ERROR = (
    "cross-tenant-flow", "undeclared-flow", "missing-flow", "not-default-deny", "analysis-error")
INGRESS, EGRESS = "Ingress", "Egress"
#: other-tenant endpoints listed in one cross-tenant finding before "and N more"
LISTED_PEERS = 5

Analyser = Callable[[Workspace], NamespaceAnalysis]


@dataclass(frozen=True)
class Side:
    """The tenant's end of a flow: which policies let it through in which direction."""

    direction: str
    endpoint: Endpoint
    policies: tuple[str, ...]


def effective_types(spec: dict) -> set[str]:
    """policyTypes as the API server defaults them: Ingress always, Egress when egress rules exist."""
    if spec.get("policyTypes"):
        return {str(t) for t in spec["policyTypes"]}
    return {INGRESS, EGRESS} if spec.get("egress") else {INGRESS}


class TenantCheck:
    def __init__(self, subject: TenantWorkspace, analysis: NamespaceAnalysis, *, analyser: Analyser,
                 book: AddressBook | None = None) -> None:
        self.subject = subject
        self.workspace = subject.workspace
        self.namespace = subject.namespace
        self.analysis = analysis
        self.analyser = analyser
        self.book = book or AddressBook()
        self._alone: dict[Workspace, NamespaceAnalysis] = {}
        self._connections: ConnectivityMap | None = None

    def workload(self, endpoint: Endpoint) -> Endpoint:
        return self.subject.workload_of(endpoint)

    def pods_of(self, endpoint: Endpoint) -> list[str]:
        return [p.name for p in self.subject.pods_of(endpoint)]

    def connections(self, analysis: NamespaceAnalysis | None = None) -> ConnectivityMap:
        if analysis is not None and analysis is not self.analysis:
            return self.subject.workload_connections(analysis.connections)
        if self._connections is None:  # the findings and the table's row both ask for it
            self._connections = self.subject.workload_connections(self.analysis.connections)
        return self._connections

    # -- findings --------------------------------------------------------------------------------------------

    def findings(self) -> Iterator[Finding]:
        if self.analysis.error:
            yield from self._analysis_errors()
            return
        yield from self._default_deny()
        allowed = self.connections().connections(self.book)
        tenants = self.workspace.tenant_namespaces
        crossing = [c for c in allowed if {c.source.namespace, c.destination.namespace} & tenants]
        yield from self._cross_tenant(crossing)
        if self.subject.declared is None:
            return
        declared = [(Connection(endpoint_of(f.source), endpoint_of(f.destination), PortSet.from_ports(f.ports)),
                     f.purpose) for f in self.subject.declared]
        actual = ConnectivityMap(c for c in allowed if c not in crossing)
        expected = ConnectivityMap(c for c, _ in declared)
        for connection in actual.minus(expected, self.book):
            sides = self._sides(connection)
            if any(not side.policies for side in sides):
                continue  # open because no policy selects the pod: not-default-deny already says so
            message = (f"{connection} {_allowed_by(sides, self.namespace)}; it is not in the declared traffic graph "
                       f"of tenant {self.subject.tenant}")
            yield self._at_policy(UNDECLARED, message, sides, connection)
        for connection in expected.minus(actual, self.book):
            purposes = sorted({p for c, p in declared if p and _overlaps(c, connection)})
            why = f" ({'; '.join(purposes)})" if purposes else ""
            # the receiving workload when both ends are the tenant's: "redis cannot be reached" is the symptom
            mine = connection.destination if connection.destination.namespace == self.namespace else connection.source
            message = f"{connection} is declared{why} but no NetworkPolicy allows it{self._stand_in_note(mine)}"
            yield self._at_workload(MISSING, message, mine)

    def _analysis_errors(self) -> Iterator[Finding]:
        """nca's message gives no file: find the policies it rejects by analysing each one alone."""
        found = False
        for policy in self.workspace.policies:
            names = [p.name for p in self.workspace.policies if p.name != policy.name]
            error = self.analyser(self.workspace.without_policies(names)).error
            if error and policy.name in self.subject.policies:
                found = True
                yield Finding.about(self.subject.policies[policy.name], validator=VALIDATOR, rule=ANALYSIS_ERROR,
                                    message=f"cannot analyse NetworkPolicy {self.namespace}/{policy.name}: {error}")
        if not found:
            yield self._at_namespace(ANALYSIS_ERROR, f"cannot analyse {self.namespace}: {self.analysis.error}")

    def _default_deny(self) -> Iterator[Finding]:
        ingress, egress = set(self.analysis.uncaptured_ingress), set(self.analysis.uncaptured_egress)
        for pod in sorted(ingress | egress):
            missing = " or ".join(d for d, names in ((INGRESS, ingress), (EGRESS, egress)) if pod in names)
            endpoint = Endpoint.workload(self.namespace, pod)
            message = (f"{endpoint} is not under a default-deny: no NetworkPolicy selects it for {missing}"
                       f"{self._stand_in_note(self.workload(endpoint), pod)}")
            yield self._at_workload(NOT_DEFAULT_DENY, message, endpoint, pod)

    def _cross_tenant(self, crossing: Sequence[Connection]) -> Iterator[Finding]:
        groups: dict[tuple[str, Endpoint, str, tuple[Side, ...]], list[Connection]] = defaultdict(list)
        for connection in crossing:
            sides = self._sides(connection)
            direction = EGRESS if connection.source.namespace == self.namespace else INGRESS
            mine = connection.source if direction == EGRESS else connection.destination
            groups[(direction, mine, str(connection.ports), sides)].append(connection)
        for (direction, mine, ports, sides), connections in sorted(groups.items(), key=lambda g: str(g[0][:3])):
            others = sorted({c.destination if direction == EGRESS else c.source for c in connections})
            listed = ", ".join(str(o) for o in others[:LISTED_PEERS])
            if len(others) > LISTED_PEERS:
                listed += f" and {len(others) - LISTED_PEERS} more"
            flow = f"{mine} -> {listed}:{ports}" if direction == EGRESS else f"{listed} -> {mine}:{ports}"
            probe = any(o.namespace == PROBE_NAMESPACE for o in others)
            note = f" ({PROBE_NAMESPACE} stands for any tenant added later)" if probe else ""
            future = sorted({o.namespace for o in others} & set(self.subject.future_namespaces))
            if future:
                note += (f" ({', '.join(future)} {'does' if len(future) == 1 else 'do'} not exist yet: the rule admits "
                         "that tenant the day it is onboarded)")
            tenants = sorted({o.namespace for o in others} - {PROBE_NAMESPACE})
            between = f"tenant namespaces {self.namespace} and {', '.join(tenants)}" if tenants else \
                f"tenant namespace {self.namespace} and any other tenant"
            message = f"{flow} {_allowed_by(sides, self.namespace)}: traffic between {between} is never allowed{note}"
            yield self._at_policy(CROSS_TENANT, message, sides, connections[0])

    # -- which policy allows a flow ----------------------------------------------------------------------

    def _sides(self, connection: Connection) -> tuple[Side, ...]:
        sides = []
        if connection.source.namespace == self.namespace:
            sides.append(Side(EGRESS, connection.source, self._allowing(connection, connection.source, EGRESS)))
        if connection.destination.namespace == self.namespace:
            sides.append(Side(INGRESS, connection.destination,
                              self._allowing(connection, connection.destination, INGRESS)))
        return tuple(sides)

    def _candidates(self, endpoint: Endpoint, direction: str) -> list[str]:
        pods = [p for p in self.workspace.pods if p.namespace == self.namespace and p.name in self.pods_of(endpoint)]
        rules = "ingress" if direction == INGRESS else "egress"
        return [policy.name for policy in self.workspace.policies
                if direction in effective_types(policy.spec) and policy.spec.get(rules)
                and any(selector_matches(policy.spec.get("podSelector"), p.label_map) for p in pods)]

    def _allowing(self, connection: Connection, endpoint: Endpoint, direction: str) -> tuple[str, ...]:
        candidates = self._candidates(endpoint, direction)
        if len(candidates) <= 1:
            return tuple(candidates)
        # several policies select the pod: keep those that still allow the flow when alone among them
        alone = []
        for name in candidates:
            workspace = self.workspace.without_policies(c for c in candidates if c != name)
            if workspace not in self._alone:
                self._alone[workspace] = self.analyser(workspace)
            remaining = self.connections(self._alone[workspace]).connections()
            if any(_overlaps(c, connection) for c in remaining):
                alone.append(name)
        return tuple(alone or candidates)

    # -- where a finding points ------------------------------------------------------------------------

    def _resource_of(self, endpoint: Endpoint, pod: str | None = None) -> Resource | None:
        for name in [pod] if pod else self.pods_of(endpoint):
            if name in self.subject.workloads:
                return self.subject.workloads[name]
        return self.subject.namespace_resource

    def _stand_in_note(self, endpoint: Endpoint, pod: str | None = None) -> str:
        pods = [self.workspace.pod(self.namespace, n) for n in ([pod] if pod else self.pods_of(endpoint))]
        if pods and all(p is not None and p.origin is not Origin.WORKLOAD for p in pods):
            return " (no workload manifest for it; checked with a stand-in pod)"
        return ""

    def _at_policy(self, rule: str, message: str, sides: Sequence[Side], connection: Connection) -> Finding:
        for side in sides:
            for name in side.policies:
                if name in self.subject.policies:
                    return Finding.about(self.subject.policies[name], validator=VALIDATOR, rule=rule, message=message)
        mine = connection.source if connection.source.namespace == self.namespace else connection.destination
        return self._at_workload(rule, message, mine)

    def _at_workload(self, rule: str, message: str, endpoint: Endpoint, pod: str | None = None) -> Finding:
        resource = self._resource_of(endpoint, pod)
        if resource is None:
            return self._at_namespace(rule, message)
        return Finding.about(resource, validator=VALIDATOR, rule=rule, message=message)

    def _at_namespace(self, rule: str, message: str) -> Finding:
        if self.subject.namespace_resource is not None:
            return Finding.about(self.subject.namespace_resource, validator=VALIDATOR, rule=rule, message=message)
        return Finding(file="", line=None, api_version="v1", kind="Namespace", namespace="", name=self.namespace,
                       validator=VALIDATOR, rule=rule, severity=Severity.ERROR, message=message)


def _overlaps(a: Connection, b: Connection) -> bool:
    """Same ends (addresses intersecting) and at least one port in common."""
    def same(x: Endpoint, y: Endpoint) -> bool:
        if x.is_external or y.is_external:
            return x.is_external and y.is_external and bool(x.addresses & y.addresses)
        return (x.namespace, x.name) == (y.namespace, y.name)
    return same(a.source, b.source) and same(a.destination, b.destination) and bool(a.ports & b.ports)


def _allowed_by(sides: Sequence[Side], namespace: str) -> str:
    """`allowed by NetworkPolicy ns/p`, or why the flow is open when no policy restricts one end."""
    allowing, unrestricted = [], []
    for side in sides:
        where = f" ({side.direction.lower()})" if len(sides) > 1 else ""
        if side.policies:
            noun = "NetworkPolicy" if len(side.policies) == 1 else "NetworkPolicies"
            allowing.append(f"{noun} {' and '.join(f'{namespace}/{p}' for p in side.policies)}{where}")
        else:
            unrestricted.append(f"{side.endpoint} for {side.direction}")
    parts = [f"allowed by {' and '.join(allowing)}"] if allowing else []
    if unrestricted:
        parts.append(f"open because no NetworkPolicy selects {' and '.join(unrestricted)}")
    return "; ".join(parts) or "allowed"

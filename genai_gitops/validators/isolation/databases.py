"""Tenants' database egress: each tenant reaches its own databases only, or a warning names who shares what.

The check proves that a tenant's NetworkPolicies allow exactly its declared flows (check.py), so the
declared database destinations are what its Open WebUI can reach on the PostgreSQL port. A tenant with
`database_endpoints` reaches those, and the model keeps them disjoint across the tenants of a cluster:
proven confined. A tenant without them reaches its cluster's whole data subnets, so every other tenant's
database there too: that is reported, naming both tenants and the subnet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from genai_gitops.model.traffic import PORTS, Cidr, Flow, Port, Workload
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.isolation.addresses import AddressSet
from genai_gitops.validators.isolation.check import VALIDATOR
from genai_gitops.validators.isolation.workspace import TenantWorkspace

SHARED_DATABASE_SUBNET = "shared-database-subnet"
DATABASE_PORT = Port(PORTS["postgres"])
#: the policy that holds Open WebUI's egress (genai_gitops_constructs.network_policy names it)
WEBUI_POLICY = "allow-open-webui"
#: other tenants named in one warning before "and N more"
LISTED_TENANTS = 5


def _database_flows(subject: TenantWorkspace) -> list[Flow]:
    return [f for f in subject.declared or () if isinstance(f.source, Workload) and isinstance(f.destination, Cidr)
            and f.source.namespace == subject.namespace and DATABASE_PORT in f.ports]


def _addresses(flows: Sequence[Flow]) -> AddressSet:
    out = AddressSet()
    for flow in flows:
        assert isinstance(flow.destination, Cidr)
        out = out | AddressSet.from_cidr(flow.destination.cidr, flow.destination.excepts)
    return out


def shared_database_findings(subjects: Sequence[TenantWorkspace]) -> Iterator[Finding]:
    """A warning per tenant without database_endpoints and data subnet that holds other tenants' databases."""
    known = sorted((s for s in subjects if s.spec is not None and s.declared is not None), key=lambda s: s.tenant)
    #: where each tenant's databases may be: its endpoints, else anywhere in the subnets it may reach
    holdings = {s.tenant: _addresses(_database_flows(s)) for s in known}
    by_cluster: dict[str, list[TenantWorkspace]] = defaultdict(list)
    for subject in known:
        assert subject.spec is not None
        by_cluster[subject.spec.cluster].append(subject)
    for subject in known:
        assert subject.spec is not None
        if subject.spec.database_endpoints:
            continue
        for flow in _database_flows(subject):
            assert isinstance(flow.destination, Cidr)
            subnet = AddressSet.from_cidr(flow.destination.cidr)
            others = [o.tenant for o in by_cluster[subject.spec.cluster]
                      if o is not subject and subnet & holdings[o.tenant]]
            if not others:
                continue
            listed = ", ".join(others[:LISTED_TENANTS])
            if len(others) > LISTED_TENANTS:
                listed += f" and {len(others) - LISTED_TENANTS} more"
            message = (f"tenant {subject.tenant} shares data subnet {flow.destination.cidr} of cluster "
                       f"{subject.spec.cluster} with {'tenant' if len(others) == 1 else 'tenants'} {listed}: "
                       f"{subject.namespace}/{flow.source.name} may connect to any database there on port "
                       f"{DATABASE_PORT}, {'theirs' if len(others) > 1 else others[0] + chr(39) + 's'} included; "
                       f"set database_endpoints in {subject.tenant}'s tenant file to its own database's addresses")
            yield _at_policy(subject, message)


def _at_policy(subject: TenantWorkspace, message: str) -> Finding:
    resource = subject.policies.get(WEBUI_POLICY) or subject.namespace_resource
    if resource is not None:
        return Finding.about(resource, validator=VALIDATOR, rule=SHARED_DATABASE_SUBNET, message=message,
                             severity=Severity.WARNING)
    return Finding(file="", line=None, api_version="v1", kind="Namespace", namespace="", name=subject.namespace,
                   validator=VALIDATOR, rule=SHARED_DATABASE_SUBNET, severity=Severity.WARNING, message=message)

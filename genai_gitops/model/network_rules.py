"""Rules for network inputs: the CIDRs of clusters.yaml and tenants' database endpoints.

They become NetworkPolicy ipBlocks (data subnets, database endpoints, other clusters' ingress addresses),
so they are checked as networks: inside the VPC, disjoint where they must be, and wide only on purpose.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from functools import lru_cache
from ipaddress import IPv4Network

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import PRIVATE_RANGES

FieldProblem = tuple[str, str]

#: a public CIDR wider than this needs a reasoned exception (a load balancer has a handful of addresses)
WIDEST_PUBLIC_PREFIX = 16
_PRIVATE = tuple(IPv4Network(r) for r in PRIVATE_RANGES)


def _why_wide(network: IPv4Network) -> str | None:
    """Why tenants' egress to this "public" CIDR would open more than a load balancer, or None."""
    if network.prefixlen == 0:
        return "is the whole internet"
    private = [str(p) for p in _PRIVATE if network.overlaps(p)]
    if private:
        return f"overlaps the private range {private[0]} (the clusters' own pods and services live there)"
    if network.prefixlen < WIDEST_PUBLIC_PREFIX:
        return f"is wider than /{WIDEST_PUBLIC_PREFIX}"
    return None


#: ranges no load balancer has: opening them is never an exception (169.254.169.254 is the instance metadata API)
_NEVER_PUBLIC = tuple((IPv4Network(r), what) for r, what in (
    ("0.0.0.0/8", "'this network'"), ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local, the metadata API"),
    ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved")))


def _never_public(network: IPv4Network) -> str | None:
    """Inside a range no load balancer has (a wider range holding one is reported as wide)."""
    for reserved, what in _NEVER_PUBLIC:
        if network.subnet_of(reserved):
            return f"is inside {reserved} ({what})"
    return None


def cluster_rules(cluster: ClusterSpec) -> Iterator[FieldProblem]:
    """Network inputs of one cluster: they become NetworkPolicy ipBlocks, so they are checked as networks."""
    vpc = IPv4Network(cluster.vpc_cidr)
    if not any(vpc.subnet_of(p) for p in _PRIVATE):
        ranges = ", ".join(PRIVATE_RANGES)
        yield "vpc_cidr", (f"{cluster.vpc_cidr!r} is not inside a private range ({ranges}); tenants' internet egress "
                           "excludes only those, so pods at these addresses would count as internet")
    seen: list[tuple[int, IPv4Network]] = []
    for index, text in enumerate(cluster.data_subnets):
        subnet = IPv4Network(text)
        where = f"data_subnets[{index}]"
        if subnet == vpc:
            yield where, (f"{text!r} is the whole VPC; pods have VPC addresses too (VPC CNI), so list only the "
                          "subnets of the managed data services")
        elif not subnet.subnet_of(vpc):
            yield where, (f"{text!r} is not inside vpc_cidr {cluster.vpc_cidr!r}; database egress is opened to it, "
                          "so list only subnets of this cluster's VPC")
        else:
            for other, earlier in seen:
                if subnet.overlaps(earlier):
                    yield where, f"{text!r} overlaps data_subnets[{other}] {str(earlier)!r}; list each subnet once"
                    break
            seen.append((index, subnet))
    ingress = cluster.capabilities.ingress
    excepted = ingress.public_cidrs_exception
    covered = set(excepted.cidrs) if excepted else set()
    for index, text in enumerate(ingress.public_cidrs):
        network = IPv4Network(text)
        where = f"capabilities.ingress.public_cidrs[{index}]"
        never = _never_public(network)
        if never:
            yield where, f"{text!r} {never}; no load balancer has such addresses, list its public addresses"
            continue
        why = _why_wide(network)
        if why and text not in covered:
            yield where, (f"{text!r} {why}; other clusters' tenants may send to these addresses, so list the load "
                          "balancer's own addresses, or declare the decision: public_cidrs_exception: "
                          f"{{cidrs: [{text}], reason: <why this range is safe>}}")
    for index, text in enumerate(excepted.cidrs if excepted else ()):
        where = f"capabilities.ingress.public_cidrs_exception.cidrs[{index}]"
        if text not in ingress.public_cidrs:
            yield where, f"{text!r} is not in public_cidrs; remove it from the exception"
        elif _why_wide(IPv4Network(text)) is None:
            yield where, f"{text!r} needs no exception (a narrow public range); remove it from the exception"


@lru_cache(maxsize=65536)
def _network(text: str) -> IPv4Network:
    """Parsed once per run: every tenant of a cluster checks its endpoints against the same data subnets
    (and a network caches its derived addresses, which `subnet_of` reads)."""
    return IPv4Network(text)


class ClaimedEndpoints:
    """The database endpoints claimed so far on one cluster, each with the file that listed it, found by
    address instead of by a walk over all of them (a walk per endpoint was quadratic in tenants).

    Two IPv4 networks overlap only when one holds the other, so the networks overlapping `n` are its
    supernets (at most one per prefix length, looked up by their exact value) and the claimed networks that
    start inside `n` (a range of the start-sorted list: a network starting inside `n` with a shorter prefix
    would have to start at `n`'s own address, and then holds `n`)."""

    def __init__(self) -> None:
        #: network -> (claim order, file) of every claim of exactly that network
        self._by_network: dict[tuple[int, int], list[tuple[int, str]]] = {}
        #: (first address, prefix length) of every claimed network, sorted
        self._starts: list[tuple[int, int]] = []
        #: the prefix lengths claimed so far: a supernet is looked up only at those
        self._prefixes: set[int] = set()
        self._count = 0

    def first_other(self, network: IPv4Network, file: str) -> str | None:
        """The file of the earliest claim overlapping `network` that another file made, or None."""
        start, prefix = int(network.network_address), network.prefixlen
        found: tuple[int, str] | None = None

        def consider(claims: list[tuple[int, str]]) -> None:
            nonlocal found
            for order, owner in claims:
                if owner != file and (found is None or order < found[0]):
                    found = (order, owner)
                    break  # claims of one network are in claim order

        for shorter in sorted(p for p in self._prefixes if p < prefix):
            mask = (0xFFFFFFFF << (32 - shorter)) & 0xFFFFFFFF
            claims = self._by_network.get((start & mask, shorter))
            if claims:
                consider(claims)
        end = start + (1 << (32 - prefix))
        index = bisect_left(self._starts, (start, -1))
        while index < len(self._starts) and self._starts[index][0] < end:
            consider(self._by_network[self._starts[index]])
            index += 1
        return found[1] if found else None

    def claim(self, network: IPv4Network, file: str) -> None:
        key = (int(network.network_address), network.prefixlen)
        claims = self._by_network.get(key)
        if claims is None:
            claims = self._by_network[key] = []
            insort(self._starts, key)
            self._prefixes.add(key[1])
        claims.append((self._count, file))
        self._count += 1


def database_endpoint_rules(tenant: TenantSpec, cluster: ClusterSpec, claimed: dict[str, ClaimedEndpoints],
                            file: str) -> Iterator[FieldProblem]:
    """A tenant's database endpoints lie in its cluster's data subnets and belong to no other tenant.

    `claimed` (cluster -> endpoints and the file that listed them) is shared across the tenants of a run."""
    subnets = [_network(s) for s in cluster.data_subnets]
    taken = claimed.setdefault(cluster.name, ClaimedEndpoints())
    for index, text in enumerate(tenant.database_endpoints):
        network = _network(text)
        where = f"database_endpoints[{index}]"
        if not any(network.subnet_of(s) for s in subnets):
            yield where, (f"{text!r} is not inside a data subnet of cluster {cluster.name} "
                                f"({', '.join(cluster.data_subnets)}); list the addresses of the tenant's own "
                                "database there")
            continue
        other = taken.first_other(network, file)
        if other is not None:
            yield where, (f"{text!r} overlaps the database endpoints of {other}; each tenant's databases need "
                                "addresses of their own (a separate subnet block or instance)")
        taken.claim(network, file)

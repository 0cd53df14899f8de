"""Connections between workloads and address blocks, and exact differences between sets of them.

The same model serves three readers: the isolation check (what nca computed minus what the graph
declares, and the reverse), `genai-gitops graph` (what to draw) and `connectivity_diff` (what a
change adds or removes).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.model.traffic import Cidr, Flow, Workload
from genai_gitops.validators.isolation.addresses import AddressSet, Interval
from genai_gitops.validators.isolation.ports import PortSet


@dataclass(frozen=True, order=True)
class Endpoint:
    """A workload (`namespace/name`) or, with no namespace, a set of addresses outside the cluster."""

    namespace: str = ""
    name: str = ""
    addresses: AddressSet = field(default_factory=AddressSet)

    @classmethod
    def workload(cls, namespace: str, name: str) -> Endpoint:
        return cls(namespace, name)

    @classmethod
    def external(cls, addresses: AddressSet, name: str = "") -> Endpoint:
        return cls("", name, addresses)

    @property
    def is_external(self) -> bool:
        return not self.namespace

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.namespace}/{self.name}"
        return f"{self.name}({self.addresses})" if self.name else str(self.addresses)


@dataclass(frozen=True, order=True)
class Connection:
    source: Endpoint
    destination: Endpoint
    ports: PortSet

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination}:{self.ports}"


def connection_order(c: Connection) -> tuple[object, ...]:
    """The order `Connection`'s own comparison gives (field by field, nested), as one flat tuple: sorting
    by it gives the same list without building tuples of dataclasses at every comparison."""
    s, d, p = c.source, c.destination, c.ports
    return (s.namespace, s.name, s.addresses.intervals, d.namespace, d.name, d.addresses.intervals, p.ranges,
            p.other_protocols)


def endpoint_of(peer: Workload | Cidr) -> Endpoint:
    if isinstance(peer, Cidr):
        return Endpoint.external(AddressSet.from_cidr(peer.cidr, peer.excepts), peer.name)
    return Endpoint.workload(peer.namespace, peer.name)


def declared_connections(flows: Iterable[Flow]) -> list[Connection]:
    """The traffic graph's flows as connections (what the policies must allow, exactly)."""
    return sorted(Connection(endpoint_of(f.source), endpoint_of(f.destination), PortSet.from_ports(f.ports))
                  for f in flows)


class AddressBook:
    """Names for address blocks, so `203.0.113.0/28` reads as `central-prod ingress(203.0.113.0/28)`."""

    def __init__(self, entries: Iterable[tuple[str, AddressSet]] = (), *, split: bool = True) -> None:
        #: split a set into the known blocks it contains (a picture); else name only exact matches (a finding)
        self.split = split
        self.entries: list[tuple[str, AddressSet]] = []
        seen: set[AddressSet] = set()
        for name, addresses in entries:  # the first name of a block wins
            if addresses and addresses not in seen:
                seen.add(addresses)
                self.entries.append((name, addresses))

    @classmethod
    def for_platform(cls, flows: Iterable[Flow] = (), inventory: ClusterInventory | None = None, *,
                     split: bool = True) -> AddressBook:
        entries: list[tuple[str, AddressSet]] = []
        for flow in flows:  # the graph's own names first (internet, vpc, central-litellm)
            for peer in (flow.source, flow.destination):
                if isinstance(peer, Cidr):
                    entries.append((peer.name, AddressSet.from_cidr(peer.cidr, peer.excepts)))
        for cluster in inventory.clusters if inventory is not None else ():
            entries += [(f"{cluster.name} ingress", AddressSet.from_cidr(c))
                        for c in cluster.capabilities.ingress.public_cidrs]
            entries += [(f"{cluster.name} data subnet", AddressSet.from_cidr(c)) for c in cluster.data_subnets]
            entries.append((f"{cluster.name} VPC", AddressSet.from_cidr(cluster.vpc_cidr)))
        return cls(entries, split=split)

    def endpoints(self, addresses: AddressSet) -> list[Endpoint]:
        """`addresses` as named blocks where whole known blocks fit, the remainder unnamed."""
        for name, known in self.entries:
            if known == addresses:
                return [Endpoint.external(addresses, name)]
        if not self.split:
            return [Endpoint.external(addresses)]
        out: list[Endpoint] = []
        rest = addresses
        for name, known in sorted(self.entries, key=lambda e: -sum(i[2] - i[1] + 1 for i in e[1].intervals)):
            if known.issubset(addresses) and known & rest:
                out.append(Endpoint.external(known, name))
                rest = rest - known
        if rest:
            out.append(Endpoint.external(rest))
        return out


INGRESS, EGRESS = "ingress", "egress"


class ConnectivityMap:
    """A set of allowed connections in a normal form that compares exactly.

    Workload pairs map to their ports; addresses are kept per workload and direction as
    (addresses, ports) pieces, which compare segment by segment however they were split.
    """

    def __init__(self, connections: Iterable[Connection] = ()) -> None:
        self.pairs: dict[tuple[Endpoint, Endpoint], PortSet] = {}
        self.external: dict[tuple[Endpoint, str], list[tuple[AddressSet, PortSet]]] = defaultdict(list)
        for connection in connections:
            self.add(connection)

    def add(self, connection: Connection) -> None:
        source, destination, ports = connection.source, connection.destination, connection.ports
        if not ports:
            return
        if source.is_external and destination.is_external:
            return  # outside the cluster on both ends: not something a NetworkPolicy governs
        if destination.is_external:
            self.external[(source, EGRESS)].append((destination.addresses, ports))
        elif source.is_external:
            self.external[(destination, INGRESS)].append((source.addresses, ports))
        else:
            key = (source, destination)
            self.pairs[key] = self.pairs.get(key, PortSet()) | ports

    def connections(self, book: AddressBook | None = None) -> list[Connection]:
        """Every connection, address blocks merged per port set (and named from `book`)."""
        return self.minus(ConnectivityMap(), book)

    def minus(self, other: ConnectivityMap, book: AddressBook | None = None) -> list[Connection]:
        """What this map allows and `other` does not, port by port and address by address."""
        book = book or AddressBook()
        out: list[Connection] = []
        for (source, destination), ports in self.pairs.items():
            left = ports - other.pairs.get((source, destination), PortSet())
            if left:
                out.append(Connection(source, destination, left))
        for (workload, direction), pieces in self.external.items():
            theirs = other.external.get((workload, direction), [])
            for addresses, ports in _difference(pieces, theirs):
                for endpoint in book.endpoints(addresses):
                    pair = (workload, endpoint) if direction == EGRESS else (endpoint, workload)
                    out.append(Connection(*pair, ports))
        return sorted(out, key=connection_order)


def _segments(pieces: Sequence[tuple[AddressSet, PortSet]]) -> list[Interval]:
    """The coarsest address intervals on which every piece is either wholly present or absent."""
    cuts: dict[int, set[int]] = defaultdict(set)
    for addresses, _ in pieces:
        for version, first, last in addresses.intervals:
            cuts[version].update((first, last + 1))
    out: list[Interval] = []
    for version, points in cuts.items():
        ordered = sorted(points)
        out.extend((version, a, b - 1) for a, b in itertools.pairwise(ordered))
    return out


def _ports_per_segment(pieces: Sequence[tuple[AddressSet, PortSet]], segments: Sequence[Interval]) -> list[PortSet]:
    """The ports the pieces allow on each segment (every piece's interval is a run of whole segments,
    since `_segments` cut at every end)."""
    index = {(version, first): i for i, (version, first, _) in enumerate(segments)}
    ports = [PortSet()] * len(segments)
    for addresses, piece_ports in pieces:
        for version, first, last in addresses.intervals:
            i = index[(version, first)]
            while i < len(segments) and segments[i][0] == version and segments[i][2] <= last:
                ports[i] = ports[i] | piece_ports
                i += 1
    return ports


def _difference(mine: Sequence[tuple[AddressSet, PortSet]],
                theirs: Sequence[tuple[AddressSet, PortSet]]) -> list[tuple[AddressSet, PortSet]]:
    grouped: dict[PortSet, list[Interval]] = defaultdict(list)
    segments = _segments([*mine, *theirs])
    for segment, have, taken in zip(segments, _ports_per_segment(mine, segments), _ports_per_segment(theirs, segments),
                                    strict=True):
        left = have - taken
        if left:
            grouped[left].append(segment)
    # ordered as (AddressSet, PortSet) pairs compare, field by field
    return sorted(((AddressSet.of(segments), ports) for ports, segments in grouped.items()),
                  key=lambda pair: (pair[0].intervals, pair[1].ranges, pair[1].other_protocols))


def connectivity_diff(before: Iterable[Connection],
                      after: Iterable[Connection], book: AddressBook | None = None) -> tuple[list[Connection],
                                                                                             list[Connection]]:
    """(added, removed): what `after` allows that `before` did not, and the reverse, by port and address."""
    old, new = ConnectivityMap(before), ConnectivityMap(after)
    return new.minus(old, book), old.minus(new, book)

"""Sets of (protocol, port) as NetworkPolicies express them, with exact set arithmetic.

A NetworkPolicy port rule names TCP, UDP or SCTP and a port or range; a rule without ports
allows every protocol, including ones without ports (ICMP). `PortSet` keeps both, so "all
connections" minus "TCP 443" is still something, never silently empty.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from genai_gitops.model.traffic import Port

PORT_PROTOCOLS = ("TCP", "UDP", "SCTP")
MIN_PORT, MAX_PORT = 1, 65535


def _merge(ranges: Iterable[tuple[str, int, int]]) -> tuple[tuple[str, int, int], ...]:
    merged: list[tuple[str, int, int]] = []
    for protocol, start, end in sorted(ranges):
        if merged and merged[-1][0] == protocol and start <= merged[-1][2] + 1:
            merged[-1] = (protocol, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((protocol, start, end))
    return tuple(merged)


@dataclass(frozen=True, order=True)
class PortSet:
    """Port ranges per protocol, plus whether port-less protocols (ICMP, ...) are included."""

    ranges: tuple[tuple[str, int, int], ...] = ()
    other_protocols: bool = False

    @classmethod
    def of(cls, ranges: Iterable[tuple[str, int, int]], *, other_protocols: bool = False) -> PortSet:
        return cls(_merge((p.upper(), s, e) for p, s, e in ranges), other_protocols)

    @classmethod
    def from_ports(cls, ports: Iterable[Port]) -> PortSet:
        return cls.of((p.protocol, p.number, p.number) for p in ports)

    @classmethod
    def everything(cls) -> PortSet:
        return cls.of(((p, MIN_PORT, MAX_PORT) for p in PORT_PROTOCOLS), other_protocols=True)

    @property
    def is_everything(self) -> bool:
        return self == PortSet.everything()

    def __bool__(self) -> bool:
        return bool(self.ranges) or self.other_protocols

    def __or__(self, other: PortSet) -> PortSet:
        if not other or self == other:
            return self
        return _union(self, other)

    def __sub__(self, other: PortSet) -> PortSet:
        if not other or not self:
            return self
        return _minus(self, other)

    def _union(self, other: PortSet) -> PortSet:
        return PortSet.of((*self.ranges, *other.ranges), other_protocols=self.other_protocols or other.other_protocols)

    def _minus(self, other: PortSet) -> PortSet:
        left: list[tuple[str, int, int]] = []
        for protocol, start, end in self.ranges:
            pieces = [(start, end)]
            for o_protocol, o_start, o_end in other.ranges:
                if o_protocol != protocol:
                    continue
                cut: list[tuple[int, int]] = []
                for a, b in pieces:
                    if o_end < a or o_start > b:
                        cut.append((a, b))
                        continue
                    if a < o_start:
                        cut.append((a, o_start - 1))
                    if o_end < b:
                        cut.append((o_end + 1, b))
                pieces = cut
            left.extend((protocol, a, b) for a, b in pieces)
        return PortSet.of(left, other_protocols=self.other_protocols and not other.other_protocols)

    def __and__(self, other: PortSet) -> PortSet:
        return self - (self - other)

    def __str__(self) -> str:
        """`443`, `6333-6334`, `53, 53/UDP`; `all` for every protocol and port."""
        if self.is_everything:
            return "all"
        parts = []
        for protocol, start, end in sorted(self.ranges, key=lambda r: (r[0] != "TCP", r[0], r[1])):
            if (start, end) == (MIN_PORT, MAX_PORT):
                parts.append(f"all {protocol} ports")
                continue
            span = str(start) if start == end else f"{start}-{end}"
            parts.append(span if protocol == "TCP" else f"{span}/{protocol}")
        if self.other_protocols:
            parts.append("other protocols")
        return ", ".join(parts) if parts else "none"


# the same few port sets meet again and again (every tenant's flows name the same ports): set operations on
# these immutable values are memoised
_union = functools.lru_cache(maxsize=8192)(PortSet._union)
_minus = functools.lru_cache(maxsize=8192)(PortSet._minus)

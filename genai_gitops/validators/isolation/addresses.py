"""Sets of IP addresses (NetworkPolicy ipBlocks) as merged intervals, with exact set arithmetic.

network-config-analyzer reports the addresses a pod may reach as disjoint ranges
(`0.0.0.0-9.255.255.255`); a declared flow names a CIDR with exceptions. Both become an
`AddressSet`, so they compare exactly, and a difference prints back as CIDRs a person can read.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Interval = tuple[int, int, int]  # (IP version, first address, last address)

_LAST = {4: (1 << 32) - 1, 6: (1 << 128) - 1}
_ANY = {4: "0.0.0.0/0", 6: "::/0"}


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for version, first, last in sorted(intervals):
        if merged and merged[-1][0] == version and first <= merged[-1][2] + 1:
            merged[-1] = (version, merged[-1][1], max(last, merged[-1][2]))
        else:
            merged.append((version, first, last))
    return tuple(merged)


def _network(cidr: str) -> Interval:
    net = ipaddress.ip_network(cidr.strip(), strict=False)
    return (net.version, int(net.network_address), int(net.broadcast_address))


@dataclass(frozen=True, order=True)
class AddressSet:
    intervals: tuple[Interval, ...] = ()

    @classmethod
    def of(cls, intervals: Iterable[Interval]) -> AddressSet:
        return cls(_merge(intervals))

    @classmethod
    def from_cidr(cls, cidr: str, excepts: Iterable[str] = ()) -> AddressSet:
        """An ipBlock: `cidr` minus every `except` entry. ValueError for text that is not a CIDR."""
        return _ip_block(cidr, tuple(excepts))

    @classmethod
    def everything(cls, version: int = 4) -> AddressSet:
        return cls(((version, 0, _LAST[version]),))

    @classmethod
    def parse(cls, text: str) -> AddressSet:
        """`10.0.0.0-10.0.255.255`, `10.0.0.0/16` or `10.0.0.1` (how network-config-analyzer prints addresses)."""
        text = text.strip()
        if "/" in text:
            return cls.of([_network(text)])
        first, _, last = text.partition("-")
        start = ipaddress.ip_address(first)
        end = ipaddress.ip_address(last) if last else start
        if start.version != end.version or int(end) < int(start):
            raise ValueError(f"{text!r} is not an address range")
        return cls(((start.version, int(start), int(end)),))

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def __or__(self, other: AddressSet) -> AddressSet:
        return AddressSet.of((*self.intervals, *other.intervals))

    def __sub__(self, other: AddressSet) -> AddressSet:
        left: list[Interval] = []
        for version, first, last in self.intervals:
            pieces = [(first, last)]
            for o_version, o_first, o_last in other.intervals:
                if o_version != version:
                    continue
                cut: list[tuple[int, int]] = []
                for a, b in pieces:
                    if o_last < a or o_first > b:
                        cut.append((a, b))
                        continue
                    if a < o_first:
                        cut.append((a, o_first - 1))
                    if o_last < b:
                        cut.append((o_last + 1, b))
                pieces = cut
            left.extend((version, a, b) for a, b in pieces)
        return AddressSet.of(left)

    def __and__(self, other: AddressSet) -> AddressSet:
        return self - (self - other)

    def issubset(self, other: AddressSet) -> bool:
        return not (self - other)

    def cidrs(self) -> list[str]:
        """The smallest list of CIDRs covering exactly this set."""
        out: list[str] = []
        for version, first, last in self.intervals:
            cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
            out.extend(str(n) for n in ipaddress.summarize_address_range(cls(first), cls(last)))
        return out

    def __str__(self) -> str:
        """CIDRs, or `0.0.0.0/0 except ...` when the exceptions are the shorter list."""
        parts: list[str] = []
        for version in (4, 6):
            mine = AddressSet(tuple(i for i in self.intervals if i[0] == version))
            if not mine:
                continue
            listed = mine.cidrs()
            missing = (AddressSet.everything(version) - mine).cidrs()
            if len(missing) + 1 < len(listed):
                parts.append(f"{_ANY[version]} except {', '.join(missing)}" if missing else _ANY[version])
            else:
                parts.append(", ".join(listed))
        return "; ".join(parts) if parts else "no addresses"


@functools.lru_cache(maxsize=4096)
def _ip_block(cidr: str, excepts: tuple[str, ...]) -> AddressSet:
    """Memoised: every tenant's flows name the same few blocks (the internet, the VPC, the ingress), and
    an AddressSet is immutable."""
    return AddressSet.of([_network(cidr)]) - AddressSet.of(_network(e) for e in excepts)

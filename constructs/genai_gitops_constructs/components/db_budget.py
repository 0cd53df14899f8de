"""The central PostgreSQL's connection budget: every client's pool is bounded, and the sum fits.

Each client declares the most connections it can hold (pool size x processes per pod x pods at full
scale); `check_connection_budget` refuses a stack whose sum, plus the superuser's reserved slots,
exceeds `max_connections`. A pool that scales with node cores (Prisma's default is cores x 2 + 1) is
bounded explicitly by its client construct, so the budget does not depend on the node type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: PostgreSQL's superuser_reserved_connections default
SUPERUSER_RESERVED = 3


@dataclass(frozen=True)
class PoolClaim:
    client: str
    #: connections one pod can open (pool size x pools x processes)
    per_pod: int
    #: pods at full scale (HPA maximum, fixed replicas, or 1 for a Job)
    max_pods: int
    #: how per_pod is bounded (the setting and the upstream file that reads it)
    bound: str

    @property
    def total(self) -> int:
        return self.per_pod * self.max_pods


def connection_total(claims: Sequence[PoolClaim]) -> int:
    return sum(claim.total for claim in claims)


def check_connection_budget(claims: Sequence[PoolClaim], max_connections: int) -> None:
    """ValueError listing every claim when the pools can together exceed the server's limit."""
    total = connection_total(claims) + SUPERUSER_RESERVED
    if total > max_connections:
        lines = "\n".join(f"  {c.client}: {c.per_pod} x {c.max_pods} = {c.total} ({c.bound})"
                          for c in sorted(claims, key=lambda c: -c.total))
        raise ValueError(
            f"PostgreSQL max_connections={max_connections} is below what the clients' pools can open at full "
            f"scale ({total}, {SUPERUSER_RESERVED} reserved for the superuser):\n{lines}\n"
            "Raise PostgresProps.max_connections or lower a pool size or replica maximum.")

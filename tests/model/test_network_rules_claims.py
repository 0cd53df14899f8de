"""ClaimedEndpoints finds overlaps by address: the same answer as a walk over every earlier claim."""

from __future__ import annotations

import random
from ipaddress import IPv4Network

from genai_gitops.model.network_rules import ClaimedEndpoints


def walk(taken: list[tuple[IPv4Network, str]], network: IPv4Network, file: str) -> str | None:
    """The straightforward rule: the first earlier claim of another file that overlaps."""
    return next((owner for net, owner in taken if net.overlaps(network) and owner != file), None)


def test_same_answers_as_a_walk_over_every_claim() -> None:
    rng = random.Random(15)
    checked = overlaps = 0
    for _ in range(40):
        claims, taken = ClaimedEndpoints(), []
        for _ in range(150):
            # a small address range, so nested, equal and disjoint networks all occur (and /0 and /32)
            prefix = rng.choice([0, 8, 16, 22, 24, 25, 26, 27, 28, 28, 29, 30, 31, 32, 32])
            address = rng.randrange(0x0A000000, 0x0A000400) if prefix else 0
            network = IPv4Network((address, prefix), strict=False)
            file = f"tenants/t{rng.randrange(12)}.yaml"
            expected = walk(taken, network, file)
            assert claims.first_other(network, file) == expected, (network, file)
            checked += 1
            overlaps += expected is not None
            claims.claim(network, file)
            taken.append((network, file))
    # sample size: 6,000 look-ups, most of them overlapping something
    assert checked == 6000 and overlaps > 1000


def test_the_earliest_claim_of_another_file_is_named() -> None:
    claims = ClaimedEndpoints()
    claims.claim(IPv4Network("10.0.0.0/24"), "a.yaml")
    claims.claim(IPv4Network("10.0.0.16/28"), "b.yaml")
    claims.claim(IPv4Network("10.0.0.16/28"), "c.yaml")
    assert claims.first_other(IPv4Network("10.0.0.16/30"), "a.yaml") == "b.yaml"
    assert claims.first_other(IPv4Network("10.0.0.0/16"), "b.yaml") == "a.yaml"
    assert claims.first_other(IPv4Network("10.0.0.0/24"), "a.yaml") == "b.yaml"
    assert claims.first_other(IPv4Network("10.0.1.0/24"), "z.yaml") is None

"""Hole 8, data side: the CIDRs of clusters.yaml are networks, inside the VPC, and wide only on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.conftest import load, problems_of, set_field

SHARED = "clusters[1]"
PUBLIC = f"{SHARED}.capabilities.ingress.public_cidrs"
CIDR_RULE = "is not an IPv4 network; write it as address/prefix with the host bits zero, e.g. '10.20.240.0/24'"


def wide(cidr: str, why: str, index: int = 0) -> str:
    return (f"clusters.yaml: {PUBLIC}[{index}]: {cidr!r} {why}; other clusters' tenants may send to these addresses, "
            "so list the load balancer's own addresses, or declare the decision: public_cidrs_exception: "
            f"{{cidrs: [{cidr}], reason: <why this range is safe>}}")


@pytest.mark.parametrize("cidr", ["10.60.200.1/24", "10.60.200.0", "10.60.200.0/33", "10.60.300.0/24",
                                  "::/0", "10.60.200.0/24 ", " 10.60.200.0/24", "10.60.200.0/024"])
def test_cidrs_are_strict_networks(own_data: Path, cidr: str) -> None:
    set_field(own_data / "clusters.yaml", f"{SHARED}.data_subnets[0]", cidr)
    (problem,) = problems_of(own_data)
    assert problem.startswith(f"clusters.yaml: {SHARED}.data_subnets[0]: {cidr!r} {CIDR_RULE}")


@pytest.mark.parametrize(("cidr", "message"), [
    ("0.0.0.0/0", "'0.0.0.0/0' is not inside vpc_cidr '10.60.0.0/16'; database egress is opened to it, so list only "
                  "subnets of this cluster's VPC"),
    ("10.0.0.0/8", "'10.0.0.0/8' is not inside vpc_cidr '10.60.0.0/16'; database egress is opened to it, so list "
                   "only subnets of this cluster's VPC"),
    ("10.50.200.0/24", "'10.50.200.0/24' is not inside vpc_cidr '10.60.0.0/16'; database egress is opened to it, so "
                       "list only subnets of this cluster's VPC"),
    ("10.60.0.0/16", "'10.60.0.0/16' is the whole VPC; pods have VPC addresses too (VPC CNI), so list only the "
                     "subnets of the managed data services"),
    ("10.60.201.128/25", "'10.60.201.128/25' overlaps data_subnets[1] '10.60.201.0/24'; list each subnet once"),
])
def test_data_subnets_lie_inside_the_vpc(own_data: Path, cidr: str, message: str) -> None:
    set_field(own_data / "clusters.yaml", f"{SHARED}.data_subnets", ["10.60.200.0/24", "10.60.201.0/24", cidr])
    assert problems_of(own_data) == [f"clusters.yaml: {SHARED}.data_subnets[2]: {message}"]


def test_vpc_must_be_private(own_data: Path) -> None:
    set_field(own_data / "clusters.yaml", f"{SHARED}.vpc_cidr", "100.64.0.0/16")
    set_field(own_data / "clusters.yaml", f"{SHARED}.data_subnets", ["100.64.200.0/24"])
    assert problems_of(own_data) == [
        f"clusters.yaml: {SHARED}.vpc_cidr: '100.64.0.0/16' is not inside a private range (10.0.0.0/8, "
        "172.16.0.0/12, 192.168.0.0/16); tenants' internet egress excludes only those, so pods at these addresses "
        "would count as internet"]


@pytest.mark.parametrize(("cidr", "why"), [
    ("0.0.0.0/0", "is the whole internet"),
    ("10.0.0.0/8", "overlaps the private range 10.0.0.0/8 (the clusters' own pods and services live there)"),
    ("8.0.0.0/6", "overlaps the private range 10.0.0.0/8 (the clusters' own pods and services live there)"),
    ("172.16.0.0/12", "overlaps the private range 172.16.0.0/12 (the clusters' own pods and services live there)"),
    ("192.168.10.0/24", "overlaps the private range 192.168.0.0/16 (the clusters' own pods and services live there)"),
    ("64.0.0.0/3", "is wider than /16"),
    ("198.18.0.0/15", "is wider than /16"),
])
def test_wide_public_cidrs_need_an_exception(own_data: Path, cidr: str, why: str) -> None:
    set_field(own_data / "clusters.yaml", PUBLIC, ["198.51.100.64/28", cidr])
    assert problems_of(own_data) == [wide(cidr, why, 1)]


@pytest.mark.parametrize(("cidr", "what"), [
    ("169.254.169.254/32", "is inside 169.254.0.0/16 (link-local, the metadata API)"),
    ("127.0.0.0/8", "is inside 127.0.0.0/8 (loopback)"),
    ("224.0.0.0/4", "is inside 224.0.0.0/4 (multicast)"),
])
def test_some_ranges_are_never_public(own_data: Path, cidr: str, what: str) -> None:
    set_field(own_data / "clusters.yaml", PUBLIC, [cidr])
    set_field(own_data / "clusters.yaml", f"{SHARED}.capabilities.ingress.public_cidrs_exception",
              {"cidrs": [cidr], "reason": "we really want this, says the platform team"})
    assert f"clusters.yaml: {PUBLIC}[0]: {cidr!r} {what}; no load balancer has such addresses, list its public " \
           "addresses" in problems_of(own_data)


def test_a_reasoned_exception_allows_a_wide_range(own_data: Path) -> None:
    set_field(own_data / "clusters.yaml", PUBLIC, ["10.60.250.0/28"])
    set_field(own_data / "clusters.yaml", f"{SHARED}.capabilities.ingress.public_cidrs_exception",
              {"cidrs": ["10.60.250.0/28"], "reason": "internal NLB reached over the transit gateway (INFRA-123)"})
    ingress = load(own_data).cluster("shared").capabilities.ingress
    assert ingress.public_cidrs_exception is not None
    assert ingress.public_cidrs_exception.reason == "internal NLB reached over the transit gateway (INFRA-123)"


@pytest.mark.parametrize(("exception", "expected"), [
    ({"cidrs": ["0.0.0.0/0"], "reason": ""},
     [f"clusters.yaml: {SHARED}.capabilities.ingress.public_cidrs_exception.reason: '' has 0 characters; "
      "use 10 to 500"]),
    ({"cidrs": ["0.0.0.0/0"]},
     [f"clusters.yaml: {SHARED}.capabilities.ingress.public_cidrs_exception.reason: required field is missing"]),
    ({"cidrs": ["0.0.0.0/0"], "reason": "because\nreasons, ok?"},
     [f"clusters.yaml: {SHARED}.capabilities.ingress.public_cidrs_exception.reason: 'because\\nreasons, ok?' "
      "contains control or invisible characters (U+000A); use one line of plain text"]),
    ({"cidrs": ["10.0.0.0/8"], "reason": "an exception for something else entirely"},
     [wide("0.0.0.0/0", "is the whole internet"),
      f"clusters.yaml: {SHARED}.capabilities.ingress.public_cidrs_exception.cidrs[0]: '10.0.0.0/8' is not in "
      "public_cidrs; remove it from the exception"]),
])
def test_exception_must_be_reasoned_and_exact(own_data: Path, exception: dict, expected: list[str]) -> None:
    set_field(own_data / "clusters.yaml", PUBLIC, ["0.0.0.0/0"])
    set_field(own_data / "clusters.yaml", f"{SHARED}.capabilities.ingress.public_cidrs_exception", exception)
    assert problems_of(own_data) == expected


def test_exception_for_a_narrow_range_is_stale(own_data: Path) -> None:
    set_field(own_data / "clusters.yaml", f"{SHARED}.capabilities.ingress.public_cidrs_exception",
              {"cidrs": ["198.51.100.64/28"], "reason": "left over from the migration to the new NLB"})
    assert problems_of(own_data) == [
        f"clusters.yaml: {SHARED}.capabilities.ingress.public_cidrs_exception.cidrs[0]: '198.51.100.64/28' needs no "
        "exception (a narrow public range); remove it from the exception"]

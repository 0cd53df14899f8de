"""Ports, addresses, selectors and connectivity maps: the exact set arithmetic the comparisons rely on."""

from __future__ import annotations

import pytest

from genai_gitops.model.traffic import Cidr, Flow, Port, Workload
from genai_gitops.validators.isolation.addresses import AddressSet
from genai_gitops.validators.isolation.connectivity import (
    AddressBook,
    Connection,
    ConnectivityMap,
    Endpoint,
    connectivity_diff,
    declared_connections,
)
from genai_gitops.validators.isolation.ports import PortSet
from genai_gitops.validators.isolation.selectors import selector_matches, selector_witness

PRIVATE = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


def tcp(*ports: int) -> PortSet:
    return PortSet.of(("TCP", p, p) for p in ports)


def test_port_sets() -> None:
    assert PortSet.of([("TCP", 6379, 6390)]) - tcp(6379) == PortSet.of([("TCP", 6380, 6390)])
    assert str(PortSet.from_ports([Port(53, "UDP"), Port(53)])) == "53, 53/UDP"
    assert str(PortSet.everything()) == "all"
    assert str(PortSet.everything() - tcp(22)) == "1-21, 23-65535, all SCTP ports, all UDP ports, other protocols"
    assert not (tcp(443) - PortSet.everything())
    assert tcp(80, 81, 82) == PortSet.of([("TCP", 80, 82)])
    assert (tcp(80, 443) & tcp(443, 8080)) == tcp(443)


def test_address_sets() -> None:
    internet = AddressSet.from_cidr("0.0.0.0/0", PRIVATE)
    assert str(internet) == "0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"
    ranges = [AddressSet.parse(r) for r in ("0.0.0.0-9.255.255.255", "11.0.0.0-172.15.255.255",
                                            "172.32.0.0-192.167.255.255", "192.169.0.0-255.255.255.255")]
    union = AddressSet()
    for block in ranges:
        union = union | block
    assert union == internet
    assert AddressSet.from_cidr("203.0.113.0/28").issubset(internet)
    assert AddressSet.from_cidr("10.20.0.0/16").cidrs() == ["10.20.0.0/16"]
    with pytest.raises(ValueError):
        AddressSet.from_cidr("10.0.0.0/33")


@pytest.mark.parametrize(("selector", "labels", "expected"), [
    ({}, {"a": "1"}, True),
    (None, {}, True),
    ({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"}, True),
    ({"matchLabels": {"app": "web"}}, {"app": "db"}, False),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["a", "b"]}]}, {"app": "b"}, True),
    ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["a"]}]}, {}, True),
    ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {}, False),
    ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {"app": "x"}, False),
    ({"matchExpressions": [{"key": "app", "operator": "Sometimes"}]}, {"app": "x"}, False),
])
def test_selector_matches(selector: dict | None, labels: dict[str, str], expected: bool) -> None:
    assert selector_matches(selector, labels) is expected


@pytest.mark.parametrize("selector", [
    {"matchLabels": {"app": "web"}},
    {"matchExpressions": [{"key": "tier", "operator": "Exists"}, {"key": "tier", "operator": "In", "values": ["b"]}]},
    {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["x"]},
                          {"key": "debug", "operator": "DoesNotExist"}]},
])
def test_selector_witness_is_selected(selector: dict) -> None:
    witness = selector_witness(selector)
    assert witness is not None and selector_matches(selector, witness)


def test_unsatisfiable_selector_has_no_witness() -> None:
    assert selector_witness({"matchLabels": {"app": "a"},
                             "matchExpressions": [{"key": "app", "operator": "In", "values": ["b"]}]}) is None


WEB, DB = Endpoint("tenant-a", "web"), Endpoint("tenant-a", "db")


def test_address_pieces_compare_however_they_were_split() -> None:
    declared = ConnectivityMap(declared_connections([
        Flow(Workload("tenant-a", "web"), Cidr("internet", "0.0.0.0/0", (*PRIVATE, "203.0.113.0/28")), (Port(443),)),
        Flow(Workload("tenant-a", "web"), Cidr("central-litellm", "203.0.113.0/28"), (Port(443),)),
    ]))
    # nca reports the union in pieces split wherever another rule's block begins or ends
    actual = ConnectivityMap(Connection(WEB, Endpoint.external(AddressSet.parse(r)), tcp(443)) for r in (
        "0.0.0.0-9.255.255.255", "11.0.0.0-172.15.255.255", "172.32.0.0-192.167.255.255",
        "192.169.0.0-255.255.255.255"))
    assert actual.minus(declared) == [] and declared.minus(actual) == []
    wider = ConnectivityMap([*actual.connections(), Connection(WEB, Endpoint.external(
        AddressSet.from_cidr("10.20.0.0/16")), tcp(443, 5432))])
    book = AddressBook([("vpc", AddressSet.from_cidr("10.20.0.0/16"))], split=False)
    assert [str(c) for c in wider.minus(declared, book)] == ["tenant-a/web -> vpc(10.20.0.0/16):443, 5432"]


def test_connectivity_diff() -> None:
    before = [Connection(WEB, DB, tcp(5432)), Connection(DB, WEB, tcp(8080))]
    after = [Connection(WEB, DB, tcp(5432, 5433))]
    added, removed = connectivity_diff(before, after)
    assert added == [Connection(WEB, DB, tcp(5433))]
    assert removed == [Connection(DB, WEB, tcp(8080))]
    assert connectivity_diff(after, after) == ([], [])


def test_address_book_splits_a_picture_into_known_blocks() -> None:
    internet = AddressSet.from_cidr("0.0.0.0/0", (*PRIVATE, "203.0.113.0/28"))
    central = AddressSet.from_cidr("203.0.113.0/28")
    book = AddressBook([("internet", internet), ("central-litellm", central)])
    assert book.endpoints(internet | central) == [Endpoint.external(internet, "internet"),
                                                  Endpoint.external(central, "central-litellm")]
    assert AddressBook([("internet", internet)], split=False).endpoints(internet | central) == [
        Endpoint.external(internet | central)]

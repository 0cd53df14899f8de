"""Running nca in-process and reading its output back."""

from __future__ import annotations

import os
import subprocess

import pytest

from genai_gitops.validators.isolation.addresses import AddressSet
from genai_gitops.validators.isolation.analysis import (
    AnalysisError,
    analyse,
    parse_captured,
    parse_connectivity,
    parse_ports,
)
from genai_gitops.validators.isolation.connectivity import Connection, Endpoint
from genai_gitops.validators.isolation.ports import PortSet
from genai_gitops.validators.isolation.workspace import NamespaceStandIn, PodStandIn, PolicyDocument, Workspace


def tcp(*ports: int) -> PortSet:
    return PortSet.of(("TCP", p, p) for p in ports)


@pytest.mark.parametrize(("text", "expected"), [
    ("All connections", PortSet.everything()),
    ("{protocols:TCP,dst_ports:6379}", tcp(6379)),
    ("{protocols:TCP,dst_ports:6333-6334}", PortSet.of([("TCP", 6333, 6334)])),
    ("{protocols:TCP, UDP,dst_ports:53}", PortSet.of([("TCP", 53, 53), ("UDP", 53, 53)])),
    ("{protocols:TCP,dst_ports:80,443-445}", PortSet.of([("TCP", 80, 80), ("TCP", 443, 445)])),
    ("{protocols:TCP,dst_ports:443},{protocols:UDP,dst_ports:53}", PortSet.of([("TCP", 443, 443), ("UDP", 53, 53)])),
    ("{protocols:SCTP}", PortSet.of([("SCTP", 1, 65535)])),
    ("All but {protocols:TCP,dst_ports:22}", PortSet.everything() - tcp(22)),
])
def test_connections_as_nca_prints_them(text: str, expected: PortSet) -> None:
    assert parse_ports(text) == expected


@pytest.mark.parametrize("text", ["{methods:GET}", "some ports", "{protocols:TCP,dst_ports:1} trailing"])
def test_connections_not_understood_are_an_error_not_a_guess(text: str) -> None:
    with pytest.raises(AnalysisError, match=r"network-config-analyzer output|not supported"):
        parse_ports(text)


def test_connectivity_lines_become_connections() -> None:
    text = "\n".join([
        "tenant-a/web => tenant-a/db : {protocols:TCP,dst_ports:5432}",
        "tenant-a/web[Pod] => 0.0.0.0-9.255.255.255 : {protocols:TCP,dst_ports:443}",
        "10.0.0.0-10.0.255.255 => tenant-a/web : All connections",
    ])
    assert parse_connectivity(text) == [
        Connection(Endpoint("tenant-a", "web"), Endpoint("tenant-a", "db"), tcp(5432)),
        Connection(Endpoint("tenant-a", "web"), Endpoint.external(AddressSet.parse("0.0.0.0-9.255.255.255")),
                   tcp(443)),
        Connection(Endpoint.external(AddressSet.from_cidr("10.0.0.0/16")), Endpoint("tenant-a", "web"),
                   PortSet.everything()),
    ]


def test_uncaptured_pods_from_the_json_of_all_captured() -> None:
    results = [{"query": "captured", "explanation": [
        {"description": "workload resources that are not captured by any K8s_Calico policy that affects ingress",
         "pods": ["tenant-a/web(Pod)", "monitoring/prometheus(Pod)"]},
        {"description": "workload resources that are not captured by any K8s_Calico policy that affects egress",
         "pods": ["tenant-a/db(Pod)"]}]}]
    assert parse_captured(results) == ({("tenant-a", "web"), ("monitoring", "prometheus")}, {("tenant-a", "db")})


def _workspace(policies: tuple[PolicyDocument, ...]) -> Workspace:
    return Workspace(
        namespace="tenant-a",
        namespaces=(NamespaceStandIn("other", (("kubernetes.io/metadata.name", "other"),)),
                    NamespaceStandIn("tenant-a", (("kubernetes.io/metadata.name", "tenant-a"),))),
        pods=(PodStandIn("other", "client", (("app", "client"),)),
              PodStandIn("tenant-a", "db", (("app", "db"),), (("sql", 5432, "TCP"),)),
              PodStandIn("tenant-a", "web", (("app", "web"),))),
        policies=policies)


DENY = PolicyDocument("tenant-a", "default-deny", '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",'
                      '"metadata":{"name":"default-deny","namespace":"tenant-a"},'
                      '"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}}')
# a named port: resolved by nca against the db pod's container ports
WEB_TO_DB = PolicyDocument("tenant-a", "web-to-db", '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",'
                           '"metadata":{"name":"web-to-db","namespace":"tenant-a"},"spec":{"podSelector":{},'
                           '"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"web"}}}],"ports":[{"port":"sql"}]}],'
                           '"egress":[{"to":[{"podSelector":{"matchLabels":{"app":"db"}}}],"ports":[{"port":5432}]}]}}')


def test_analyse_a_small_workspace() -> None:
    analysis = analyse(_workspace((DENY, WEB_TO_DB)))
    assert analysis.error == ""
    assert analysis.connections == (Connection(Endpoint("tenant-a", "web"), Endpoint("tenant-a", "db"), tcp(5432)),)
    assert (analysis.uncaptured_ingress, analysis.uncaptured_egress) == ((), ())


def test_without_policies_every_pod_is_open_and_uncaptured() -> None:
    analysis = analyse(_workspace(()))
    assert analysis.uncaptured_ingress == analysis.uncaptured_egress == ("db", "web")
    assert Connection(Endpoint("other", "client"), Endpoint("tenant-a", "web"), PortSet.everything()) \
        in analysis.connections


def test_nca_never_reaches_for_a_live_cluster_and_leaves_path_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"nca started a process: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_processes)
    before = os.environ.get("PATH")
    analysis = analyse(_workspace((DENY,)))
    assert analysis.error == ""
    assert os.environ.get("PATH") == before


def test_a_policy_nca_rejects_is_an_error_of_that_workspace(capfd: pytest.CaptureFixture[str]) -> None:
    broken = PolicyDocument("tenant-a", "broken", '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",'
                            '"metadata":{"name":"broken","namespace":"tenant-a"},'
                            '"spec":{"podSelector":{},"policyTypes":["Sideways"]}}')
    analysis = analyse(_workspace((broken,)))
    assert analysis.error.startswith("network-config-analyzer exited with 7")
    assert "Sideways" in analysis.error or "policyTypes" in analysis.error
    assert capfd.readouterr() == ("", "")  # nothing leaks to the terminal


def test_workspace_is_a_cache_key() -> None:
    one, two = _workspace((DENY, WEB_TO_DB)), _workspace((DENY, WEB_TO_DB))
    assert hash(one) == hash(two) and one == two
    assert one.fingerprint() == two.fingerprint()
    assert one.fingerprint() != _workspace((DENY,)).fingerprint()


def test_analysis_round_trips_through_json_for_a_cache() -> None:
    import json

    from genai_gitops.validators.isolation.analysis import NamespaceAnalysis

    analysis = analyse(_workspace(()))
    assert NamespaceAnalysis.from_dict(json.loads(json.dumps(analysis.to_dict()))) == analysis

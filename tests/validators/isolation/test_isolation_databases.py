"""Hole 8: each tenant's database egress is its own endpoints (proven), or shared reachability is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from isolation_fixtures import cluster_target, isolation
from own_platform import CLUSTER, own_platform, synthesised

from genai_gitops.model.loader import Platform


def _platform(tmp_path: Path, endpoints: dict[str, list[str]]) -> Platform:
    return own_platform(tmp_path / "data", endpoints)


def _run(tmp_path: Path, endpoints: dict[str, list[str]]) -> tuple[Path, list]:
    platform, folder = synthesised(tmp_path, endpoints)
    return folder, isolation(cluster_target(folder, platform, CLUSTER))


def _warning(me: str, other: str, subnet: str) -> str:
    return (f"tenant {me} shares data subnet {subnet} of cluster shared with tenant {other}: tenant-{me}/open-webui "
            f"may connect to any database there on port 5432, {other}'s included; set database_endpoints in {me}'s "
            "tenant file to its own database's addresses")


def test_tenants_sharing_data_subnets_are_reported(tmp_path: Path) -> None:
    folder, findings = _run(tmp_path, {})
    policy = "tenant-{}-guardrails/NetworkPolicy-allow-open-webui.yaml"
    assert sorted((f.severity.value, f.rule, f.file, f.kind, f.name, f.message) for f in findings) == sorted(
        ("warning", "shared-database-subnet", str(folder / policy.format(me)), "NetworkPolicy", "allow-open-webui",
         _warning(me, other, subnet))
        for me, other in (("alpha", "beta"), ("beta", "alpha"))
        for subnet in ("10.60.200.0/24", "10.60.201.0/24"))


def test_own_endpoints_confine_database_egress(tmp_path: Path) -> None:
    folder, findings = _run(tmp_path, {"alpha": ["10.60.200.16/28"], "beta": ["10.60.201.10/32", "10.60.201.11/32"]})
    assert findings == []
    for tenant, cidrs in (("alpha", ["10.60.200.16/28"]), ("beta", ["10.60.201.10/32", "10.60.201.11/32"])):
        policy = yaml.safe_load((folder / f"tenant-{tenant}-guardrails/NetworkPolicy-allow-open-webui.yaml")
                                .read_text())
        database = [peer["ipBlock"]["cidr"] for rule in policy["spec"]["egress"] for peer in rule["to"]
                    if rule["ports"] == [{"port": 5432, "protocol": "TCP"}]]
        assert database == cidrs


def test_only_the_tenant_without_endpoints_is_reported(tmp_path: Path) -> None:
    _, findings = _run(tmp_path, {"alpha": ["10.60.200.16/28"]})
    # alpha's databases are in 10.60.200.0/24 only: beta's reach into 10.60.201.0/24 touches nobody else's
    assert [(f.rule, f.name, f.namespace, f.message) for f in findings] == [
        ("shared-database-subnet", "allow-open-webui", "tenant-beta", _warning("beta", "alpha", "10.60.200.0/24"))]


def test_a_hand_widened_database_rule_is_undeclared(tmp_path: Path) -> None:
    folder, _ = _run(tmp_path, {"alpha": ["10.60.200.16/28"], "beta": ["10.60.201.0/28"]})
    path = folder / "tenant-alpha-guardrails/NetworkPolicy-allow-open-webui.yaml"
    path.write_text(path.read_text().replace("cidr: 10.60.200.16/28", "cidr: 10.60.200.0/23"))
    platform = _platform(tmp_path / "again", {"alpha": ["10.60.200.16/28"], "beta": ["10.60.201.0/28"]})
    findings = isolation(cluster_target(folder, platform, CLUSTER))
    assert [(f.rule, f.name) for f in findings] == [("undeclared-flow", "allow-open-webui")]
    assert findings[0].message.startswith("tenant-alpha/open-webui -> ")
    assert ":5432 allowed by NetworkPolicy tenant-alpha/allow-open-webui; it is not in the declared traffic graph " \
           "of tenant alpha" in findings[0].message


@pytest.mark.parametrize(("endpoints", "expected"), [
    ({"alpha": ["10.60.202.0/28"]},
     ["tenants/alpha.yaml: database_endpoints[0]: '10.60.202.0/28' is not inside a data subnet of cluster shared "
      "(10.60.200.0/24, 10.60.201.0/24); list the addresses of the tenant's own database there"]),
    ({"alpha": ["10.60.200.0/28"], "beta": ["10.60.200.8/29"]},
     ["tenants/beta.yaml: database_endpoints[0]: '10.60.200.8/29' overlaps the database endpoints of "
      "tenants/alpha.yaml; each tenant's databases need addresses of their own (a separate subnet block or "
      "instance)"]),
    ({"alpha": ["10.60.200.7/28"]},
     ["tenants/alpha.yaml: database_endpoints[0]: '10.60.200.7/28' is not an IPv4 network; write it as "
      "address/prefix with the host bits zero, e.g. '10.20.240.0/24' (10.60.200.7/28 has host bits set)"]),
])
def test_endpoint_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endpoints: dict, expected: list[str]) -> None:
    from genai_gitops.model import ModelError

    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path / "data")  # messages name files relative to the working directory
    with pytest.raises(ModelError) as info:
        _platform(tmp_path, endpoints)
    assert [str(p) for p in info.value.problems] == expected


def test_many_sharing_tenants_are_listed_once(tmp_path: Path) -> None:
    from genai_gitops.model.traffic import tenant_flows
    from genai_gitops.validators.isolation.databases import shared_database_findings
    from genai_gitops.validators.isolation.workspace import TenantWorkspace, Workspace

    platform = _platform(tmp_path, {})
    alpha = platform.tenants[0]
    # eight tenants on one cluster (data only: the warning reads the declared flows)
    tenants = [alpha.model_copy(update={"id": f"t{i}"}) for i in range(8)]
    subjects = [TenantWorkspace(workspace=Workspace(t.namespace, (), (), ()), tenant=t.id, spec=t,
                                declared=tuple(tenant_flows(t, platform.inventory))) for t in tenants]
    messages = [f.message for f in shared_database_findings(subjects) if f.name == "tenant-t0"]
    assert messages == [
        f"tenant t0 shares data subnet {subnet} of cluster shared with tenants t1, t2, t3, t4, t5 and 2 more: "
        "tenant-t0/open-webui may connect to any database there on port 5432, theirs included; set "
        "database_endpoints in t0's tenant file to its own database's addresses"
        for subnet in ("10.60.200.0/24", "10.60.201.0/24")]

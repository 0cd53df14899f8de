"""Defect 8: findings on generated guardrails name the tenant field that shaped them, and keep the object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genai_gitops.cli import main
from genai_gitops.model import load_platform
from genai_gitops.model.scaffold import tenant_yaml
from genai_gitops.model.tenant import UsageMode
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.sources import field_of, map_to_tenants
from genai_gitops.synth import synthesize_platform
from tests.conftest import copy_fixture_data

REPO = Path(__file__).resolve().parents[2]


def finding(kind: str, rule: str, message: str, *, validator: str = "capacity",
            namespace: str = "tenant-acme") -> Finding:
    return Finding(file="dist/eu-1/x.yaml", line=1, api_version="v1", kind=kind, namespace=namespace, name="n",
                   validator=validator, rule=rule, severity=Severity.ERROR, message=message)


@pytest.mark.parametrize(("kind", "rule", "message", "field"), [
    ("ResourceQuota", "quota-exceeded", "limits.cpu: worst case 18 exceeds quota 16", "quotas.cpu"),
    ("ResourceQuota", "quota-exceeded-at-hpa-max", "requests.memory: worst case 40Gi exceeds quota 32Gi",
     "quotas.memory"),
    ("ResourceQuota", "quota-exceeded", "requests.storage: worst case 1Ti exceeds quota 100Gi", "quotas.storage"),
    ("ResourceQuota", "quota-exceeded", "requests.nvidia.com/gpu: worst case 2 exceeds quota 1", "quotas.gpu"),
    ("ResourceQuota", "quota-exceeded", "pods: worst case 60 exceeds quota 50", ""),  # fixed by the platform
    ("Deployment", "limitrange-violation", 'container "a": limits.cpu 20 exceeds the LimitRange tenant-limits '
                                           "maximum 16 per Container; lower it or raise the LimitRange max",
     "quotas.cpu"),
    ("Deployment", "limitrange-violation", 'container "a": requests.cpu 1m is below the LimitRange tenant-limits '
                                           "minimum 10m per Container; raise it", ""),
    ("Deployment", "gpu-without-gpu-pool", "requests 1 nvidia.com/gpu; cluster eu-1 has no GPU node pool",
     "quotas.gpu"),
])
def test_the_field_a_guardrail_finding_is_about(kind: str, rule: str, message: str, field: str) -> None:
    assert field_of(finding(kind, rule, message)) == field


def test_an_mcp_server_image_maps_to_its_entry() -> None:
    image = finding("Deployment", "K8sTrustedImages/trusted-images", 'container "mcp-wiki" image "wiki:latest" '
                    'uses the mutable tag "latest"', validator="policy")
    image = replace_namespace(image, "tenant-acme")
    from dataclasses import replace

    image = replace(image, name="mcp-wiki")
    [mapped] = map_to_tenants([image], {"tenant-acme": "tenants/acme.yaml"},
                              {"tenant-acme": ["mcp-jira", "mcp-wiki"]})
    assert mapped.source == "tenants/acme.yaml: mcp_servers[1].image"
    assert field_of(replace(image, name="open-webui"), ["mcp-jira", "mcp-wiki"]) == ""


def test_only_tenant_namespaces_map_and_the_object_is_kept() -> None:
    mine = finding("Deployment", "limitrange-violation", 'container "a": limits.memory 80Gi exceeds the LimitRange '
                   "tenant-limits maximum 64Gi per Container; lower it or raise the LimitRange max")
    platform = replace_namespace(mine, "monitoring")
    mapped, untouched = map_to_tenants([mine, platform], {"tenant-acme": "tenants/acme.yaml"})
    assert mapped.source == "tenants/acme.yaml: quotas.memory"
    assert mapped.message == ('container "a": limits.memory 80Gi exceeds the LimitRange tenant-limits maximum 64Gi '
                              "per Container; lower it or raise quotas.memory in tenants/acme.yaml")
    assert (mapped.file, mapped.line, mapped.kind, mapped.name) == (mine.file, mine.line, mine.kind, mine.name)
    assert untouched == platform


def replace_namespace(item: Finding, namespace: str) -> Finding:
    from dataclasses import replace

    return replace(item, namespace=namespace)


@pytest.fixture()
def small_tenant_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose new tenant asks for 6Gi of memory: too little for its own Ollama."""
    copy_fixture_data(tmp_path)  # the frozen fixture data, never the committed tenants
    cluster = load_platform(tmp_path / "tenants", tmp_path / "clusters.yaml").inventory.by_name()["customer-eu-1"]
    text = tenant_yaml("umbrella", cluster, UsageMode.LOCAL).replace("memory: 32Gi", "memory: 6Gi")
    (tmp_path / "tenants" / "umbrella.yaml").write_text(text)
    synthesize_platform(load_platform(tmp_path / "tenants", tmp_path / "clusters.yaml"), tmp_path / "dist",
                        clusters=["customer-eu-1"])
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_points_a_quota_that_does_not_fit_at_the_tenant_file(small_tenant_repo: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--only", "capacity", "--no-drift", "--no-cache", "--output", "json"]) == 1
    found = [(f["file"], f["kind"], f["rule"], f["source"], f["message"])
             for f in json.loads(capsys.readouterr().out)["findings"]]
    quota = "dist/customer-eu-1/tenant-umbrella-guardrails/ResourceQuota-tenant-quota.yaml"
    ollama = "dist/customer-eu-1/tenant-umbrella/Deployment-ollama.yaml"
    edit = "tenants/umbrella.yaml: quotas.memory"
    assert found == [
        (quota, "ResourceQuota", "quota-exceeded", edit,
         "limits.memory: worst case 28.75Gi (at HPA max, with surge) exceeds quota 6Gi; largest: Deployment ollama "
         "16Gi (1 pod), Deployment open-webui 8Gi (4 pods), StatefulSet qdrant 4Gi (1 pod); lower replicas or "
         "requests, or raise quotas.memory in tenants/umbrella.yaml"),
        (quota, "ResourceQuota", "quota-exceeded", edit,
         "requests.memory: worst case 13.38Gi (at HPA max, with surge) exceeds quota 6Gi; largest: Deployment ollama "
         "8Gi (1 pod), Deployment open-webui 4Gi (4 pods), StatefulSet qdrant 1Gi (1 pod); lower replicas or "
         "requests, or raise quotas.memory in tenants/umbrella.yaml"),
        (ollama, "Deployment", "limitrange-violation", edit,
         'container "ollama": limits.memory 16Gi exceeds the LimitRange tenant-limits maximum 6Gi per Container; '
         "lower it or raise quotas.memory in tenants/umbrella.yaml"),
        (ollama, "Deployment", "limitrange-violation", edit,
         'container "ollama": requests.memory 8Gi exceeds the LimitRange tenant-limits maximum 6Gi per Container; '
         "lower it or raise quotas.memory in tenants/umbrella.yaml"),
    ]
    assert main(["check", "--only", "capacity", "--no-drift", "--no-cache"]) == 1
    text = capsys.readouterr().out
    assert "LimitRange max" not in text
    assert "\n     edit tenants/umbrella.yaml: quotas.memory\n" in text


SUPPRESSIONS = """\
suppressions:
  - rule: capacity/limitrange-violation
    field: quotas.memory
    reason: Ollama is sized for the pilot's larger nodes (PLAT-9)
  - {rule: capacity/quota-exceeded, reason: " "}
  - {rule: isolation/cross-tenant-flow, reason: shared cache}
  - {rule: capacity/nope, reason: typo}
  - {rule: capacity/gpu-without-gpu-pool, reason: nothing to silence}
  - {rule: refs/missing-secret, reason: refs does not run here}
"""


def test_tenant_suppressions_with_a_field_and_a_reason(small_tenant_repo: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    tenant = small_tenant_repo / "tenants" / "umbrella.yaml"
    tenant.write_text(tenant.read_text() + SUPPRESSIONS)
    assert main(["check", "--only", "capacity", "--no-drift", "--no-cache", "--output", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    found = [(f["file"].rsplit("/", 1)[-1], f["rule"], f["severity"], f["suppressed"], f["message"])
             for f in data["findings"]]
    pilot = "Ollama is sized for the pilot's larger nodes (PLAT-9)"
    assert [f[:4] for f in found if f[1] != "quota-exceeded"] == [
        ("Deployment-ollama.yaml", "limitrange-violation", "error", pilot),
        ("Deployment-ollama.yaml", "limitrange-violation", "error", pilot),
        ("umbrella.yaml", "missing-reason", "error", ""),
        ("umbrella.yaml", "not-suppressible", "error", ""),
        ("umbrella.yaml", "unknown-rule", "error", ""),
        ("umbrella.yaml", "unused", "warning", ""),
    ]
    assert [f[4] for f in found if f[0] == "umbrella.yaml"] == [
        "suppressions[1] (capacity/quota-exceeded): no reason; say why the finding does not apply in `reason:`",
        "suppressions[2] (isolation/cross-tenant-flow): this rule cannot be suppressed (it protects every tenant); "
        "fix the finding instead",
        "suppressions[3] (capacity/nope): no such rule; `genai-gitops rules list` shows the ids",
        "suppressions[4] (capacity/gpu-without-gpu-pool): suppresses nothing: the rule reports no finding here; "
        "remove the entry",
    ]
    assert [f[3] for f in found if f[1] == "quota-exceeded"] == ["", ""]
    summary = data["summary"]
    assert (summary["errors"], summary["warnings"], summary["suppressed"]) == (5, 1, 2)
    assert main(["check", "--only", "capacity", "--no-drift", "--no-cache", "--output", "junit"]) == 1
    import xml.etree.ElementTree as ET

    root = ET.fromstring(capsys.readouterr().out.encode())
    data = root.find("testsuite[@name='data']")
    assert data is not None
    names = [c.get("name") for c in data.findall("testcase")]
    assert names[0] == "clusters.yaml" and "tenants/umbrella.yaml" in names and len(names) == 5
    failing = [c.get("name") for c in data.findall("testcase") if c.find("failure") is not None]
    assert failing == ["tenants/umbrella.yaml"]
    capacity = root.find("testsuite[@name='capacity']")
    assert capacity is not None and int(capacity.get("tests", "0")) > 90  # one case per object of customer-eu-1


def test_the_checks_sarif_is_valid_and_points_at_the_tenant_file(small_tenant_repo: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema_rs

    from tests.report.writers.test_sarif_writer import SCHEMA, multitool_warnings

    assert main(["check", "--only", "capacity", "--no-drift", "--no-cache", "--output", "sarif"]) == 1
    data = json.loads(capsys.readouterr().out)
    jsonschema_rs.validator_for(SCHEMA).validate(data)
    assert multitool_warnings(data) == []
    [run] = data["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["capacity/limitrange-violation",
                                                                 "capacity/quota-exceeded"]
    assert {r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {
        "tenants/umbrella.yaml"}


def test_a_cached_check_reports_the_same_cases(small_tenant_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    def cases() -> list[tuple[str | None, str | None, bool]]:
        assert main(["check", "--only", "capacity", "--no-drift", "--output", "junit"]) == 1
        root = ET.fromstring(capsys.readouterr().out.encode())
        return [(c.get("classname"), c.get("name"), c.find("failure") is not None) for c in root.iter("testcase")]

    first, second = cases(), cases()  # the second is answered from the cache
    assert len(first) > 90 and second == first

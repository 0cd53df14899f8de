"""SARIF 2.1.0 for GitHub code scanning, checked against the OASIS schema (errata01, vendored as a fixture)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from genai_gitops import __version__
from genai_gitops.report.finding import Severity
from genai_gitops.report.rules import RuleRegistry
from genai_gitops.report.run import Report
from genai_gitops.report.writers import WriterOptions, get_writer
from genai_gitops.report.writers.sarif import docs_url

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "sarif-schema-2.1.0.json").read_text())
DOCS = "https://github.example/acme/platform/blob/abc123/docs/rules.md"


def render(report: Report, root: Path, rules: RuleRegistry | None = None) -> dict[str, Any]:
    data = json.loads(get_writer("sarif", WriterOptions(root=root, docs_url=DOCS, rules=rules)).render(report))
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    jsonschema_rs.validator_for(SCHEMA, validate_formats=True).validate(data)
    return data


def multitool_warnings(data: dict[str, Any]) -> list[str]:
    """The SARIF Multitool rules issue 14 names, as the SDK (microsoft/sarif-sdk) checks them; the tool
    is .NET, so the checks are restated here: SARIF1001 a rule's `name` must not equal its `id`
    (case-insensitively); SARIF2005 the driver has a name of at most three words, a version starting
    with a digit and an `informationUri`; GH2012 every rule has `shortDescription`, `fullDescription`
    and `help.text`; and (SARIF2012) a `helpUri`."""
    out = []
    for run in data["runs"]:
        driver = run["tool"]["driver"]
        if len(driver["name"].split()) > 3 or not re.match(r"^\d", driver.get("version", "")) or \
                not driver.get("informationUri"):
            out.append("SARIF2005")
        for rule in driver["rules"]:
            if rule.get("name") is not None and rule["name"].lower() == rule["id"].lower():
                out.append(f"SARIF1001 {rule['id']}")
            if not (rule.get("shortDescription", {}).get("text") and rule.get("fullDescription", {}).get("text")
                    and rule.get("help", {}).get("text")):
                out.append(f"GH2012 {rule['id']}")
            if not rule.get("helpUri"):
                out.append(f"SARIF2012 {rule['id']}")
        for result in run["results"]:
            if driver["rules"][result["ruleIndex"]]["id"] != result["ruleId"]:
                out.append(f"ruleIndex {result['ruleId']}")
    return out


@pytest.fixture
def in_repo(monkeypatch, tmp_path) -> Path:
    """Run from a repository root, as CI does, so relative finding paths resolve against it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_valid_sarif_with_the_tool_and_its_rules(sample_report, in_repo):
    data = render(sample_report, in_repo)
    assert data["version"] == "2.1.0"
    assert data["$schema"].endswith("sarif-schema-2.1.0.json")
    [run] = data["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("genai-gitops", __version__)
    assert [rule["id"] for rule in driver["rules"]] == [
        "capacity/headroom", "parse/yaml-syntax", "policy/k8srequiredlabels", "schema/enum", "schema/required"]
    # registered rules take their level from the registry; an unknown one from the finding
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}["capacity/headroom"] == "note"
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert multitool_warnings(data) == []


def test_every_rule_carries_its_help_from_the_registry(make_finding, in_repo):
    report = Report(findings=(
        make_finding(validator="capacity", rule="quota-exceeded", kind="ResourceQuota", name="tenant-quota",
                     message="memory: worst case 40Gi exceeds quota 32Gi"),
        make_finding(validator="checkov", rule="CKV_K8S_21", message="The default namespace should not be used"),
    ))
    data = render(report, in_repo, RuleRegistry.default())
    assert multitool_warnings(data) == []
    driver = data["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == DOCS
    quota, checkov = driver["rules"]
    assert quota == {
        "id": "capacity/quota-exceeded",
        "name": "QuotaExceeded",
        "shortDescription": {"text": "At its worst case (rollout surge, HPA max) a namespace asks for more than its "
                                     "ResourceQuota allows: the API server refuses pods."},
        "fullDescription": {"text": "At its worst case (rollout surge, HPA max) a namespace asks for more than its "
                                    "ResourceQuota allows: the API server refuses pods. Fix: Raise the tenant's quota "
                                    "(tenants/<id>.yaml: quotas.*) or lower replicas/requests."},
        "help": {"text": "At its worst case (rollout surge, HPA max) a namespace asks for more than its "
                         "ResourceQuota allows: the API server refuses pods.\nFix: Raise the tenant's quota "
                         "(tenants/<id>.yaml: quotas.*) or lower replicas/requests.\n"
                         f"Documentation: {DOCS}#capacity-quota-exceeded",
                 "markdown": "At its worst case (rollout surge, HPA max) a namespace asks for more than its "
                             "ResourceQuota allows: the API server refuses pods.\n\n**Fix:** Raise the tenant's "
                             "quota (tenants/<id>.yaml: quotas.*) or lower replicas/requests.\n\n"
                             f"[capacity/quota-exceeded in docs/rules.md]({DOCS}#capacity-quota-exceeded)"},
        "helpUri": f"{DOCS}#capacity-quota-exceeded",
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["capacity"]},
    }
    # a member of a family: its own name, the family's help and anchor
    assert (checkov["id"], checkov["name"], checkov["helpUri"]) == ("checkov/CKV_K8S_21", "CKVK8S21",
                                                                    f"{DOCS}#checkov-ckv")


def test_suppressed_and_mapped_findings(make_finding, in_repo):
    report = Report(findings=(make_finding(validator="capacity", rule="quota-exceeded-at-hpa-max",
                                           severity=Severity.WARNING, kind="ResourceQuota", name="tenant-quota",
                                           message="cpu: worst case 12 exceeds quota 8",
                                           source="tenants/acme.yaml: quotas.cpu",
                                           suppressed="load test only; see PLAT-12"),))
    [result] = render(report, in_repo, RuleRegistry.default())["runs"][0]["results"]
    assert result["message"] == {"text": "cpu: worst case 12 exceeds quota 8 (edit tenants/acme.yaml: quotas.cpu)"}
    assert result["suppressions"] == [{"kind": "inSource", "justification": "load test only; see PLAT-12"}]
    assert result["relatedLocations"] == [{
        "id": 1, "physicalLocation": {"artifactLocation": {"uri": "tenants/acme.yaml", "uriBaseId": "%SRCROOT%"}},
        "message": {"text": "tenants/acme.yaml: quotas.cpu"}}]


def test_help_links_the_commit_under_review_on_github_actions(tmp_path):
    environ = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/platform", "GITHUB_SHA": "f00"}
    assert docs_url(tmp_path, environ) == "https://github.com/acme/platform/blob/f00/docs/rules.md"
    assert docs_url(tmp_path, {}) == (tmp_path / "docs" / "rules.md").as_uri()
    assert docs_url(tmp_path, {"GENAI_GITOPS_DOCS_URL": "https://docs.example/rules"}) == "https://docs.example/rules"


def test_results_carry_rule_level_uri_and_line(sample_report, in_repo):
    [run] = render(sample_report, in_repo)["runs"]
    rules = run["tool"]["driver"]["rules"]
    summary = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert summary == [
        ("parse/yaml-syntax", "error", "dist/broken.yaml", 3),
        ("schema/required", "error", "dist/eu-1/acme/deploy.yaml", 12),
        ("schema/enum", "error", "dist/eu-1/acme/deploy.yaml", 30),
        ("policy/k8srequiredlabels", "warning", "dist/eu-1/acme/svc.yaml", 4),
        ("capacity/headroom", "note", "dist/eu-1/ns.yaml", 1),
    ]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert run["results"][1]["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "Deployment/litellm -n tenant-acme", "kind": "resource"}]


def test_uris_are_relative_to_the_root_even_for_absolute_paths(make_finding, in_repo):
    report = Report(findings=(make_finding(file=str(in_repo / "dist" / "my app.yaml")),))
    location = render(report, in_repo)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "dist/my%20app.yaml", "uriBaseId": "%SRCROOT%"}


def test_a_file_outside_the_root_keeps_an_absolute_uri(make_finding, in_repo, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "x.yaml"
    report = Report(findings=(make_finding(file=str(elsewhere)),))
    location = render(report, in_repo)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": elsewhere.as_uri()}


def test_findings_without_file_or_line(make_finding, in_repo):
    report = Report(findings=(
        make_finding(file="", line=None, kind="", name="", namespace="", rule="internal-error", message="boom"),
        make_finding(file="a.yaml", line=None, severity=Severity.WARNING),
    ))
    [run] = render(report, in_repo)["runs"]
    crashed, no_line = run["results"]
    assert "locations" not in crashed and crashed["message"] == {"text": "boom"}
    assert "region" not in no_line["locations"][0]["physicalLocation"]
    assert run["invocations"] == [{"executionSuccessful": False}]


def test_a_clean_run_is_valid_sarif_with_no_results(in_repo):
    [run] = render(Report(), in_repo)["runs"]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []

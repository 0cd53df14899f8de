"""SARIF 2.1.0 for GitHub code scanning, checked against the OASIS schema (errata01, vendored as a fixture)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from genai_gitops import __version__
from genai_gitops.report.finding import Severity
from genai_gitops.report.run import Report
from genai_gitops.report.writers import WriterOptions, get_writer

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "sarif-schema-2.1.0.json").read_text())


def render(report: Report, root: Path) -> dict[str, Any]:
    data = json.loads(get_writer("sarif", WriterOptions(root=root)).render(report))
    jsonschema.Draft4Validator(SCHEMA).validate(data)
    return data


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
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}["capacity/headroom"] == "note"
    assert run["invocations"] == [{"executionSuccessful": True}]


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

"""The JSON writer's shape is a contract: `{version, summary, findings}`, as documented in the module."""

from __future__ import annotations

import json

from genai_gitops import __version__
from genai_gitops.report.finding import Finding
from genai_gitops.report.run import Report
from genai_gitops.report.writers import get_writer

KEYS = ["file", "line", "apiVersion", "kind", "namespace", "name", "validator", "rule", "severity", "message",
        "source", "suppressed", "ruleId"]


def test_version_summary_and_findings_with_exactly_the_documented_keys(sample_report):
    data = json.loads(get_writer("json").render(sample_report))
    assert list(data) == ["version", "summary", "findings"]
    assert data["version"] == __version__
    assert data["summary"] == {
        "passed": False, "exitCode": 1, "errors": 3, "warnings": 1, "infos": 1, "suppressed": 0,
        "files": 5, "resources": 5, "objects": 5, "dataFiles": 0,
        "validators": {"parse": {"errors": 1, "warnings": 0, "infos": 0, "suppressed": 0},
                       "schema": {"errors": 2, "warnings": 0, "infos": 0, "suppressed": 0},
                       "policy": {"errors": 0, "warnings": 1, "infos": 0, "suppressed": 0},
                       "capacity": {"errors": 0, "warnings": 0, "infos": 1, "suppressed": 0}}}
    assert [list(item) for item in data["findings"]] == [KEYS] * len(sample_report.findings)
    assert data["findings"][0] == {"file": "dist/broken.yaml", "line": 3, "apiVersion": "", "kind": "",
                                   "namespace": "", "name": "", "validator": "parse", "rule": "yaml-syntax",
                                   "severity": "error", "message": "invalid YAML: did not find expected ',' or ']'",
                                   "source": "", "suppressed": "", "ruleId": "parse/yaml-syntax"}


def test_suppressed_findings_stay_listed_and_are_counted_apart(make_finding):
    report = Report(findings=(make_finding(), make_finding(line=40, suppressed="sized for the pilot, see #12")))
    data = json.loads(get_writer("json").render(report))
    assert (data["summary"]["errors"], data["summary"]["suppressed"], data["summary"]["exitCode"]) == (1, 1, 1)
    assert [f["suppressed"] for f in data["findings"]] == ["", "sized for the pilot, see #12"]


def test_round_trips_to_the_same_findings_in_the_same_order(sample_report):
    data = json.loads(get_writer("json").render(sample_report))
    assert tuple(Finding.from_dict(item) for item in data["findings"]) == sample_report.findings


def test_sections_and_timings_stay_out(sample_report):
    text = get_writer("json").render(sample_report)
    assert "Quota headroom" not in text and "seconds" not in text


def test_a_clean_run_has_an_empty_list_and_a_passing_summary():
    data = json.loads(get_writer("json").render(Report()))
    assert data["findings"] == []
    assert data["summary"] == {"passed": True, "exitCode": 0, "errors": 0, "warnings": 0, "infos": 0,
                               "suppressed": 0, "files": 0, "resources": 0, "objects": 0, "dataFiles": 0,
                               "validators": {}}

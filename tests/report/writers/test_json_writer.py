"""The JSON writer's shape is a contract: a list of Finding.to_dict objects, nothing else."""

from __future__ import annotations

import json

from genai_gitops.report.finding import Finding
from genai_gitops.report.run import Report
from genai_gitops.report.writers import get_writer

KEYS = ["file", "line", "apiVersion", "kind", "namespace", "name", "validator", "rule", "severity", "message"]


def test_a_list_of_findings_with_exactly_the_documented_keys(sample_report):
    data = json.loads(get_writer("json").render(sample_report))
    assert isinstance(data, list)
    assert [list(item) for item in data] == [KEYS] * len(sample_report.findings)
    assert data[0] == {"file": "dist/broken.yaml", "line": 3, "apiVersion": "", "kind": "", "namespace": "",
                       "name": "", "validator": "parse", "rule": "yaml-syntax", "severity": "error",
                       "message": "invalid YAML: did not find expected ',' or ']'"}


def test_round_trips_to_the_same_findings_in_the_same_order(sample_report):
    data = json.loads(get_writer("json").render(sample_report))
    assert tuple(Finding.from_dict(item) for item in data) == sample_report.findings


def test_sections_and_timings_stay_out(sample_report):
    text = get_writer("json").render(sample_report)
    assert "Quota headroom" not in text and "seconds" not in text


def test_a_clean_run_is_an_empty_list():
    assert json.loads(get_writer("json").render(Report())) == []

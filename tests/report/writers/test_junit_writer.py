"""JUnit XML as GitLab and GitHub test reporters read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from genai_gitops.report.finding import Severity
from genai_gitops.report.run import Report, ValidatorRun
from genai_gitops.report.writers import get_writer


def parse(report: Report) -> ET.Element:
    text = get_writer("junit").render(report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode())


def test_one_suite_per_validator_one_case_per_file(sample_report):
    root = parse(sample_report)
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == ["parse", "schema", "policy", "capacity"]
    for suite in root.findall("testsuite"):
        assert [c.get("name") for c in suite.findall("testcase")] == sorted(sample_report.files)
        assert suite.get("tests") == "5"
        assert all(c.get("classname") == suite.get("name") for c in suite.findall("testcase"))


def test_errors_are_failures_and_the_totals_add_up(sample_report):
    root = parse(sample_report)
    schema = root.find("testsuite[@name='schema']")
    assert schema is not None
    # one failing file, however many errors it has
    assert (schema.get("failures"), schema.get("errors"), schema.get("time")) == ("1", "0", "0.250")
    case = schema.find("testcase[@name='dist/eu-1/acme/deploy.yaml']")
    assert case is not None and case.get("file") == "dist/eu-1/acme/deploy.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "schema/required"
    assert failure.get("message") == "2 errors; first: spec.template is required"
    assert failure.text is not None and failure.text.splitlines() == [
        "line 12: error: Deployment/litellm -n tenant-acme [schema/required] spec.template is required",
        "line 30: error: Service/litellm -n tenant-acme [schema/enum] spec.type must be one of ClusterIP"]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("20", "2", "0")


def test_warnings_pass_with_the_remark_in_system_out(sample_report):
    root = parse(sample_report)
    case = root.find("testsuite[@name='policy']/testcase[@name='dist/eu-1/acme/svc.yaml']")
    assert case is not None and case.find("failure") is None
    out = case.find("system-out")
    assert out is not None and "[policy/k8srequiredlabels] missing label team" in (out.text or "")


def test_a_crashed_validator_is_an_error_not_a_failure(make_finding):
    report = Report(findings=(make_finding(file="", line=None, kind="", name="", namespace="", validator="checkov",
                                           rule="internal-error", message="could not start: checkov not found"),),
                    files=("a.yaml",), runs=(ValidatorRun("schema", 0.1),))
    root = parse(report)
    suite = root.find("testsuite[@name='checkov']")
    assert suite is not None and suite.get("errors") == "1" and suite.get("failures") == "0"
    case = suite.find("testcase[@name='(run)']")
    assert case is not None and case.get("file") is None
    error = case.find("error")
    assert error is not None and error.get("message") == "could not start: checkov not found"
    assert root.get("errors") == "1"


def test_control_characters_cannot_break_the_xml(make_finding):
    report = Report(findings=(make_finding(message="bad \x00byte\x1b", severity=Severity.ERROR),))
    failure = parse(report).find(".//failure")
    assert failure is not None and failure.get("message") == "bad \ufffdbyte\ufffd"


def test_a_clean_run_is_valid_and_empty():
    root = parse(Report())
    assert (root.get("tests"), root.get("failures")) == ("0", "0") and len(root) == 0

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


CASES = ["dist/broken.yaml", "Deployment/litellm -n tenant-acme", "Service/litellm -n tenant-acme",
         "Service/litellm -n tenant-acme", "ConfigMap/settings -n tenant-acme", "Namespace/tenant-acme"]


def test_one_suite_per_validator_one_case_per_checked_object(sample_report):
    root = parse(sample_report)
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == ["parse", "schema", "policy", "capacity"]
    for suite in root.findall("testsuite"):
        # sorted by file: a file no object was read from (it does not parse) is a case of its own
        assert [c.get("name") for c in suite.findall("testcase")] == CASES
        assert [c.get("file") for c in suite.findall("testcase")] == [
            "dist/broken.yaml", "dist/eu-1/acme/deploy.yaml", "dist/eu-1/acme/deploy.yaml",
            "dist/eu-1/acme/svc.yaml", "dist/eu-1/clean.yaml", "dist/eu-1/ns.yaml"]
        assert suite.get("tests") == "6"
        assert all(c.get("classname") == suite.get("name") for c in suite.findall("testcase"))


def test_errors_are_failures_and_the_totals_add_up(sample_report):
    root = parse(sample_report)
    schema = root.find("testsuite[@name='schema']")
    assert schema is not None
    assert (schema.get("failures"), schema.get("errors"), schema.get("time")) == ("2", "0", "0.250")
    case = schema.find("testcase[@name='Deployment/litellm -n tenant-acme']")
    assert case is not None and case.get("file") == "dist/eu-1/acme/deploy.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "schema/required"
    assert failure.get("message") == "spec.template is required"
    assert failure.text == ("line 12: error: Deployment/litellm -n tenant-acme [schema/required] "
                            "spec.template is required")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("24", "3", "0")


def test_a_clean_run_has_a_passing_case_per_object(make_finding):
    from genai_gitops.report.run import CheckedObject

    report = Report(files=("dist/a.yaml", "tenants/acme.yaml"), runs=(ValidatorRun("schema", 0.1),),
                    objects=(CheckedObject("dist/a.yaml", 1, "ConfigMap", "tenant-acme", "a"),
                             CheckedObject("dist/a.yaml", 9, "Secret", "tenant-acme", "b")))
    root = parse(report)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "0", "0")
    assert [c.get("name") for c in root.iter("testcase")] == [
        "ConfigMap/a -n tenant-acme", "Secret/b -n tenant-acme", "tenants/acme.yaml"]
    assert all(len(c) == 0 for c in root.iter("testcase"))


def test_a_suppressed_error_passes_with_its_reason_in_system_out(make_finding):
    report = Report(findings=(make_finding(suppressed="pilot sizing, until 2027-01"),),
                    runs=(ValidatorRun("schema", 0.1),))
    root = parse(report)
    assert [(p.get("name"), p.get("value")) for p in root.iter("property")] == [("suppressed", "1")]
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    case = root.find(".//testcase")
    assert case is not None and case.find("failure") is None
    out = case.find("system-out")
    assert out is not None and out.text == ("line 12: suppressed (pilot sizing, until 2027-01) error: "
                                            "Deployment/litellm -n tenant-acme [schema/required] "
                                            "spec.template is required")


def test_warnings_pass_with_the_remark_in_system_out(sample_report):
    root = parse(sample_report)
    cases = root.findall("testsuite[@name='policy']/testcase")
    case = next(c for c in cases if c.get("file") == "dist/eu-1/acme/svc.yaml")
    assert case.find("failure") is None
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


def test_data_files_are_cases_of_their_own_suite(make_finding):
    from genai_gitops.report.run import CheckedObject

    bad = make_finding(file="tenants/acme.yaml", line=None, kind="", name="", namespace="", validator="suppression",
                       rule="missing-reason", message="suppressions[0] (capacity/quota-exceeded): no reason")
    report = Report(findings=(bad,), runs=(ValidatorRun("schema", 0.1),),
                    objects=(CheckedObject("dist/a.yaml", 1, "ConfigMap", "tenant-acme", "a"),),
                    data_files=("tenants/acme.yaml", "tenants/globex.yaml", "clusters.yaml"))
    root = parse(report)
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in root.findall("testsuite")] == [
        ("data", "3", "1"), ("schema", "1", "0"), ("suppression", "1", "0")]
    data = root.find("testsuite[@name='data']")
    assert data is not None
    assert [c.get("name") for c in data.findall("testcase")] == [
        "clusters.yaml", "tenants/acme.yaml", "tenants/globex.yaml"]
    failure = data.find("testcase[@name='tenants/acme.yaml']/failure")
    assert failure is not None and failure.get("message") == "suppressions[0] (capacity/quota-exceeded): no reason"
    assert (root.get("tests"), root.get("failures")) == ("5", "1")

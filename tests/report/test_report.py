"""Report: deterministic order, counts, and the one exit-code decision."""

from __future__ import annotations

import random

import genai_gitops.cli as cli
from genai_gitops.report import run
from genai_gitops.report.finding import Severity
from genai_gitops.report.run import INTERNAL_ERROR_RULE, Counts, Report, ValidatorRun


def test_findings_are_sorted_the_same_whatever_order_they_arrive_in(sample_report):
    shuffled = list(sample_report.findings)
    random.Random(7).shuffle(shuffled)
    assert Report(findings=tuple(shuffled)).findings == sample_report.findings
    assert [(f.file, f.line) for f in sample_report.findings] == [
        ("dist/broken.yaml", 3), ("dist/eu-1/acme/deploy.yaml", 12), ("dist/eu-1/acme/deploy.yaml", 30),
        ("dist/eu-1/acme/svc.yaml", 4), ("dist/eu-1/ns.yaml", 1)]


def test_findings_without_a_line_sort_first_in_their_file_and_duplicates_collapse(make_finding):
    report = Report(findings=(make_finding(line=5), make_finding(line=None), make_finding(line=5)))
    assert [f.line for f in report.findings] == [None, 5]


def test_files_are_unique_and_sorted():
    assert Report(files=("b.yaml", "a.yaml", "b.yaml")).files == ("a.yaml", "b.yaml")


def test_counts_overall_and_per_validator(sample_report):
    assert sample_report.counts == Counts(errors=3, warnings=1, infos=1)
    assert sample_report.counts_for("schema") == Counts(errors=2)
    assert sample_report.counts_for("policy") == Counts(warnings=1)
    assert sample_report.counts_for("never-ran") == Counts()


def test_validators_in_run_order_then_the_ones_that_only_reported(make_finding):
    report = Report(findings=(make_finding(validator="zeta"), make_finding(validator="alpha")),
                    runs=(ValidatorRun("schema", 0.1), ValidatorRun("policy", 0.2)))
    assert report.validators == ("schema", "policy", "alpha", "zeta")


def test_exit_code_clean_warnings_and_info_pass(make_finding):
    assert Report().exit_code() == 0
    assert Report(findings=(make_finding(severity=Severity.WARNING), make_finding(severity=Severity.INFO),
                            )).exit_code() == 0


def test_exit_code_one_for_any_error(make_finding):
    report = Report(findings=(make_finding(severity=Severity.WARNING), make_finding()))
    assert report.exit_code() == 1
    assert not report.passed


def test_exit_code_two_when_a_validator_crashed(make_finding):
    report = Report(findings=(make_finding(), make_finding(file="", line=None, rule=INTERNAL_ERROR_RULE)))
    assert report.exit_code() == 2


def test_exit_codes_are_the_clis():
    assert (run.EXIT_OK, run.EXIT_FINDINGS, run.EXIT_ERROR) == (cli.EXIT_OK, cli.EXIT_FINDINGS, cli.EXIT_ERROR)


def test_summary_line(sample_report):
    assert sample_report.summary() == "3 errors, 1 warning, 1 info in 5 files (5 resources) in 1.80 s"
    assert Report(files=("a.yaml",), resources=1, seconds=0.004).summary() == \
        "0 errors, 0 warnings in 1 file (1 resource) in 0.00 s"

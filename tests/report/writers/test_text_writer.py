"""The text writer: what a person reads in a terminal or a CI log."""

from __future__ import annotations

import io

from genai_gitops.report.finding import Severity
from genai_gitops.report.run import Report
from genai_gitops.report.writers import WriterOptions, get_writer, wants_colour

EXPECTED = """\
dist/broken.yaml
   3  error    [parse/yaml-syntax]  invalid YAML: did not find expected ',' or ']'

dist/eu-1/acme/deploy.yaml
  12  error    Deployment/litellm -n tenant-acme  [schema/required]  spec.template is required
  30  error    Service/litellm -n tenant-acme  [schema/enum]  spec.type must be one of ClusterIP

dist/eu-1/acme/svc.yaml
   4  warning  Service/litellm -n tenant-acme  [policy/k8srequiredlabels]  missing label team

dist/eu-1/ns.yaml
   1  info     Namespace/tenant-acme  [capacity/headroom]  GPU quota 50% used

Quota headroom
tenant            cpu  gpu
----------------  ---  ---
acme              4    1
globex-long-name  16   0

parse 0.01 s  schema 0.25 s  policy 1.50 s  capacity 0.00 s
3 errors, 1 warning, 1 info in 5 files (5 resources) in 1.80 s
"""


def render(report: Report, *, colour: bool = False) -> str:
    return get_writer("text", WriterOptions(colour=colour)).render(report)


def test_findings_grouped_by_file_then_sections_then_the_summary(sample_report):
    assert render(sample_report) == EXPECTED


def test_a_clean_run_is_just_the_summary():
    report = Report(files=("a.yaml",), resources=2, seconds=0.5)
    assert render(report) == "0 errors, 0 warnings in 1 file (2 resources) in 0.50 s\n"


def test_findings_without_file_or_line(make_finding):
    report = Report(findings=(make_finding(file="", line=None, kind="", name="", namespace="",
                                           rule="internal-error", message="failed on dist: KeyError: 'spec'"),))
    assert render(report).splitlines()[:2] == [
        "(no file)", "  -  error    [schema/internal-error]  failed on dist: KeyError: 'spec'"]


def test_multi_line_messages_stay_indented_under_their_finding(make_finding):
    report = Report(findings=(make_finding(line=7, kind="", name="", namespace="", message="first\nsecond"),))
    assert render(report).splitlines()[1:3] == ["  7  error    [schema/required]  first", "     second"]


def test_no_escape_codes_without_colour(sample_report):
    assert "\x1b[" not in render(sample_report)


def test_colour_marks_severity_and_the_verdict(sample_report, make_finding):
    coloured = render(sample_report, colour=True)
    assert "\x1b[1m\x1b[31merror  \x1b[0m" in coloured
    assert "\x1b[33mwarning\x1b[0m" in coloured
    assert coloured.rstrip("\n").endswith("\x1b[1m\x1b[31m" + sample_report.summary() + "\x1b[0m")
    passing = Report(findings=(make_finding(severity=Severity.WARNING),))
    assert render(passing, colour=True).rstrip("\n").endswith("\x1b[1m\x1b[32m" + passing.summary() + "\x1b[0m")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_for_a_terminal_without_no_color():
    assert wants_colour(Terminal(), {})
    assert wants_colour(Terminal(), {"NO_COLOR": ""})  # no-color.org: an empty value does not count
    assert not wants_colour(Terminal(), {"NO_COLOR": "1"})
    assert not wants_colour(io.StringIO(), {})

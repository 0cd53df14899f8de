"""JUnit XML for CI test reporters (GitLab `artifacts:reports:junit`, GitHub test-report actions).

One <testsuite> per validator, one <testcase> per file it checked: a file passes when the validator
found no error in it. Errors become one <failure> listing all of them; a crashed validator (rule
internal-error) is an <error>, as JUnit means by the word; warnings and info go to <system-out>,
since JUnit has no notion of a passing test with remarks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.run import INTERNAL_ERROR_RULE, Report
from genai_gitops.report.writers.base import WriterOptions, describe_resource, rule_id

# XML 1.0 cannot carry most control characters, even escaped; a stray one in a YAML error must not break the file
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: testcase name for findings that belong to no file (a validator that crashed before reading any)
RUN_CASE = "(run)"


class JUnitWriter:
    def __init__(self, options: WriterOptions) -> None:
        del options

    def render(self, report: Report) -> str:
        root = ET.Element("testsuites", name="genai-gitops")
        totals = {"tests": 0, "failures": 0, "errors": 0}
        for validator in report.validators:
            suite = self._suite(report, validator)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
            root.append(suite)
        root.attrib.update({key: str(value) for key, value in totals.items()})
        root.set("time", _seconds(report.seconds))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    def _suite(self, report: Report, validator: str) -> ET.Element:
        findings: dict[str, list[Finding]] = {}
        for finding in report.findings:
            if finding.validator == validator:
                findings.setdefault(finding.file, []).append(finding)
        run = report.run_for(validator)
        suite = ET.Element("testsuite", name=validator, time=_seconds(run.seconds if run else 0.0))
        failures = errors = 0
        for file in sorted(set(report.files) | set(findings)):
            case = self._case(validator, file, findings.get(file, []))
            failures += case.find("failure") is not None
            errors += case.find("error") is not None
            suite.append(case)
        suite.attrib.update(tests=str(len(suite)), failures=str(failures), errors=str(errors), skipped="0")
        return suite

    def _case(self, validator: str, file: str, findings: Sequence[Finding]) -> ET.Element:
        case = ET.Element("testcase", classname=validator, name=file or RUN_CASE, time="0")
        if file:
            case.set("file", file)  # GitLab links the failure to the file
        crashes = [f for f in findings if f.severity is Severity.ERROR and f.rule == INTERNAL_ERROR_RULE]
        failed = [f for f in findings if f.severity is Severity.ERROR and f.rule != INTERNAL_ERROR_RULE]
        remarks = [f for f in findings if f.severity is not Severity.ERROR]
        for tag, items in (("error", crashes), ("failure", failed)):
            if items:
                problem = ET.SubElement(case, tag, message=_clean(_headline(items)), type=rule_id(items[0]))
                problem.text = _clean("\n".join(_line(f) for f in items))
        if remarks:
            ET.SubElement(case, "system-out").text = _clean("\n".join(_line(f) for f in remarks))
        return case


def _headline(findings: Sequence[Finding]) -> str:
    first = findings[0].message.splitlines()[0] if findings[0].message else rule_id(findings[0])
    return first if len(findings) == 1 else f"{len(findings)} errors; first: {first}"


def _line(finding: Finding) -> str:
    where = f"line {finding.line}: " if finding.line is not None else ""
    resource = describe_resource(finding)
    resource = f"{resource} " if resource else ""
    return f"{where}{finding.severity.value}: {resource}[{rule_id(finding)}] {finding.message}"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"

"""JUnit XML for CI test reporters (GitLab `artifacts:reports:junit`, GitHub test-report actions).

One <testsuite> per validator, one <testcase> per object it checked (`Deployment/litellm -n acme`,
with its file), so a clean run reports every object as a passing test, never `tests="0"`; a file
with no object read (a data file, a file that does not parse, a drifted file) is a case of its own.
An object passes when the validator found no error on it. Errors become one <failure> listing all
of them; a crashed validator (rule internal-error) is an <error>, as JUnit means by the word;
warnings, info and suppressed findings go to <system-out>, since JUnit has no notion of a passing
test with remarks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import NamedTuple

from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.run import INTERNAL_ERROR_RULE, Report
from genai_gitops.report.writers.base import WriterOptions, describe_resource, rule_id

# XML 1.0 cannot carry most control characters, even escaped; a stray one in a YAML error must not break the file
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: testcase name for findings that belong to no file (a validator that crashed before reading any)
RUN_CASE = "(run)"
#: the suite of the data files a run read (tenants and clusters), first in the report
DATA_SUITE = "data"


class JUnitWriter:
    def __init__(self, options: WriterOptions) -> None:
        del options

    def render(self, report: Report) -> str:
        root = ET.Element("testsuites", name="genai-gitops")
        totals = {"tests": 0, "failures": 0, "errors": 0}
        suites = [self._suite(report, validator) for validator in report.validators]
        if report.data_files:
            suites.insert(0, self._data_suite(report))
        for suite in suites:
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
            root.append(suite)
        root.attrib.update({key: str(value) for key, value in totals.items()})
        root.set("time", _seconds(report.seconds))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    def _suite(self, report: Report, validator: str) -> ET.Element:
        # a case per checked object, per file no object was read from, and per object a finding names
        cases: dict[_Case, list[Finding]] = {}
        for item in report.objects:
            cases.setdefault(_Case(item.file, item.kind, item.namespace, item.name), [])
        with_objects = {case.file for case in cases}
        for file in report.files:
            if file not in with_objects:
                cases.setdefault(_Case(file), [])
        data = set(report.data_files)
        for finding in report.findings:
            if finding.validator == validator and finding.file not in data:
                cases.setdefault(_Case.of(finding), []).append(finding)
        run = report.run_for(validator)
        suite = ET.Element("testsuite", name=validator, time=_seconds(run.seconds if run else 0.0))
        suppressed = report.counts_for(validator).suppressed
        if suppressed:  # JUnit has no word for it: a property, and each one in its case's system-out
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="suppressed", value=str(suppressed))
        failures = errors = 0
        for key in sorted(cases):
            case = self._case(validator, key, cases[key])
            failures += case.find("failure") is not None
            errors += case.find("error") is not None
            suite.append(case)
        suite.attrib.update(tests=str(len(suite.findall("testcase"))), failures=str(failures), errors=str(errors),
                            skipped="0")
        return suite

    def _data_suite(self, report: Report) -> ET.Element:
        """One case per data file (tenants/*.yaml, clusters.yaml) with every finding about it, whatever found it."""
        suite = ET.Element("testsuite", name=DATA_SUITE, time=_seconds(0.0))
        failures = errors = 0
        for file in report.data_files:
            case = self._case(DATA_SUITE, _Case(file), [f for f in report.findings if f.file == file])
            failures += case.find("failure") is not None
            errors += case.find("error") is not None
            suite.append(case)
        suite.attrib.update(tests=str(len(suite)), failures=str(failures), errors=str(errors), skipped="0")
        return suite

    def _case(self, validator: str, key: _Case, findings: Sequence[Finding]) -> ET.Element:
        case = ET.Element("testcase", classname=validator, name=key.label, time="0")
        if key.file:
            case.set("file", key.file)  # GitLab links the failure to the file
        counted = [f for f in findings if not f.suppressed]
        crashes = [f for f in counted if f.severity is Severity.ERROR and f.rule == INTERNAL_ERROR_RULE]
        failed = [f for f in counted if f.severity is Severity.ERROR and f.rule != INTERNAL_ERROR_RULE]
        remarks = [f for f in findings if f.suppressed or f.severity is not Severity.ERROR]
        for tag, items in (("error", crashes), ("failure", failed)):
            if items:
                problem = ET.SubElement(case, tag, message=_clean(_headline(items)), type=rule_id(items[0]))
                problem.text = _clean("\n".join(_line(f) for f in items))
        if remarks:
            ET.SubElement(case, "system-out").text = _clean("\n".join(_line(f) for f in remarks))
        return case


class _Case(NamedTuple):
    """A test case: an object of a file, or a whole file (kind and name empty)."""

    file: str
    kind: str = ""
    namespace: str = ""
    name: str = ""

    @classmethod
    def of(cls, finding: Finding) -> _Case:
        if not finding.kind and not finding.name:
            return cls(finding.file)
        return cls(finding.file, finding.kind, finding.namespace, finding.name)

    @property
    def label(self) -> str:
        if not self.kind and not self.name:
            return self.file or RUN_CASE
        resource = f"{self.kind or '?'}/{self.name or '?'}"
        return f"{resource} -n {self.namespace}" if self.namespace else resource


def _headline(findings: Sequence[Finding]) -> str:
    first = findings[0].message.splitlines()[0] if findings[0].message else rule_id(findings[0])
    return first if len(findings) == 1 else f"{len(findings)} errors; first: {first}"


def _line(finding: Finding) -> str:
    where = f"line {finding.line}: " if finding.line is not None else ""
    resource = describe_resource(finding)
    resource = f"{resource} " if resource else ""
    state = f"suppressed ({finding.suppressed}) " if finding.suppressed else ""
    source = f" (edit {finding.source})" if finding.source else ""
    return f"{where}{state}{finding.severity.value}: {resource}[{rule_id(finding)}] {finding.message}{source}"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"

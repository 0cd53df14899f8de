"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

Every finding is a result whose ruleId is `<validator>/<rule>`; the rules are listed once in
tool.driver.rules. Locations are uris relative to the repository root, which is how code scanning
matches them to files of the checkout; a file outside the root keeps an absolute file: uri.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from genai_gitops import __version__
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.run import SEVERITY_RANK, Report
from genai_gitops.report.writers.base import WriterOptions, describe_resource, rule_id

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "genai-gitops"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


class SarifWriter:
    def __init__(self, options: WriterOptions) -> None:
        # abspath, not resolve(): the files are spelled as given, and symlinks must resolve alike on both sides
        self._root = Path(os.path.abspath(options.root))

    def render(self, report: Report) -> str:
        return json.dumps(self.document(report), indent=2, ensure_ascii=False) + "\n"

    def document(self, report: Report) -> dict[str, Any]:
        rules = self._rules(report)
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        run: dict[str, Any] = {
            "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "invocations": [{"executionSuccessful": not report.internal_errors}],
            "results": [self._result(finding, index) for finding in report.findings],
        }
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}

    def _rules(self, report: Report) -> list[dict[str, Any]]:
        # a rule's default level is the most severe level it was reported at
        worst: dict[str, Severity] = {}
        validator_of: dict[str, str] = {}
        for finding in report.findings:
            key = rule_id(finding)
            validator_of[key] = finding.validator
            if key not in worst or SEVERITY_RANK[finding.severity] < SEVERITY_RANK[worst[key]]:
                worst[key] = finding.severity
        return [{"id": key, "name": key,
                 "shortDescription": {"text": f"{validator_of[key]} check {key.partition('/')[2]}"},
                 "defaultConfiguration": {"level": LEVELS[worst[key]]},
                 "properties": {"tags": [validator_of[key]]}}
                for key in sorted(worst)]

    def _result(self, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
        key = rule_id(finding)
        result: dict[str, Any] = {"ruleId": key, "ruleIndex": index[key], "level": LEVELS[finding.severity],
                                  "message": {"text": finding.message or key}}
        location: dict[str, Any] = {}
        if finding.file:
            physical: dict[str, Any] = {"artifactLocation": self._artifact(finding.file)}
            if finding.line is not None and finding.line >= 1:
                physical["region"] = {"startLine": finding.line}
            location["physicalLocation"] = physical
        resource = describe_resource(finding)
        if resource:
            location["logicalLocations"] = [{"fullyQualifiedName": resource, "kind": "resource"}]
        if location:
            result["locations"] = [location]
        return result

    def _artifact(self, file: str) -> dict[str, str]:
        absolute = Path(os.path.abspath(file))
        try:
            relative = absolute.relative_to(self._root)
        except ValueError:
            return {"uri": absolute.as_uri()}
        return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}

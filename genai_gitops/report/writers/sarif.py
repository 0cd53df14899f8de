"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

Every finding is a result whose ruleId is `<validator>/<rule>`; each rule a result uses is listed
once in tool.driver.rules with what the registry knows of it (genai_gitops.report.rules): a friendly
name distinct from the id, short and full descriptions, help as text and markdown, a helpUri into
docs/rules.md and the default level, so code scanning shows how to fix an alert next to it
(SARIF Multitool: SARIF1001 name != id, SARIF2005 tool version and informationUri, SARIF2012 /
GitHub's help rules: helpUri and help on every rule).

Locations are uris relative to the repository root, which is how code scanning matches them to
files of the checkout; a file outside the root keeps an absolute file: uri. A finding on a generated
object that maps to a tenant field names the tenant file as a related location. A suppressed finding
stays a result, with a `suppressions` entry carrying the reason (code scanning shows it dismissed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from genai_gitops import __version__
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.rules import RULES_DOC, Rule
from genai_gitops.report.run import Report
from genai_gitops.report.writers.base import WriterOptions, describe_resource, rule_id

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "genai-gitops"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def docs_url(root: Path, environ: Mapping[str, str] = os.environ) -> str:
    """Where docs/rules.md is read: the commit under review on GitHub Actions, else the checkout's own file.

    GENAI_GITOPS_DOCS_URL overrides both (e.g. a docs site)."""
    if environ.get("GENAI_GITOPS_DOCS_URL"):
        return environ["GENAI_GITOPS_DOCS_URL"]
    server, repository = environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY")
    if server and repository:
        return f"{server}/{repository}/blob/{environ.get('GITHUB_SHA') or 'HEAD'}/{RULES_DOC}"
    return (Path(os.path.abspath(root)) / RULES_DOC).as_uri()


class SarifWriter:
    def __init__(self, options: WriterOptions) -> None:
        # abspath, not resolve(): the files are spelled as given, and symlinks must resolve alike on both sides
        self._root = Path(os.path.abspath(options.root))
        self._options = options
        self._docs = options.docs_url or docs_url(self._root)

    def render(self, report: Report) -> str:
        return json.dumps(self.document(report), indent=2, ensure_ascii=False) + "\n"

    def document(self, report: Report) -> dict[str, Any]:
        registry = self._options.registry()
        used: dict[str, tuple[Rule, str]] = {}
        for finding in report.findings:
            rule = registry.for_finding(finding)
            used.setdefault(rule_id(finding), (rule, _name(rule, finding)))
        rules = [self._rule(key, *used[key]) for key in sorted(used)]
        index = {key: i for i, key in enumerate(sorted(used))}
        run: dict[str, Any] = {
            "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "semanticVersion": __version__,
                                "informationUri": self._docs, "rules": rules}},
            "invocations": [{"executionSuccessful": not report.internal_errors}],
            "results": [self._result(finding, index) for finding in report.findings],
        }
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}

    def _rule(self, key: str, rule: Rule, name: str) -> dict[str, Any]:
        url = f"{self._docs}#{rule.anchor}"
        never = "" if rule.suppressible else " This rule cannot be suppressed."
        return {
            "id": key,
            "name": name,
            "shortDescription": {"text": rule.what},
            "fullDescription": {"text": f"{rule.what} Fix: {rule.fix}{never}"},
            "help": {"text": f"{rule.what}\nFix: {rule.fix}{never}\nDocumentation: {url}",
                     "markdown": f"{rule.what}\n\n**Fix:** {rule.fix}{never}\n\n[{rule.id} in {RULES_DOC}]({url})"},
            "helpUri": url,
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"tags": [rule.validator]},
        }

    def _result(self, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
        key = rule_id(finding)
        text = finding.message or key
        if finding.source:
            text = f"{text} (edit {finding.source})"
        result: dict[str, Any] = {"ruleId": key, "ruleIndex": index[key], "level": LEVELS[finding.severity],
                                  "message": {"text": text}}
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
        if finding.source:
            file, _, field = finding.source.partition(": ")
            result["relatedLocations"] = [{"id": 1, "physicalLocation": {"artifactLocation": self._artifact(file)},
                                           "message": {"text": f"{file}: {field}" if field else file}}]
        if finding.suppressed:
            result["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed}]
        return result

    def _artifact(self, file: str) -> dict[str, str]:
        absolute = Path(os.path.abspath(file))
        try:
            relative = absolute.relative_to(self._root)
        except ValueError:
            return {"uri": absolute.as_uri()}
        return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def _name(rule: Rule, finding: Finding) -> str:
    """A family member (`checkov/CKV_K8S_21` of `checkov/CKV*`) gets its own name; help stays the family's."""
    return replace(rule, validator=finding.validator, rule=finding.rule).name if rule.family else rule.name

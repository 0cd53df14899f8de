"""The interface every output writer implements, and what the writers share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from genai_gitops.report.finding import Finding
from genai_gitops.report.rules import RuleRegistry
from genai_gitops.report.run import Report


@dataclass(frozen=True)
class WriterOptions:
    #: ANSI colours (text writer only); the CLI turns this on for a TTY without NO_COLOR
    colour: bool = False
    #: the repository root SARIF uris are relative to: GitHub code scanning resolves them from the checkout
    root: Path = field(default_factory=Path.cwd)
    #: the rules findings are explained by; None: the built-in rules plus ROOT/policies/ constraints
    rules: RuleRegistry | None = None
    #: absolute URL of docs/rules.md that SARIF helpUris point into; None: derived from the CI environment
    docs_url: str | None = None

    def registry(self) -> RuleRegistry:
        return self.rules if self.rules is not None else RuleRegistry.default(self.root / "policies")


class ReportWriter(Protocol):
    """One output format. `render` is pure: the caller decides where the text goes."""

    def __init__(self, options: WriterOptions) -> None: ...

    def render(self, report: Report) -> str: ...


def describe_resource(finding: Finding) -> str:
    """`Deployment/litellm -n acme`: kubectl's own spelling, so it can be pasted after `kubectl get`."""
    if not finding.kind and not finding.name:
        return ""
    resource = f"{finding.kind or '?'}/{finding.name or '?'}"
    return f"{resource} -n {finding.namespace}" if finding.namespace else resource


def rule_id(finding: Finding) -> str:
    """`schema/required`: the id a finding's rule has in every format."""
    return f"{finding.validator}/{finding.rule}"

"""A pull-request comment: pass/fail first, counts per validator, then the findings and tables.

Manifests come from the pull request, so every cell is escaped: a crafted name or message must
not turn into a link, an image or HTML in the comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.run import SEVERITY_RANK, Report, finding_sort_key
from genai_gitops.report.writers.base import WriterOptions, describe_resource, rule_id

#: findings shown before the rest fold into <details>
VISIBLE_FINDINGS = 50
#: GitHub rejects comments over 65,536 characters; beyond this many rows the CI log has the rest
MAX_FINDINGS = 300
_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}  # noqa: RUF001 - emoji, not letters
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>|~])")
_FINDING_HEADERS = ("", "File", "Line", "Resource", "Rule", "Message")


class MarkdownWriter:
    def __init__(self, options: WriterOptions) -> None:
        del options

    def render(self, report: Report) -> str:
        status = "✅ genai-gitops: passed" if report.passed else "❌ genai-gitops: failed"
        out = [f"### {status}", "", f"**{_escape(report.summary())}**", ""]
        out += self._validators(report)
        if report.findings:
            out += self._findings(report)
        for section in report.sections:
            out += [f"#### {_escape(section.title)}", "", *_table(section.headers, section.rows), ""]
        return "\n".join(out).rstrip("\n") + "\n"

    def _validators(self, report: Report) -> list[str]:
        rows = []
        # the Suppressed column only when something was suppressed: most runs have none
        suppressed = report.counts.suppressed > 0
        for name in report.validators:
            counts, run = report.counts_for(name), report.run_for(name)
            time = f"{run.seconds:.2f} s" if run else ""
            rows.append((name, str(counts.errors), str(counts.warnings), str(counts.infos),
                         *((str(counts.suppressed),) if suppressed else ()), time))
        if not rows:
            return []
        headers = ("Validator", "Errors", "Warnings", "Info", *(("Suppressed",) if suppressed else ()), "Time")
        return [*_table(headers, rows, align="l" + "r" * (len(headers) - 1)), ""]

    def _findings(self, report: Report) -> list[str]:
        # errors first: they are what the reader of a short, folded comment must see
        ranked = sorted(report.findings, key=lambda f: (bool(f.suppressed), SEVERITY_RANK[f.severity],
                                                        finding_sort_key(f)))
        shown, hidden = ranked[:MAX_FINDINGS], len(ranked) - MAX_FINDINGS
        out = ["#### Findings", "", *_table(_FINDING_HEADERS, [_row(f) for f in shown[:VISIBLE_FINDINGS]]), ""]
        rest = shown[VISIBLE_FINDINGS:]
        if rest:
            out += ["<details>", f"<summary>{len(rest)} more findings</summary>", "",
                    *_table(_FINDING_HEADERS, [_row(f) for f in rest]), "", "</details>", ""]
        if hidden > 0:
            out += [f"…and {hidden} more, not shown here; the job log has every finding.", ""]
        return out


def _row(finding: Finding) -> tuple[str, ...]:
    status = f"🔕 suppressed {finding.severity.value}" if finding.suppressed else \
        f"{_ICON[finding.severity]} {finding.severity.value}"
    message = finding.message
    if finding.source:
        message += f"\nedit {finding.source}"
    if finding.suppressed:
        message += f"\nsuppressed: {finding.suppressed}"
    return (status, finding.file, "" if finding.line is None else str(finding.line), describe_resource(finding),
            rule_id(finding), message)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    width = max([len(headers), *(len(row) for row in rows)])
    rules = ["---:" if align[i:i + 1] == "r" else "---" for i in range(width)]
    lines = [_table_row(headers, width), "|" + "|".join(rules) + "|"]
    lines += [_table_row(row, width) for row in rows]
    return lines


def _table_row(cells: Sequence[str], width: int) -> str:
    padded = [*cells, *[""] * (width - len(cells))]
    return "| " + " | ".join(_escape(str(cell)) for cell in padded) + " |"


def _escape(text: str) -> str:
    escaped = _MARKDOWN_ACTIVE.sub(r"\\\1", text)
    return "<br>".join(line.strip() for line in escaped.splitlines()) if "\n" in escaped else escaped

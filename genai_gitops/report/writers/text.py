"""The default, for people: findings grouped by file, tables aligned, one summary line last.

    dist/eu-1/acme/litellm.yaml
      12  error    Deployment/litellm -n acme  [schema/required]  spec.template is required

    2 errors, 1 warning in 3 files (10 resources) in 0.42 s
"""

from __future__ import annotations

from collections.abc import Sequence

from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.run import Report
from genai_gitops.report.section import Section
from genai_gitops.report.writers.base import WriterOptions, describe_resource, rule_id

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RED = "\x1b[31m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"
_SEVERITY_STYLE = {Severity.ERROR: _BOLD + _RED, Severity.WARNING: _YELLOW, Severity.INFO: _CYAN}
_SEVERITY_WIDTH = max(len(s.value) for s in Severity)
NO_FILE = "(no file)"


class TextWriter:
    def __init__(self, options: WriterOptions) -> None:
        self._colour = options.colour

    def render(self, report: Report) -> str:
        # one line-number width for the whole report keeps the columns of every file block aligned
        line_width = max((len(_line(f)) for f in report.findings), default=1)
        blocks = [self._file_block(file, findings, line_width) for file, findings in report.by_file().items()]
        blocks.extend(self._section(section) for section in report.sections)
        tail = []
        if report.runs:
            tail.append(self._style(_DIM, "  ".join(f"{run.name} {run.seconds:.2f} s" for run in report.runs)))
        tail.append(self._style(_BOLD + (_GREEN if report.passed else _RED), report.summary()))
        blocks.append("\n".join(tail))
        return "\n\n".join(blocks) + "\n"

    def _file_block(self, file: str, findings: Sequence[Finding], line_width: int) -> str:
        lines = [self._style(_BOLD, file or NO_FILE)]
        for finding in findings:
            severity = self._style(_SEVERITY_STYLE[finding.severity], finding.severity.value.ljust(_SEVERITY_WIDTH))
            resource = describe_resource(finding)
            parts = [f"  {_line(finding).rjust(line_width)}", severity]
            if resource:
                parts.append(resource)
            parts.append(self._style(_DIM, f"[{rule_id(finding)}]"))
            # continuation lines of a multi-line message stay under the finding they belong to
            indent = "\n" + " " * (line_width + 4)
            message = finding.message.replace("\n", indent)
            if finding.source:  # a generated object: what to edit is the data it came from
                message += f"{indent}edit {finding.source}"
            if finding.suppressed:
                message += f"{indent}" + self._style(_DIM, f"suppressed: {finding.suppressed}")
            parts.append(message)
            lines.append("  ".join(parts))
        return "\n".join(lines)

    def _section(self, section: Section) -> str:
        width = max([len(section.headers), *(len(row) for row in section.rows)])
        table = [_pad(section.headers, width), *(_pad(row, width) for row in section.rows)]
        widths = [max(len(row[i]) for row in table) for i in range(width)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()

        out = [self._style(_BOLD, section.title), line(table[0]), line(["-" * w for w in widths])]
        out.extend(line(row) for row in table[1:])
        return "\n".join(out)

    def _style(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self._colour else text


def _line(finding: Finding) -> str:
    return str(finding.line) if finding.line is not None else "-"


def _pad(row: Sequence[str], width: int) -> list[str]:
    return [str(cell) for cell in row] + [""] * (width - len(row))

"""The pull-request comment: verdict first, then counts, findings and tables."""

from __future__ import annotations

import re

from genai_gitops.report.finding import Severity
from genai_gitops.report.run import Report
from genai_gitops.report.writers import get_writer
from genai_gitops.report.writers.markdown import MAX_FINDINGS, VISIBLE_FINDINGS


def render(report: Report) -> str:
    return get_writer("markdown").render(report)


def table_after(text: str, heading: str) -> list[list[str]]:
    """The rows (header row first, separator dropped) of the first table after `heading`."""
    lines = text.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if not all(re.fullmatch(r"-+:?", c) for c in cells):
            rows.append(cells)
    return rows


def test_verdict_and_summary_come_first(sample_report):
    lines = render(sample_report).splitlines()
    assert lines[0] == "### ❌ genai-gitops: failed"
    assert lines[2] == "**3 errors, 1 warning, 1 info in 5 files (5 resources) in 1.80 s**"
    assert render(Report()).splitlines()[0] == "### ✅ genai-gitops: passed"


def test_counts_per_validator(sample_report):
    assert table_after(render(sample_report), "**\n") == [
        ["Validator", "Errors", "Warnings", "Info", "Time"],
        ["parse", "1", "0", "0", "0.01 s"],
        ["schema", "2", "0", "0", "0.25 s"],
        ["policy", "0", "1", "0", "1.50 s"],
        ["capacity", "0", "0", "1", "0.00 s"],
    ]


def test_findings_table_errors_first(sample_report):
    rows = table_after(render(sample_report), "#### Findings")
    assert rows[0] == ["", "File", "Line", "Resource", "Rule", "Message"]
    assert [row[0] for row in rows[1:]] == ["❌ error"] * 3 + ["⚠️ warning", "ℹ️ info"]  # noqa: RUF001
    assert rows[2] == ["❌ error", "dist/eu-1/acme/deploy.yaml", "12", "Deployment/litellm -n tenant-acme",
                       "schema/required", "spec.template is required"]


def test_sections_are_tables(sample_report):
    assert table_after(render(sample_report), "#### Quota headroom") == [
        ["tenant", "cpu", "gpu"], ["acme", "4", "1"], ["globex-long-name", "16", "0"]]


def test_cells_are_escaped_so_a_manifest_cannot_inject_markup(make_finding):
    text = render(Report(findings=(make_finding(message="a|b <img src=x> [x](http://e) *bold*\nnext"),)))
    row = table_after(text, "#### Findings")[1]
    assert row[-1] == r"a\|b \<img src=x\> \[x\](http://e) \*bold\*<br>next"


def test_past_fifty_findings_the_rest_fold_into_details(make_finding):
    findings = tuple(make_finding(line=i, severity=Severity.WARNING) for i in range(1, VISIBLE_FINDINGS + 11))
    text = render(Report(findings=findings))
    visible = text.split("<details>")[0]
    assert len(table_after(visible, "#### Findings")) == 1 + VISIBLE_FINDINGS
    assert "<summary>10 more findings</summary>" in text
    assert len(table_after(text, "<summary>10 more findings</summary>")) == 1 + 10
    assert text.rstrip().endswith("</details>")


def test_huge_reports_are_cut_to_fit_a_comment(make_finding):
    findings = tuple(make_finding(line=i) for i in range(1, MAX_FINDINGS + 6))
    text = render(Report(findings=findings))
    assert "…and 5 more, not shown here; the job log has every finding." in text
    assert len(text) < 65536


def test_no_findings_no_findings_table():
    assert "#### Findings" not in render(Report(files=("a.yaml",)))

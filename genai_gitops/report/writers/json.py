"""Machine-readable report: `{version, summary, findings}`, the shape scripts and tests rely on.

    {"version": "<genai-gitops version>",
     "summary": {"passed": bool, "exitCode": 0 | 1 | 2, "errors": int, "warnings": int, "infos": int,
                 "suppressed": int, "files": int, "resources": int, "objects": int, "dataFiles": int,
                 "validators": {"<name>": {"errors": int, "warnings": int, "infos": int, "suppressed": int}}},
     "findings": [{"file": str, "line": int | null, "apiVersion": str, "kind": str, "namespace": str,
                   "name": str, "validator": str, "rule": str, "severity": "error" | "warning" | "info",
                   "message": str, "source": str, "suppressed": str, "ruleId": str}, ...]}

`ruleId` is `<validator>/<rule>` as `genai-gitops rules list` names it; `source` is the tenant file and
field a finding on a generated object comes from ("" otherwise); `suppressed` is the reason a
suppression gave ("" when the finding counts). Counts leave suppressed findings out of errors,
warnings and infos; `objects` counts every object checked (also those a cached run did not read
again, which `resources` leaves out) and `dataFiles` the tenant and cluster files. Timings and
tables stay out, so the same input always gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from genai_gitops import __version__
from genai_gitops.report.run import Counts, Report
from genai_gitops.report.writers.base import WriterOptions, rule_id


class JsonWriter:
    def __init__(self, options: WriterOptions) -> None:
        del options  # nothing to configure: the shape is fixed

    def render(self, report: Report) -> str:
        return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"


def document(report: Report) -> dict[str, Any]:
    return {
        "version": __version__,
        "summary": {"passed": report.passed, "exitCode": report.exit_code(), **_counts(report.counts),
                    "files": len(report.files), "resources": report.resources, "objects": len(report.objects),
                    "dataFiles": len(report.data_files),
                    "validators": {name: _counts(report.counts_for(name)) for name in report.validators}},
        "findings": [{**finding.to_dict(), "ruleId": rule_id(finding)} for finding in report.findings],
    }


def _counts(counts: Counts) -> dict[str, int]:
    return {"errors": counts.errors, "warnings": counts.warnings, "infos": counts.infos,
            "suppressed": counts.suppressed}

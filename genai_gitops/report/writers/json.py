"""Machine-readable findings: a JSON list, one object per finding, in the report's order.

The shape is a contract that scripts and tests rely on; each object has exactly these keys
(Finding.to_dict):

    {"file": str, "line": int | null, "apiVersion": str, "kind": str, "namespace": str,
     "name": str, "validator": str, "rule": str, "severity": "error" | "warning" | "info",
     "message": str}

Sections and timings are left out on purpose, so `json.loads(output)` is always a list.
"""

from __future__ import annotations

import json

from genai_gitops.report.run import Report
from genai_gitops.report.writers.base import WriterOptions


class JsonWriter:
    def __init__(self, options: WriterOptions) -> None:
        del options  # nothing to configure: the shape is fixed

    def render(self, report: Report) -> str:
        return json.dumps([finding.to_dict() for finding in report.findings], indent=2, ensure_ascii=False) + "\n"

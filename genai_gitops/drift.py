"""Drift: the committed dist/ and argocd/ must equal a fresh synth of the committed data."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

from genai_gitops.report.finding import Finding, Severity


def _files(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    found: set[str] = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.update(os.path.relpath(os.path.join(folder, f), root) for f in files)
    return found


def compare_trees(committed: Path, fresh: Path) -> list[tuple[str, str]]:
    """(relative path, `changed` | `missing` | `unexpected`) for every file that differs."""
    mine, theirs = _files(committed), _files(fresh)
    out = [(p, "missing") for p in theirs - mine] + [(p, "unexpected") for p in mine - theirs]
    out += [(p, "changed") for p in mine & theirs
            if not filecmp.cmp(committed / p, fresh / p, shallow=False)]
    return sorted(out)


_HINT = {"changed": "differs from a fresh synth", "missing": "a fresh synth writes this file but it is not committed",
         "unexpected": "a fresh synth no longer writes this file (stale)"}


def drift_findings(committed: Path, fresh: Path, label: str) -> list[Finding]:
    return [Finding(file=f"{label}/{path}", line=None, api_version="", kind="", namespace="", name="",
                    validator="drift", rule=f"{label.split('/')[0]}-{status}", severity=Severity.ERROR,
                    message=f"{_HINT[status]}; run `make synth` and commit {label.split('/')[0]}/")
            for path, status in compare_trees(committed, fresh)]

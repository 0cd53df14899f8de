"""Drift: the committed dist/ and argocd/ must equal a fresh synth of the committed data."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

from genai_gitops.report.finding import Finding, Severity


def _files(root: Path) -> set[str]:
    """Every file below `root`, hidden ones and links (to folders too, never followed) included:
    whatever Argo CD could read must equal the synth."""
    if not root.is_dir():
        return set()
    found: set[str] = set()
    for folder, dirs, files in os.walk(root):
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        found.update(os.path.relpath(os.path.join(folder, f), root) for f in (*files, *links))
    return found


def _same(a: Path, b: Path) -> bool:
    if a.is_symlink() or b.is_symlink() or not (a.is_file() and b.is_file()):
        return False  # the synth writes regular files only
    return filecmp.cmp(a, b, shallow=False)


def compare_trees(committed: Path, fresh: Path) -> list[tuple[str, str]]:
    """(relative path, `changed` | `missing` | `unexpected`) for every file that differs."""
    mine, theirs = _files(committed), _files(fresh)
    out = [(p, "missing") for p in theirs - mine] + [(p, "unexpected") for p in mine - theirs]
    out += [(p, "changed") for p in mine & theirs
            if not _same(committed / p, fresh / p)]
    return sorted(out)


_HINT = {"changed": "differs from a fresh synth", "missing": "a fresh synth writes this file but it is not committed",
         "unexpected": "a fresh synth no longer writes this file (stale)"}


def drift_findings(committed: Path, fresh: Path, label: str) -> list[Finding]:
    return [Finding(file=f"{label}/{path}", line=None, api_version="", kind="", namespace="", name="",
                    validator="drift", rule=f"{label.split('/')[0]}-{status}", severity=Severity.ERROR,
                    message=f"{_HINT[status]}; run `make synth` and commit {label.split('/')[0]}/")
            for path, status in compare_trees(committed, fresh)]

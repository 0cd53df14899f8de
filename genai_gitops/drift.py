"""Drift: the committed dist/ and argocd/ must equal a fresh synth of the committed data."""

from __future__ import annotations

import filecmp
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from genai_gitops.manifests.reader import read_file
from genai_gitops.report.finding import Finding, Severity

#: field changes named in one drift finding before "and N more"
SHOWN_CHANGES = 3
#: a value longer than this is cut in a message
_VALUE_WIDTH = 60
_ABSENT = object()


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
    out = []
    for path, status in compare_trees(committed, fresh):
        # which fields differ, so a reviewer sees a hand edit of dist/ (or a stale synth) at a glance
        detail = _what_changed(committed / path, fresh / path) if status == "changed" else ""
        out.append(Finding(file=f"{label}/{path}", line=None, api_version="", kind="", namespace="", name="",
                           validator="drift", rule=f"{label.split('/')[0]}-{status}", severity=Severity.ERROR,
                           message=f"{_HINT[status]}{detail}; run `make synth` and commit {label.split('/')[0]}/"))
    return out


def field_changes(committed: Any, fresh: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(dotted path, committed value, fresh value) of every leaf that differs; lists compared item by item,
    so a changed image reads `spec.template.spec.containers[0].image`, not the whole list."""
    if isinstance(committed, dict) and isinstance(fresh, dict):
        for key in sorted({*committed, *fresh}, key=str):
            yield from field_changes(committed.get(key, _ABSENT), fresh.get(key, _ABSENT),
                                     f"{path}.{key}" if path else str(key))
    elif isinstance(committed, list) and isinstance(fresh, list):
        for index in range(max(len(committed), len(fresh))):
            yield from field_changes(committed[index] if index < len(committed) else _ABSENT,
                                     fresh[index] if index < len(fresh) else _ABSENT, f"{path}[{index}]")
    elif committed != fresh or type(committed) is not type(fresh):
        yield path or "(document)", committed, fresh


def _what_changed(committed: Path, fresh: Path) -> str:
    """`: spec.replicas: 2 -> 3; ...`, or "" when either side is not YAML (the plain hint says enough)."""
    # the committed side is input like any other: read with the hardened reader, never a plain YAML load
    before, after = read_file(committed), read_file(fresh)
    if before.findings or after.findings:
        return ""
    old, new = [r.obj for r in before.resources], [r.obj for r in after.resources]
    changes = list(field_changes(old[0] if len(old) == 1 else old, new[0] if len(new) == 1 else new))
    if not changes:
        return " (formatting only)"
    shown = [f"{path}: {_show(old)} -> {_show(new)}" for path, old, new in changes[:SHOWN_CHANGES]]
    more = f" and {len(changes) - SHOWN_CHANGES} more" if len(changes) > SHOWN_CHANGES else ""
    return f": {'; '.join(shown)}{more}"


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = repr(value) if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True,
                                                                     width=10**6).strip()
    if text.endswith("\n..."):
        text = text[:-4].strip()
    return text if len(text) <= _VALUE_WIDTH else text[:_VALUE_WIDTH - 3] + "..."

"""Rendered-manifest change between a base revision and the working tree, per cluster and app."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_gitops.manifests.reader import read_paths


class DiffError(Exception):
    pass


ObjectKey = tuple[str, str, str, str]  # app path, kind, namespace, name


@dataclass
class AppChange:
    app: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: object -> changed field paths
    changed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def index_tree(dist: Path) -> dict[ObjectKey, dict[str, Any]]:
    out: dict[ObjectKey, dict[str, Any]] = {}
    if not dist.is_dir():
        return out
    for resource in read_paths([dist]).resources:
        app = "/".join(Path(resource.file).relative_to(dist).parts[:2])
        out[(app, resource.kind, resource.namespace, resource.name)] = resource.obj
    return out


def changed_paths(before: Any, after: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of leaves that differ (lists compared by index; a length change is one change)."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted({*before, *after}):
            yield from changed_paths(before.get(key), after.get(key), f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            yield from changed_paths(b, a, f"{prefix}[{index}]")
    elif before != after:
        yield prefix or "(whole object)"


def diff_trees(base: Path, head: Path) -> list[AppChange]:
    old, new = index_tree(base), index_tree(head)
    changes: dict[str, AppChange] = {}

    def change(app: str) -> AppChange:
        return changes.setdefault(app, AppChange(app))

    for key in sorted({*old, *new}):
        app, kind, namespace, name = key
        label = f"{kind} {namespace + '/' if namespace else ''}{name}"
        if key not in old:
            change(app).added.append(label)
        elif key not in new:
            change(app).removed.append(label)
        else:
            paths = list(changed_paths(old[key], new[key]))
            if paths:
                change(app).changed[label] = paths
    return [c for _, c in sorted(changes.items()) if not c.empty]


def checkout_dist(repo: Path, ref: str, into: Path) -> Path:
    """The committed dist/ at `ref` (it equals the synth at `ref`: the PR check enforces that)."""
    try:
        archive = subprocess.run(["git", "archive", "--format=tar", ref, "dist"], cwd=repo, capture_output=True,
                                 check=True).stdout
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip()
        if "did not match any files" in message:  # the base has no dist/ yet: everything is new
            (into / "dist").mkdir(parents=True, exist_ok=True)
            return into / "dist"
        raise DiffError(f"cannot read dist/ at {ref!r}: {message}") from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "dist"


def default_base(repo: Path) -> str:
    for ref in ("origin/main", "HEAD"):
        if subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=repo,
                          capture_output=True).returncode == 0:
            return ref
    raise DiffError("no base revision: pass --base REF")


def render_text(changes: list[AppChange], base: str) -> str:
    if not changes:
        return f"no rendered-manifest change against {base}\n"
    lines = [f"rendered-manifest change against {base}:"]
    for c in changes:
        lines.append(f"  {c.app}: +{len(c.added)} -{len(c.removed)} ~{len(c.changed)}")
        lines += [f"    + {o}" for o in c.added] + [f"    - {o}" for o in c.removed]
        lines += [f"    ~ {o}: {', '.join(p[:8])}{' ...' if len(p) > 8 else ''}" for o, p in c.changed.items()]
    return "\n".join(lines) + "\n"


def render_markdown(changes: list[AppChange], base: str) -> str:
    if not changes:
        return f"### Rendered manifests\n\nNo change against `{base}`.\n"
    out = [f"### Rendered manifests: {len(changes)} app(s) changed against `{base}`", "",
           "| cluster / app | added | removed | changed |", "|---|---:|---:|---:|"]
    out += [f"| `{c.app}` | {len(c.added)} | {len(c.removed)} | {len(c.changed)} |" for c in changes]
    for c in changes:
        out += ["", f"<details><summary><code>{c.app}</code></summary>", ""]
        out += [f"- added `{o}`" for o in c.added] + [f"- removed `{o}`" for o in c.removed]
        out += [f"- changed `{o}`: " + ", ".join(f"`{p}`" for p in paths[:12]) + (" ..." if len(paths) > 12 else "")
                for o, paths in c.changed.items()]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def scratch() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="genai-gitops-diff-")

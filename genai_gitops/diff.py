"""What a change does to what Argo CD deploys: the committed dist/ and argocd/ at a base revision
against the same folders at the head, per cluster and app - never a fresh synth, which would hide
a hand-edit. Hand-edits are shown on their own, loudly: the head's committed files that differ from
a synth of the head's own data."""

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


def index_tree(dist: Path, *, depth: int = 2, label: str = "") -> dict[ObjectKey, dict[str, Any]]:
    """Objects by (app, kind, namespace, name); the app is the first `depth` folders, after `label`."""
    out: dict[ObjectKey, dict[str, Any]] = {}
    if not dist.is_dir():
        return out
    for resource in read_paths([dist]).resources:
        app = "/".join([*([label] if label else []), *Path(resource.file).relative_to(dist).parts[:depth]])
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


def diff_trees(base: Path, head: Path, *, depth: int = 2, label: str = "") -> list[AppChange]:
    old, new = index_tree(base, depth=depth, label=label), index_tree(head, depth=depth, label=label)
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
    """The committed dist/ at `ref`."""
    return checkout(repo, ref, into, "dist")


#: what a revision holds that the diff reads: the deployed folders, and the data they come from
DEPLOYED = ("dist", "argocd")
DATA = ("tenants", "clusters.yaml", "policies")


def checkout(repo: Path, ref: str, into: Path, path: str) -> Path:
    """`path` as committed at `ref`, extracted under `into` (an empty folder when `ref` has none)."""
    try:
        archive = subprocess.run(["git", "archive", "--format=tar", ref, "--", path], cwd=repo,
                                 capture_output=True, check=True).stdout
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip()
        if "did not match any files" in message:  # the revision has no such folder yet: everything is new
            (into / path).mkdir(parents=True, exist_ok=True)
            return into / path
        raise DiffError(f"cannot read {path} at {ref!r}: {message}") from None
    except OSError as exc:
        raise DiffError(f"cannot run git: {exc}") from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / path


def checkout_revision(repo: Path, ref: str, into: Path, paths: tuple[str, ...]) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    for path in paths:
        checkout(repo, ref, into, path)
    return into


def tree_changes(base: Path, head: Path) -> list[AppChange]:
    """Object changes of dist/ (per cluster/app) and argocd/ (per folder) between two revisions' roots."""
    return [*diff_trees(base / "dist", head / "dist"),
            *diff_trees(base / "argocd", head / "argocd", depth=1, label="argocd")]


def default_base(repo: Path) -> str:
    for ref in ("origin/main", "HEAD"):
        if subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=repo,
                          capture_output=True).returncode == 0:
            return ref
    raise DiffError("no base revision: pass --base REF")


def render_hand_edits_text(edits: list[tuple[str, str]], problem: str | None) -> str:
    if problem:
        return f"WARNING: cannot synthesise the head's data, so hand-edits are not known: {problem}\n"
    if not edits:
        return ""
    lines = [f"WARNING: {len(edits)} committed file(s) differ from a synth of the head's data (edited by hand, "
             "or `make synth` not run); Argo CD deploys them as committed:"]
    lines += [f"  {status:<10} {path}" for path, status in edits]
    return "\n".join(lines) + "\n"


def render_hand_edits_markdown(edits: list[tuple[str, str]], problem: str | None) -> str:
    if problem:
        return ("> [!WARNING]\n> **Cannot synthesise the head's data**, so hand-edits of `dist/` are not known: "
                f"{_md(problem)}\n")
    if not edits:
        return ""
    out = ["> [!CAUTION]",
           f"> **{len(edits)} committed file(s) differ from a synth of this revision's data**: edited by hand, or "
           "`make synth` was not run. Argo CD deploys the committed files, as listed in the changes below.", ">"]
    out += [f"> - {status} `{path}`" for path, status in edits[:50]]
    if len(edits) > 50:
        out.append(f"> - ... and {len(edits) - 50} more")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


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


def hand_edits(root: Path, scratch_dir: Path) -> tuple[list[tuple[str, str]], str | None]:
    """(path, `changed`|`missing`|`unexpected`) of every committed file under `root`'s dist/ and argocd/
    that differs from a synth of `root`'s own data, or why the data cannot be synthesised."""
    from genai_gitops.drift import compare_trees
    from genai_gitops.model.errors import ModelError
    from genai_gitops.model.loader import load_platform
    from genai_gitops.synth import synthesize_platform

    try:
        platform = load_platform(root / "tenants", root / "clusters.yaml")
        synthesize_platform(platform, scratch_dir / "dist", argocd_dir=scratch_dir / "argocd",
                            policies_dir=root / "policies" if (root / "policies").is_dir() else None)
    except ModelError as exc:
        return [], str(exc)
    return [(f"{folder}/{path}", status) for folder in DEPLOYED
            for path, status in compare_trees(root / folder, scratch_dir / folder)], None

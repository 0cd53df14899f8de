"""Every file under dist/ and argocd/ is one the check reads, or it is a finding.

Argo CD reads more than the check would: `*.jsonnet` in directory apps (evaluated), hidden files,
files behind symbolic links inside the repository, and a folder holding `kustomization.yaml` or
`Chart.yaml` becomes a Kustomize or Helm app unless the source type is forced. The generated
Applications force `directory` with include/exclude globs (argocd/appsets.py) so Argo CD reads only
non-hidden `*.yaml`/`*.yml`/`*.json`; this walk makes anything else in the tree an error, so a
clean check means the check read every byte Argo CD could deploy. It reads no file content and no
cache: the walk is the same on every run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from genai_gitops.report.finding import Finding, Severity

VALIDATOR = "tree"
READ_SUFFIXES = (".yaml", ".yml", ".json")
#: names that make Argo CD render a folder as Kustomize or Helm when the source type is not forced
SOURCE_TYPE_FILES = {"kustomization.yaml": "Kustomize", "kustomization.yml": "Kustomize",
                     "Kustomization": "Kustomize", "Chart.yaml": "Helm"}
JSONNET_SUFFIXES = (".jsonnet", ".libsonnet")
_REMOVE = "remove it (`make synth` writes only regular manifest files)"


@dataclass(frozen=True)
class Layout:
    """Where a tree keeps its manifests: `depth` folder levels below the root, then files only."""

    label: str
    depth: int
    #: allowed names of the first folder level (None: any; dist/ checks cluster names separately)
    folders: Collection[str] | None = None
    describe: str = ""


DIST = Layout("dist", 2, describe="dist/<cluster>/<app>/")
ARGOCD = Layout("argocd", 1, folders=("apps", "bootstrap"), describe="argocd/apps/ and argocd/bootstrap/")


def _finding(file: str, rule: str, message: str) -> Finding:
    return Finding(file=file, line=None, api_version="", kind="", namespace="", name="", validator=VALIDATOR,
                   rule=rule, severity=Severity.ERROR, message=message)


def unread_entries(root: Path, layout: Layout, *, scope: Callable[[str], bool] = lambda name: True,
                   top: bool = True) -> list[Finding]:
    """Findings for every entry below `root` the check would not read as a manifest.

    `scope(name)` says whether a first-level folder belongs to this run (check shards); `top`
    whether entries directly in `root` do. One scandir per folder (d_type: no stat per file)."""
    if root.is_symlink():
        return [_finding(layout.label, "tree-symlink", f"{layout.label}/ is a symbolic link; the check reads no "
                                                        f"link: make it a folder")]
    out: list[Finding] = []
    stack = [(str(root), layout.label, 0)]
    while stack:
        current, shown, level = stack.pop()
        with os.scandir(current) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        below = []
        for entry in entries:
            name, where = entry.name, f"{shown}/{entry.name}"
            is_dir = entry.is_dir(follow_symlinks=False)
            if level == 0 and is_dir and not name.startswith(".") and not scope(name):
                continue  # another shard's cluster
            if level == 0 and not top and not (is_dir and not name.startswith(".")):
                continue  # entries directly in the root belong to the first shard
            if not is_dir:
                found = _file_finding(entry, where, level, layout)
                if found is not None:
                    out.append(found)
            elif name.startswith("."):
                out.append(_finding(where, "tree-hidden", f"{where}/ is a hidden folder; the check does not read "
                                                          f"it; {_REMOVE}"))
            elif level >= layout.depth:
                out.append(_finding(where, "tree-nested-folder",
                                    f"{where}/ is a subfolder of an app folder: Argo CD does not read it "
                                    f"(directory.recurse is off) and the synth never writes one; {_REMOVE}"))
            elif level == 0 and layout.folders is not None and name not in layout.folders:
                out.append(_finding(where, "tree-unexpected-folder",
                                    f"{where}/ is not part of the layout ({layout.describe}); nothing deploys or "
                                    f"checks it; {_REMOVE}"))
            else:
                below.append((entry.path, where, level + 1))
        stack.extend(reversed(below))
    return out


def _file_finding(entry: os.DirEntry[str], where: str, level: int, layout: Layout) -> Finding | None:
    name = entry.name
    if entry.is_symlink():
        kind = "a folder" if os.path.isdir(entry.path) else "a file"
        return _finding(where, "tree-symlink", f"{where} is a symbolic link (to {kind}): Argo CD follows links "
                                               f"inside the repository, the check reads none; {_REMOVE}")
    if name.startswith("."):
        return _finding(where, "tree-hidden", f"{where} is a hidden file: the check does not read it and the "
                                              f"Applications exclude it; {_REMOVE}")
    if level != layout.depth:
        return _finding(where, "tree-misplaced", f"{where}: manifests live only in {layout.describe}; nothing "
                                                 f"deploys or checks a file here; {_REMOVE}")
    if name in SOURCE_TYPE_FILES:
        return _finding(where, "tree-source-type",
                        f"{where}: Argo CD renders a folder holding {name} as a {SOURCE_TYPE_FILES[name]} app "
                        f"unless its source type is forced, and the check reads it only as a manifest; {_REMOVE}")
    if name.endswith(JSONNET_SUFFIXES):
        return _finding(where, "tree-jsonnet", f"{where} is Jsonnet: Argo CD evaluates *.jsonnet in directory "
                                               f"apps, the check does not read it; {_REMOVE}")
    if not name.endswith(READ_SUFFIXES):
        return _finding(where, "tree-not-manifest", f"{where} is not a manifest (.yaml, .yml or .json): the "
                                                    f"check does not read it; {_REMOVE}")
    if not entry.is_file(follow_symlinks=False):
        return _finding(where, "tree-not-manifest", f"{where} is not a regular file; {_REMOVE}")
    return None


def tree_findings(repo_dist: Path, repo_argocd: Path, *, mine: Collection[str], known: Collection[str],
                  planned: Collection[str], first: bool, drift: bool) -> list[Finding]:
    """dist/ (this shard's clusters; unknown ones and entries directly in dist/ in the first shard)
    and argocd/ (first shard). With drift off, an app folder no app of the plan claims is a finding
    here (drift reports it as `dist-unexpected` otherwise)."""
    out: list[Finding] = []
    if repo_dist.is_dir() or repo_dist.is_symlink():
        out += unread_entries(repo_dist, DIST, scope=lambda c: c in mine or (first and c not in known), top=first)
        for cluster in sorted(os.listdir(repo_dist)) if repo_dist.is_dir() and not repo_dist.is_symlink() else []:
            path = repo_dist / cluster
            if cluster.startswith(".") or path.is_symlink() or not path.is_dir():
                continue
            if cluster not in known:
                if first:
                    out.append(_finding(f"dist/{cluster}", "tree-unknown-cluster",
                                        f"dist/{cluster}/: no cluster in clusters.yaml is named {cluster}; nothing "
                                        f"checks it as a cluster; {_REMOVE}"))
                continue
            if cluster not in mine or drift:
                continue
            for app in sorted(os.listdir(path)):
                app_path = path / app
                if (not app.startswith(".") and not app_path.is_symlink() and app_path.is_dir()
                        and f"{cluster}/{app}" not in planned):
                    out.append(_finding(f"dist/{cluster}/{app}", "tree-unclaimed-folder",
                                        f"dist/{cluster}/{app}/: no app of the data writes this folder, but an "
                                        f"ApplicationSet may still deploy it; {_REMOVE}"))
    if first and (repo_argocd.is_dir() or repo_argocd.is_symlink()):
        out += unread_entries(repo_argocd, ARGOCD)
    return sorted(out)

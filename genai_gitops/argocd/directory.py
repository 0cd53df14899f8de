"""Which files Argo CD reads from an Application's folder in this repository (Argo CD v3.5.1).

Mirrors the repo server: the source's `directory` is dropped when it is empty (recurse off, no
Jsonnet options, no include/exclude: util/argo NormalizeSource); a source without an explicit type
is detected from the folder (`kustomization.yaml|yml`/`Kustomization`: Kustomize, `Chart.yaml`:
Helm); a directory app walks the folder (subfolders only with `recurse`), keeps names matching
`*.yaml|yml|json|jsonnet`, follows symbolic links that stay inside the repository, keeps regular
files only, then drops paths (relative to the folder) matching `exclude` and keeps those matching
`include` (gobwas globs, no separators: `*` spans `/`). Hidden files are not skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from genai_gitops.globs import argocd_glob_match
from genai_gitops.manifests.reader import MANIFEST_SUFFIXES

#: reposerver/repository/repository.go manifestFile
_MANIFEST_FILE = re.compile(r"^.*\.(yaml|yml|json|jsonnet)$")
_DETECTED = (("kustomization.yaml", "Kustomize"), ("kustomization.yml", "Kustomize"),
             ("Kustomization", "Kustomize"), ("Chart.yaml", "Helm"))
_TYPES = (("kustomize", "Kustomize"), ("helm", "Helm"), ("plugin", "a config management plugin"))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def normalized_directory(source: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """`spec.source.directory` as Argo CD keeps it: None when it is empty and has no globs."""
    if "directory" not in source or source["directory"] is None:
        return None
    directory = _mapping(source["directory"])
    jsonnet = _mapping(directory.get("jsonnet"))
    empty = not directory.get("recurse") and not any(jsonnet.get(k) for k in ("extVars", "tlas", "libs"))
    if empty and not directory.get("include") and not directory.get("exclude"):
        return None
    return directory


def source_type(source: Mapping[str, Any], folder: Path, files: Collection[str] | None = None) -> str:
    """`Directory`, `Kustomize`, `Helm` or `a config management plugin`: how Argo CD renders the folder.
    `files`: the names of the folder's files, when the caller knows it holds no other file nor link
    (then the folder is asked only about a name that may be one of them)."""
    explicit = [label for key, label in _TYPES if source.get(key) is not None]
    if normalized_directory(source) is not None:
        explicit.append("Directory")
    if explicit:
        return explicit[0] if len(explicit) == 1 else "nothing (several source types are set)"
    # a file of another case may be the one asked for on a case-insensitive file system: only a folder
    # without one (nor a non-ASCII name) is answered from `files` alone
    folded = None if files is None else {name.lower() if name.isascii() else None for name in files}
    for name, label in _DETECTED:
        if folded is not None and None not in folded and name.lower() not in folded:
            continue
        if (folder / name).is_file():
            return label
    return "Directory"


#: the entries of one folder, sorted by name, as a caller listed them already (os.scandir)
Listing = Sequence[os.DirEntry[str]]


def list_folder(folder: str) -> list[os.DirEntry[str]]:
    """`folder`'s entries sorted by name: what `_entries` reads of a folder, to list it once for several uses."""
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda e: e.name)


def _entries(folder: Path, recurse: bool,
             listing: Listing | None = None) -> Iterator[tuple[str, os.DirEntry[str], bool]]:
    """(path relative to `folder`, entry, inside a hidden folder) of every non-folder entry; links to
    folders included as entries, never followed. scandir's d_type: no stat per regular file.
    `listing`: `folder`'s own entries (list_folder), when the caller listed it already."""
    stack = [(str(folder), "", False)]
    while stack:
        current, prefix, hidden = stack.pop()
        entries = listing if listing is not None and not prefix else list_folder(current)
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if recurse:
                    stack.append((entry.path, f"{rel}/", hidden or entry.name.startswith(".")))
            else:
                yield rel, entry, hidden


def read_files(source: Mapping[str, Any], folder: Path, repo_root: Path,
               listing: Listing | None = None) -> Iterator[str]:
    """Paths (relative to `folder`, `/`-separated) of the files a directory app reads."""
    directory = normalized_directory(source) or {}
    recurse = bool(directory.get("recurse"))
    include, exclude = str(directory.get("include") or ""), str(directory.get("exclude") or "")
    root: Path | None = None  # resolved on the first link only: resolve() costs a stat per path segment
    for rel, entry, _hidden in _entries(folder, recurse, listing):
        if not _MANIFEST_FILE.match(entry.name):
            continue
        if entry.is_symlink():
            root = root or repo_root.resolve()
            real = Path(os.path.realpath(entry.path))
            if (root != real and root not in real.parents) or not real.is_file():
                continue  # Argo CD refuses a link leaving the repository (the app fails) or skips a dangling one
        elif not entry.is_file(follow_symlinks=False):
            continue
        if exclude and argocd_glob_match(exclude, rel, negation=False):
            continue
        if include and not argocd_glob_match(include, rel, negation=False):
            continue
        yield rel


def checked_files(folder: Path, recurse: bool, listing: Listing | None = None) -> set[str]:
    """Paths (relative to `folder`) of the files `check` parses there: regular, not links, YAML/JSON,
    outside hidden folders (genai_gitops.manifests.cached.load_folders)."""
    return {rel for rel, entry, hidden in _entries(folder, recurse, listing)
            if not hidden and entry.name.endswith(MANIFEST_SUFFIXES) and entry.is_file(follow_symlinks=False)}


def unchecked_reads(source: Mapping[str, Any], folder: Path, repo_root: Path, *,
                    listing: Listing | None = None, files: Collection[str] | None = None) -> tuple[str, list[str]]:
    """How Argo CD renders `folder` and the files it reads there that `check` does not. `listing`:
    `folder`'s own entries (list_folder), when the caller listed it already. `files`: when the caller
    knows `folder` holds nothing but these regular, non-hidden YAML/JSON files and folders (no link,
    no other file): then, without recursing, Argo CD reads only files `check` reads, and none is listed."""
    kind = source_type(source, folder, files)
    if kind != "Directory":
        return kind, []
    recurse = bool((normalized_directory(source) or {}).get("recurse"))
    if files is not None and not recurse:
        return kind, []
    checked = checked_files(folder, recurse, listing)
    return kind, [rel for rel in read_files(source, folder, repo_root, listing) if rel not in checked]

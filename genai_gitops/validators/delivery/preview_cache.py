"""`cached_preview`: the Argo CD preview, keyed by argocd/ and the inventory, and kept only while
every answer the generators got from the working tree (folder walks, empty-folder tests, file
listings and the listed files' contents, all of which they memoise in their context's cache) is
still the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from genai_gitops.argocd.generators import new_context
from genai_gitops.argocd.generators.git import _has_file, _ls_files, _walk_dirs
from genai_gitops.argocd.preview import (
    PreviewApp,
    PreviewError,
    load_application_sets,
    preview,
    preview_application_set,
)
from genai_gitops.cache import ResultCache, digest
from genai_gitops.manifests.cached import Folder
from genai_gitops.model.cluster import ClusterInventory

PREVIEW_NAMESPACE = "delivery-preview"


def cached_preview(root: Path, inventory: ClusterInventory, argocd: Sequence[Folder], cache: ResultCache, *,
                   non_empty: Mapping[str, bool] | None = None) -> list[PreviewApp]:
    """`preview(root, inventory)`, from `cache` when nothing it read changed. `argocd`: the manifest
    folders of root/argocd/ (load_folders); `non_empty`: folders (repository paths) known to hold
    files or not, to spare testing them again."""
    if not cache.enabled:
        return preview(root, inventory)
    key = digest("preview", str(root), inventory.model_dump_json(), *(f.key for f in argocd))
    entry = cache.get(PREVIEW_NAMESPACE, key)
    if entry is not None:
        try:
            if _tree_unchanged(root, inventory, entry["tree"], non_empty or {}):
                return [PreviewApp(**item) for item in entry["apps"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an entry of another shape: preview again
    try:
        apps, tree = _recorded_preview(root, inventory)
    except PreviewError:
        return preview(root, inventory)  # preview's own error, word for word
    record = _tree_record(root, tree)
    if record is not None:
        with contextlib.suppress(TypeError, ValueError):  # something JSON cannot hold: previewed again next time
            cache.put(PREVIEW_NAMESPACE, key, {"apps": [asdict(app) for app in apps], "tree": record})
    return apps


def _recorded_preview(root: Path, inventory: ClusterInventory) -> tuple[list[PreviewApp], dict[str, Any]]:
    """What `preview` does, with the generators' cache of the working tree kept: its record."""
    apps: list[PreviewApp] = []
    owner: dict[str, str] = {}
    tree: dict[str, Any] = {}
    for appset in load_application_sets(root):
        for app in preview_application_set(appset, root, inventory, cache=tree):
            if app.name in owner:
                raise PreviewError(f"ApplicationSet {appset.name} generates Application {app.name} twice over")
            owner[app.name] = appset.name
            apps.append(app)
    return sorted(apps, key=lambda a: a.name), tree


def _tree_record(root: Path, tree: Mapping[str, Any]) -> dict[str, Any] | None:
    """The generators' answers from the working tree, as JSON; None when they memoised something
    this does not know how to check again (then the preview is not cached)."""
    dirs: list[Any] = []
    files: list[Any] = []
    non_empty: list[Any] = []
    for key, value in tree.items():
        if key.startswith("git-dirs:"):
            start, _, depth = key.removeprefix("git-dirs:").rpartition(":")
            dirs.append([start, None if depth == "None" else int(depth), sorted(value)])
        elif key == "git-non-empty":
            non_empty = sorted([path, bool(found)] for path, found in value.items())
        elif key.startswith("git-files:"):
            files.append([key.removeprefix("git-files:"), list(value), _contents(root, value)])
        elif key != "cluster-secrets":  # that one comes from the inventory, part of the key
            return None
    return {"dirs": dirs, "non_empty": non_empty, "files": files}


def _tree_unchanged(root: Path, inventory: ClusterInventory, record: Mapping[str, Any],
                    known: Mapping[str, bool]) -> bool:
    for start, depth, listed in record["dirs"]:
        if sorted(_walk_dirs(root, start, depth)) != listed:
            return False
    for path, found in record["non_empty"]:
        if (known[path] if path in known else _has_file(str(root / path))) != found:
            return False
    context = new_context(root, inventory)
    for pattern, listed, contents in record["files"]:
        if _ls_files(context, pattern) != listed or _contents(root, listed) != contents:
            return False
    return True


def _contents(root: Path, files: Sequence[str]) -> str:
    parts = []
    for file in files:
        try:
            parts.append((root / file).read_bytes())
        except OSError as exc:
            parts.append(f"unreadable: {exc}".encode())
    return digest(*files, *parts)

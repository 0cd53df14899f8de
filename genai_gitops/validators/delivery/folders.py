"""Folders: every `dist/<cluster>/<app>/` holding a file is claimed by exactly one Application
(`unclaimed-folder`, `folder-claimed-twice`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from genai_gitops.argocd.preview import PreviewApp
from genai_gitops.validators.delivery.findings import Located, file_finding
from genai_gitops.validators.delivery.repository import Repository


def folder_findings(apps: Sequence[PreviewApp], listing: Sequence[tuple[str, str, bool]],
                    repo: Repository) -> list[Located]:
    """`listing`: (cluster folder, app folder, holds any file) for every dist/<cluster>/<app>/."""
    claims: dict[str, list[str]] = defaultdict(list)
    for app in apps:
        for path in repo.repo_paths(app.sources):
            claims[path].append(app.name)
    out: list[Located] = []
    for cluster, app_name, has_files in listing:
        if not has_files:
            continue  # git keeps no empty folder: nothing to deliver
        owner = cluster if cluster in repo.known else None
        rel = f"dist/{cluster}/{app_name}"
        names = claims.get(rel, [])
        if not names:
            out.append(Located(owner, file_finding(
                str(repo.root / rel), rule="unclaimed-folder", message=(
                f"{rel}/ is delivered by no Application: no ApplicationSet generates one for it, so its "
                "objects never reach a cluster"))))
        elif len(names) > 1:
            out.append(Located(owner, file_finding(
                str(repo.root / rel), rule="folder-claimed-twice", message=(
                f"{rel}/ is the source of Applications {', '.join(sorted(names))}: they would manage the "
                "same objects and overwrite each other"))))
    return out

"""Write argocd/: the bootstrap root Application, the platform AppProject and the ApplicationSets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genai_gitops.argocd.appsets import LAYOUTS, application_set, appset_name, platform_project, root_application
from genai_gitops.model.apps import AppSpec
from genai_gitops.model.loader import Platform
from genai_gitops.synth.writer import dump
from genai_gitops_constructs.versions import CHARTS


def write_argocd(platform: Platform, apps: Sequence[AppSpec], folder: Path) -> None:
    inventory = platform.inventory
    (folder / "bootstrap").mkdir(parents=True, exist_ok=True)
    (folder / "apps").mkdir(parents=True, exist_ok=True)
    (folder / "bootstrap" / "root-app.yaml").write_text(dump(root_application(inventory)), encoding="utf-8")
    project = platform_project(inventory, (chart.repo_url for chart in CHARTS.values()))
    (folder / "apps" / "project-platform.yaml").write_text(dump(project), encoding="utf-8")
    for layout in LAYOUTS:
        path = folder / "apps" / f"applicationset-{appset_name(layout.kind)}.yaml"
        path.write_text(dump(application_set(layout, inventory)), encoding="utf-8")

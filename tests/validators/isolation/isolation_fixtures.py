"""Helpers for the isolation tests: write manifests, build the Target a run builds, run the validator."""

from __future__ import annotations

import textwrap
from pathlib import Path

from genai_gitops.manifests import read_paths
from genai_gitops.model.loader import Platform
from genai_gitops.report.finding import Finding
from genai_gitops.validators.base import Target
from genai_gitops.validators.isolation.validator import IsolationValidator


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def cluster_target(folder: Path, platform: Platform | None, cluster: str) -> Target:
    """The Target `genai-gitops check` builds for one cluster (with data), or `validate PATH` (without)."""
    resources = read_paths([folder]).resources
    if platform is None:
        return Target(name=str(folder), k8s_version="1.30", resources=resources)
    spec = platform.cluster(cluster)
    return Target(name=cluster, k8s_version=spec.kubernetes_version, resources=resources, cluster=spec,
                  tenants=platform.tenants_on(cluster), inventory=platform.inventory)


def isolation(target: Target, **options: int) -> list[Finding]:
    return list(IsolationValidator(None, **options).validate(target))

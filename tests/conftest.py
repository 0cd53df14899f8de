"""Shared fixtures: the repository's own data, synthesised once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def platform():
    from genai_gitops.model import load_platform

    return load_platform(REPO / "tenants", REPO / "clusters.yaml")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh synth of the example data (dist/ and argocd/) in a temp folder."""
    from genai_gitops.synth import synthesize

    out = tmp_path_factory.mktemp("synth")
    synthesize(REPO / "tenants", REPO / "clusters.yaml", out / "dist", policies_dir=REPO / "policies",
               argocd_dir=out / "argocd")
    return out


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of tenants/ and clusters.yaml to break on purpose."""
    shutil.copytree(REPO / "tenants", tmp_path / "tenants")
    shutil.copy(REPO / "clusters.yaml", tmp_path / "clusters.yaml")
    return tmp_path

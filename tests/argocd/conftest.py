"""Fixtures for the Argo CD preview: the fixture repository, copied and synthesised into a temp folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.model.loader import load_inventory

REPO = Path(__file__).resolve().parents[2]
FIXTURE_REPO = REPO / "tests" / "fixtures" / "repo"


def synthesize_copy(root: Path) -> None:
    """(Re)synthesise dist/ and argocd/ of a repository copy from its own data."""
    from genai_gitops.synth import synthesize

    policies = root / "policies"
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist",
               policies_dir=policies if policies.is_dir() else None, argocd_dir=root / "argocd")


@pytest.fixture(scope="session")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture repository (tests/fixtures/repo) with the source tree's policies/, synthesised once;
    do not modify it."""
    root = tmp_path_factory.mktemp("example-repo")
    shutil.copytree(FIXTURE_REPO / "tenants", root / "tenants")
    shutil.copy(FIXTURE_REPO / "clusters.yaml", root / "clusters.yaml")
    if (REPO / "policies").is_dir():
        shutil.copytree(REPO / "policies", root / "policies")
    synthesize_copy(root)
    return root


@pytest.fixture()
def repo_copy(example_repo: Path, tmp_path: Path) -> Path:
    """A writable copy of the synthesised example repository."""
    root = tmp_path / "repo"
    shutil.copytree(example_repo, root)
    return root


@pytest.fixture()
def resynthesize() -> Callable[[Path], None]:
    return synthesize_copy


@pytest.fixture(scope="session")
def inventory(example_repo: Path) -> ClusterInventory:
    return load_inventory(example_repo / "clusters.yaml")

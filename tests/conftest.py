"""Shared fixtures: a frozen fixture repository (tests/fixtures/repo), never the committed example data.

The repository's own tenants/, clusters.yaml and dist/ change with every onboarding PR; tests that
counted them failed on every such PR. Tests therefore build from `tests/fixtures/repo/` (a frozen copy
of the example data as it was) in temp folders; the committed data is only checked for being valid
and in sync, in tests/test_committed_data.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

#: the source tree: code, policies/, Makefile. Not a source of tenant or cluster data for tests.
REPO = Path(__file__).resolve().parents[1]
#: the frozen fixture repository: tenants/ and clusters.yaml (policies come from the source tree)
FIXTURE_REPO = Path(__file__).resolve().parent / "fixtures" / "repo"


def copy_fixture_data(target: Path) -> Path:
    """Copy the fixture repository's tenants/ and clusters.yaml into `target` (created if needed)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURE_REPO / "tenants", target / "tenants")
    shutil.copy(FIXTURE_REPO / "clusters.yaml", target / "clusters.yaml")
    return target


def synthesised_copy(target: Path) -> Path:
    """The fixture data and the source tree's policies/ in `target`, with dist/ and argocd/ synthesised there."""
    from genai_gitops.cli import main  # the synth loads cdk8s: only for the tests that synthesise

    copy_fixture_data(target)
    shutil.copytree(REPO / "policies", target / "policies")
    assert main(["synth", "--tenants", str(target / "tenants"), "--clusters", str(target / "clusters.yaml"),
                 "--out", str(target / "dist"), "--argocd", str(target / "argocd"),
                 "--policies", str(target / "policies"), "--cache-dir", "", "--quiet"]) == 0
    return target


@pytest.fixture(scope="session")
def repo() -> Path:
    """The source tree (code, policies/, Makefile). For tenant/cluster data use `fixture_repo`,
    `data_copy` or `synthesized`: the committed data changes with every onboarding."""
    return REPO


@pytest.fixture(scope="session")
def fixture_repo() -> Path:
    """The frozen fixture repository (tenants/, clusters.yaml); read-only, copy it to change it."""
    return FIXTURE_REPO


@pytest.fixture(scope="session")
def platform():
    from genai_gitops.model import load_platform

    return load_platform(FIXTURE_REPO / "tenants", FIXTURE_REPO / "clusters.yaml")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture repository synthesised once in a temp folder: tenants/, clusters.yaml, policies/,
    dist/ and argocd/ (a complete repository root; do not modify it)."""
    from genai_gitops.synth import synthesize

    out = copy_fixture_data(tmp_path_factory.mktemp("synth"))
    shutil.copytree(REPO / "policies", out / "policies")
    synthesize(out / "tenants", out / "clusters.yaml", out / "dist", policies_dir=out / "policies",
               argocd_dir=out / "argocd")
    return out


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture's tenants/ and clusters.yaml to break on purpose."""
    return copy_fixture_data(tmp_path)

"""The committed example data (tenants/, clusters.yaml) and its output (dist/, argocd/): valid and in sync.

This is the only module that reads the repository's own data. Every other test builds from the frozen
fixture repository (tests/fixtures/repo) so that onboarding a tenant, which changes tenants/ and dist/,
keeps the suite green; here nothing is counted, only checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.check import CheckOptions, run_check
from genai_gitops.drift import compare_trees
from genai_gitops.model import load_platform
from genai_gitops.report.finding import Severity
from genai_gitops.validation import check_validator_names


@pytest.fixture(scope="module")
def committed_synth(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from genai_gitops.synth import synthesize

    out = tmp_path_factory.mktemp("committed")
    synthesize(repo / "tenants", repo / "clusters.yaml", out / "dist", policies_dir=repo / "policies",
               argocd_dir=out / "argocd")
    return out


def test_committed_data_loads(repo: Path) -> None:
    platform = load_platform(repo / "tenants", repo / "clusters.yaml")
    assert platform.inventory.clusters
    # every environment of the RollingSync order has a cluster, so a change reaches prod through dev and staging
    assert {c.environment.value for c in platform.clusters} == {"dev", "staging", "prod"}


def test_committed_output_equals_a_fresh_synth(repo: Path, committed_synth: Path) -> None:
    """A PR that changes data or constructs without re-synthesising fails here (run `make synth`)."""
    assert compare_trees(repo / "dist", committed_synth / "dist") == []
    assert compare_trees(repo / "argocd", committed_synth / "argocd") == []


def test_committed_repository_checks_clean(repo: Path) -> None:
    """`genai-gitops check --skip checkov --no-cache` on the repository: no error and no warning."""
    validators = [n for n in check_validator_names(None) if n != "checkov"]
    report = run_check(CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml",
                                    dist=repo / "dist", argocd=repo / "argocd", policies=repo / "policies",
                                    validators=validators, cache_dir=None, workers=1))
    assert [f"{f.file}: {f.rule}: {f.message}" for f in report.findings
            if f.severity in (Severity.ERROR, Severity.WARNING)] == []
    assert report.exit_code() == 0

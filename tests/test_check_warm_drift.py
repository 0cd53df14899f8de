"""Drift on a warm cache: a cluster read whole from the cache is not recorded again, the policies are read
only when something is rendered, and every report still equals a run without a cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops import cache_keys
from tests.conftest import synthesised_copy
from tests.test_check_incremental import check, warm


@pytest.fixture()
def repo_copy(tmp_path: Path) -> Path:
    return synthesised_copy(tmp_path / "repo")


def entries(cache_dir: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in (cache_dir / cache_keys.SYNTH_CLUSTER).rglob("*.json")}


def test_a_warm_run_rewrites_no_cluster_entry_and_reports_the_same(repo_copy: Path, tmp_path: Path) -> None:
    cache_dir = warm(repo_copy, tmp_path)
    before = entries(cache_dir)
    assert before  # one per cluster
    assert check(repo_copy, cache_dir) == check(repo_copy, None)
    assert entries(cache_dir) == before


def test_a_hand_edit_on_a_warm_cache_is_drift(repo_copy: Path, tmp_path: Path) -> None:
    cache_dir = warm(repo_copy, tmp_path)
    manifest = next(p for p in sorted((repo_copy / "dist").rglob("*.yaml")) if "replicas:" in p.read_text())
    manifest.write_text(manifest.read_text().replace("replicas:", "replicas: 7\n  x-replicas:", 1))
    incremental = check(repo_copy, cache_dir)
    assert incremental == check(repo_copy, None)
    assert any(f.get("validator") == "drift" for f in incremental[:-1])


def test_a_policy_edit_on_a_warm_cache_is_rendered_with_the_new_policies(repo_copy: Path, tmp_path: Path) -> None:
    cache_dir = warm(repo_copy, tmp_path)
    policy = repo_copy / "policies/k8s-required-probes/constraint.yaml"
    policy.write_text(policy.read_text().replace("enforcementAction: deny", "enforcementAction: dryrun", 1))
    incremental = check(repo_copy, cache_dir)
    assert incremental == check(repo_copy, None)
    # every cluster's config app deploys the constraint: a fresh render with the edited policies differs
    assert any(f.get("validator") == "drift" and "cluster-config" in f["file"] for f in incremental[:-1])

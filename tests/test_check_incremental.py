"""An incremental check (warm cache, then an edit) reports exactly what a cold check of the same tree does.

Each test warms a cache on a synthesised copy of the fixture repository (3 tenants, 3 clusters), edits
the tree the way a pull request would, then compares the warm run's report with a run without any
cache on the same tree: every finding, in the order reported, with file, line, rule and message.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from genai_gitops.check import CheckOptions, run_check
from genai_gitops.cli import main
from tests.conftest import synthesised_copy

VALIDATORS = ("schema", "policy", "refs", "capacity", "foundations", "delivery")


@pytest.fixture()
def repo_copy(tmp_path: Path) -> Path:
    """The fixture repository and the source tree's policies/, synthesised fresh (no synth cache)."""
    return synthesised_copy(tmp_path / "repo")


def synth(repo: Path, cache_dir: Path | None) -> None:
    assert main(["synth", "--tenants", str(repo / "tenants"), "--clusters", str(repo / "clusters.yaml"),
                 "--out", str(repo / "dist"), "--argocd", str(repo / "argocd"), "--policies", str(repo / "policies"),
                 "--cache-dir", str(cache_dir or ""), "--quiet"]) == 0


def check(repo: Path, cache_dir: Path | None) -> list[dict]:
    report = run_check(CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml",
                                    dist=repo / "dist", argocd=repo / "argocd", policies=repo / "policies",
                                    validators=VALIDATORS, cache_dir=cache_dir, workers=1))
    # the whole report as a user reads it: findings in order, and what was counted
    return [*(f.to_dict() for f in report.findings),
            {"resources": report.resources, "files": sorted(report.files), "exit": report.exit_code()}]


def warm(repo: Path, tmp_path: Path) -> Path:
    cache_dir = tmp_path / "cache"
    synth(repo, cache_dir)
    check(repo, cache_dir)
    assert any(cache_dir.rglob("*.json"))
    return cache_dir


def test_tenant_edit_then_synth(repo_copy: Path, tmp_path: Path) -> None:
    cache_dir = warm(repo_copy, tmp_path)
    tenant = repo_copy / "tenants/acme.yaml"
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 600", "requests_per_minute: 601"))
    synth(repo_copy, cache_dir)  # as the bench does: the synth records what the new inputs produce
    incremental = check(repo_copy, cache_dir)
    assert incremental == check(repo_copy, None)
    assert incremental[-1]["exit"] == 0


def test_edit_that_introduces_findings(repo_copy: Path, tmp_path: Path) -> None:
    cache_dir = warm(repo_copy, tmp_path)
    tenant = repo_copy / "tenants/acme.yaml"
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 600", "requests_per_minute: 601"))
    synth(repo_copy, cache_dir)
    # then a hand edit on top: a broken selector (refs) and a string where an integer belongs (schema)
    svc = repo_copy / "dist/customer-eu-1/tenant-acme/Service-ollama.yaml"
    svc.write_text(svc.read_text().replace("app.kubernetes.io/name: ollama", "app.kubernetes.io/name: olama"))
    dep = repo_copy / "dist/customer-us-1/tenant-globex/Deployment-redis.yaml"
    dep.write_text(dep.read_text().replace("replicas: 1", 'replicas: "1"'))
    incremental = check(repo_copy, cache_dir)
    cold = check(repo_copy, None)
    assert incremental == cold
    assert {f["validator"] for f in cold[:-1]} >= {"drift", "refs", "schema"}


def test_hand_edit_of_dist_without_synth(repo_copy: Path, tmp_path: Path) -> None:
    cache_dir = warm(repo_copy, tmp_path)
    config = repo_copy / "dist/central-prod/central/ConfigMap-litellm-teams.yaml"
    config.write_text(config.read_text() + "# edited by hand\n")
    incremental = check(repo_copy, cache_dir)
    assert incremental == check(repo_copy, None)
    assert any(f.get("rule") == "dist-changed" for f in incremental[:-1])


def test_same_size_edit_with_the_old_mtime(repo_copy: Path, tmp_path: Path) -> None:
    """A change that keeps the file's size, written back with its old timestamps: only content tells."""
    cache_dir = warm(repo_copy, tmp_path)
    dep = repo_copy / "dist/customer-us-1/tenant-globex/Deployment-redis.yaml"
    before = dep.stat()
    text = dep.read_text()
    assert "replicas: 1\n" in text
    dep.write_text(text.replace("replicas: 1\n", "replicas: 7\n", 1))
    os.utime(dep, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert dep.stat().st_size == before.st_size and dep.stat().st_mtime_ns == before.st_mtime_ns
    incremental = check(repo_copy, cache_dir)
    assert incremental == check(repo_copy, None)
    assert any(f.get("rule") == "dist-changed" and f.get("file", "").endswith("Deployment-redis.yaml")
               for f in incremental[:-1])


def test_same_size_tenant_edit_with_the_old_mtime(repo_copy: Path, tmp_path: Path) -> None:
    """The tenant data is read through the cache too: a same-size edit of a tenant file is seen."""
    cache_dir = warm(repo_copy, tmp_path)
    tenant = repo_copy / "tenants/acme.yaml"
    before = tenant.stat()
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 600", "requests_per_minute: 601"))
    os.utime(tenant, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert tenant.stat().st_size == before.st_size
    incremental = check(repo_copy, cache_dir)
    assert incremental == check(repo_copy, None)
    assert any(f.get("rule") == "dist-changed" for f in incremental[:-1])  # not re-synthesised: drift


def test_an_unchanged_cluster_costs_one_entry_not_one_per_folder(repo_copy: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    """Counts, YAML problems and synth digests of a cluster seen before come from one entry each."""
    import genai_gitops.check as check_module
    from genai_gitops.cache import DiskCache

    cache_dir = warm(repo_copy, tmp_path)
    check(repo_copy, cache_dir)  # the first warm check recorded the per-cluster entries
    read: list[str] = []

    class Counting(DiskCache):
        def _read(self, namespace: str, key: str):
            read.append(namespace)
            return super()._read(namespace, key)

    monkeypatch.setattr(check_module, "DiskCache", Counting)
    tenant = repo_copy / "tenants/acme.yaml"
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 600", "requests_per_minute: 601"))
    synth(repo_copy, cache_dir)
    incremental = check(repo_copy, cache_dir)
    monkeypatch.undo()
    assert incremental == check(repo_copy, None)
    # acme is on customer-eu-1 and its data reaches central-prod (LiteLLM's teams): those two clusters
    # are read folder by folder; customer-us-1 is untouched
    apps = {c: len([p for p in (repo_copy / "dist" / c).iterdir()]) for c in ("customer-eu-1", "central-prod")}
    assert read.count("synth") == sum(apps.values())
    assert read.count("synth-cluster") == read.count("folders-summary") == 3

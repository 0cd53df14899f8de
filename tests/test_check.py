"""`genai-gitops check`: drift, stale apps, sharding and the cache, through the public interfaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genai_gitops.check import CheckOptions, run_check
from genai_gitops.cli import main
from tests.conftest import synthesised_copy

FAST = ("schema", "policy", "refs", "capacity", "delivery")


@pytest.fixture()
def repo_copy(tmp_path: Path) -> Path:
    """The fixture repository and the source tree's policies/, synthesised fresh (no synth cache)."""
    return synthesised_copy(tmp_path / "repo")


def options(repo: Path, **overrides) -> CheckOptions:
    base = dict(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml", dist=repo / "dist",
                argocd=repo / "argocd", policies=repo / "policies", validators=FAST, workers=1)
    return CheckOptions(**{**base, **overrides})


def findings(report) -> list[tuple]:
    return sorted((f.validator, f.rule, f.file, f.name, f.message) for f in report.findings)


def test_fresh_synth_is_clean(repo_copy: Path) -> None:
    report = run_check(options(repo_copy))
    assert findings(report) == [] and report.exit_code() == 0


def test_drift_lists_the_files_that_differ(repo_copy: Path) -> None:
    tenant = repo_copy / "tenants/globex.yaml"
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 300", "requests_per_minute: 350"))
    drift = [(f.rule, f.file) for f in run_check(options(repo_copy)).findings if f.validator == "drift"]
    # the teams ConfigMap, and the sync CronJob whose checksum annotation rolls it
    assert drift == [("dist-changed", "dist/central-prod/central/ConfigMap-litellm-teams.yaml"),
                     ("dist-changed", "dist/central-prod/central/CronJob-litellm-team-sync.yaml")]


def test_anything_added_to_or_changed_in_a_committed_app_folder_is_drift(repo_copy: Path) -> None:
    """The fresh synth is compared by folder digest; whatever makes a folder differ is still named."""
    app = repo_copy / "dist/customer-us-1/tenant-globex"
    first = sorted(app.glob("*.yaml"))[0]
    first.write_text(first.read_text() + "# a comment only\n")  # same objects, other bytes
    (app / ".hidden.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n")
    (app / "main.jsonnet").write_text("{}\n")
    (app / "ConfigMap-link.yaml").symlink_to(first)
    drift = {(f.rule, f.file) for f in run_check(options(repo_copy)).findings if f.validator == "drift"}
    rel = "dist/customer-us-1/tenant-globex"
    assert {("dist-changed", f"{rel}/{first.name}"), ("dist-unexpected", f"{rel}/.hidden.yaml"),
            ("dist-unexpected", f"{rel}/main.jsonnet"), ("dist-unexpected", f"{rel}/ConfigMap-link.yaml")} <= drift


def test_removed_tenant_leaves_a_stale_app(repo_copy: Path) -> None:
    (repo_copy / "tenants/globex.yaml").unlink()
    drift = {(f.rule, f.file) for f in run_check(options(repo_copy)).findings if f.validator == "drift"}
    assert ("dist-unexpected", "dist/customer-us-1/tenant-globex") in drift
    assert ("dist-unexpected", "dist/customer-us-1/tenant-globex-guardrails") in drift


def break_two_clusters(repo: Path) -> None:
    svc = repo / "dist/customer-eu-1/tenant-acme/Service-ollama.yaml"
    svc.write_text(svc.read_text().replace("app.kubernetes.io/name: ollama", "app.kubernetes.io/name: olama"))
    dep = repo / "dist/customer-us-1/tenant-globex/Deployment-redis.yaml"
    dep.write_text(dep.read_text().replace("replicas: 1", "replicas: \"1\""))


def test_shards_union_equals_unsharded_run(repo_copy: Path) -> None:
    break_two_clusters(repo_copy)
    whole = findings(run_check(options(repo_copy)))
    assert {f[0] for f in whole} >= {"drift", "refs", "schema"}
    parts = [findings(run_check(options(repo_copy, shard=(i, 3)))) for i in (1, 2, 3)]
    assert sorted(f for part in parts for f in part) == whole


def test_cached_and_parallel_runs_equal_a_plain_run(repo_copy: Path, tmp_path: Path) -> None:
    break_two_clusters(repo_copy)
    plain = findings(run_check(options(repo_copy)))
    cache_dir = tmp_path / "cache"
    cold = run_check(options(repo_copy, cache_dir=cache_dir, workers=2))
    warm = run_check(options(repo_copy, cache_dir=cache_dir, workers=2))
    assert findings(cold) == findings(warm) == plain
    # an edit invalidates exactly what it touches; the result equals a run without cache
    tenant = repo_copy / "tenants/acme.yaml"
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 600", "requests_per_minute: 650"))
    assert findings(run_check(options(repo_copy, cache_dir=cache_dir))) == findings(run_check(options(repo_copy)))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other-tool", "wrong-key"])
def test_a_damaged_or_foreign_cache_is_ignored(repo_copy: Path, tmp_path: Path, damage: str) -> None:
    break_two_clusters(repo_copy)
    cache_dir = tmp_path / "cache"
    expected = findings(run_check(options(repo_copy, cache_dir=cache_dir)))
    entries = sorted(cache_dir.rglob("*.json"))
    assert entries
    for entry in entries:
        raw = entry.read_bytes()
        header, _, payload = raw.partition(b"\n")
        if damage == "truncate":
            entry.write_bytes(raw[: len(raw) // 2])
        elif damage == "garbage":
            entry.write_bytes(header + b"\n" + payload.replace(b"error", b"errxr"))
        elif damage == "other-tool":
            meta = json.loads(header)
            meta["tool"] = "0" * 40
            entry.write_bytes(json.dumps(meta).encode() + b"\n" + payload)
        else:  # an entry copied under another key
            meta = json.loads(header)
            meta["key"] = "f" * 40
            entry.write_bytes(json.dumps(meta).encode() + b"\n" + payload)
    again = run_check(options(repo_copy, cache_dir=cache_dir))
    assert findings(again) == expected


def test_cli_check_exit_codes(repo_copy: Path, capsys) -> None:
    assert main(["check", "--repo", str(repo_copy), "--only", ",".join(FAST), "--no-cache"]) == 0
    capsys.readouterr()
    break_two_clusters(repo_copy)
    assert main(["check", "--repo", str(repo_copy), "--only", ",".join(FAST), "--output", "json",
                 "--no-cache"]) == 1
    reported = json.loads(capsys.readouterr().out)["findings"]
    assert {"refs", "schema", "drift"} <= {f["validator"] for f in reported}
    assert main(["check", "--repo", str(repo_copy), "--shard", "0/2"]) == 2


def test_check_after_synth_renders_nothing(repo_copy: Path, tmp_path: Path, monkeypatch) -> None:
    """The synth records what each app's inputs produce; the check then compares without rendering."""
    cache_dir = tmp_path / "cache"
    assert main(["synth", "--tenants", str(repo_copy / "tenants"), "--clusters", str(repo_copy / "clusters.yaml"),
                 "--out", str(repo_copy / "dist"), "--argocd", str(repo_copy / "argocd"),
                 "--policies", str(repo_copy / "policies"), "--cache-dir", str(cache_dir), "--quiet"]) == 0
    import genai_gitops.check as check

    rendered: list[int] = []
    original = check.render

    def counting(inputs, specs, *rest):
        rendered.append(len(specs))
        return original(inputs, specs, *rest)

    monkeypatch.setattr(check, "render", counting)
    assert findings(run_check(options(repo_copy, cache_dir=cache_dir))) == []
    assert sum(rendered) == 0
    tenant = repo_copy / "tenants/acme.yaml"
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 600", "requests_per_minute: 650"))
    drift = {f.file for f in run_check(options(repo_copy, cache_dir=cache_dir)).findings}
    assert "dist/central-prod/central/ConfigMap-litellm-teams.yaml" in drift  # not re-synthesised: drift
    assert 0 < sum(rendered) <= 4  # only the apps whose inputs changed were rendered

"""load_platform from a warm cache against no cache on a generated repository (bench/generate.py, 60
tenants over 11 clusters): the same platform when clean, the same problems, in the same order, after
edits a pull request could make."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from genai_gitops.cache import DiskCache
from genai_gitops.model import ModelError, load_platform

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
TENANTS = 60


def outcome(root: Path, cache: DiskCache | None = None) -> tuple:
    try:
        platform = load_platform(root / "tenants", root / "clusters.yaml", **({"cache": cache} if cache else {}))
    except ModelError as exc:
        return ("problems", [str(p) for p in exc.problems])
    return ("clean", tuple(t.model_dump_json() for t in platform.tenants), platform.inventory.model_dump_json(),
            platform.tenant_files)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def overlapping_endpoint(root: Path) -> None:
    # t0011 and t0001 are both on customer-01; t0011 takes t0001's address
    replace(root / "tenants/t0011.yaml", "10.21.240.2/32", "10.21.240.0/30")


def secret_in_inventory(root: Path) -> None:
    replace(root / "clusters.yaml", "bucket: genai-backups-central-prod", "bucket: AKIAIOSFODNN7EXAMPLF")


def schema_errors(root: Path) -> None:
    replace(root / "tenants/t0030.yaml", "usage_mode: local", "usage_mode: sometimes")
    replace(root / "tenants/t0007.yaml", "plan: starter", "plan: starter\n  extra: 1")


def duplicate_host(root: Path) -> None:
    replace(root / "tenants/t0042.yaml", "host: ai.t0042.example.com", "host: ai.t0041.example.com")


def renamed_and_removed(root: Path) -> None:
    (root / "tenants/t0005.yaml").rename(root / "tenants/t0005-old.yaml")
    (root / "tenants/t0006.yaml").unlink()


def clean_edit(root: Path) -> None:
    replace(root / "tenants/t0009.yaml", "requests_per_minute: 300", "requests_per_minute: 301")


@pytest.mark.parametrize("change", [overlapping_endpoint, secret_in_inventory, schema_errors, duplicate_host,
                                    renamed_and_removed, clean_edit])
def test_warm_cache_equals_no_cache(tmp_path: Path, monkeypatch, change: Callable[[Path], None]) -> None:
    root = bench.generate(TENANTS, tmp_path / "repo")
    monkeypatch.chdir(root)
    cache_dir = tmp_path / "cache"
    before = outcome(root)
    assert before[0] == "clean"
    assert outcome(root, DiskCache(cache_dir)) == before  # cold, fills the cache
    assert outcome(root, DiskCache(cache_dir)) == before  # warm
    change(root)
    plain = outcome(root)
    assert outcome(root, DiskCache(cache_dir)) == plain
    assert outcome(root, DiskCache(cache_dir)) == plain  # and once more, after the cache saw the change
    if change is not clean_edit:
        assert plain[0] == "problems" and plain[1]

"""load_platform through the result cache: the same platform as without it, and problems never cached."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from genai_gitops import cache_keys
from genai_gitops.cache import DiskCache
from genai_gitops.model import ModelError, load_platform


def dump(platform) -> tuple:
    return (tuple(t.model_dump_json() for t in platform.tenants), platform.inventory.model_dump_json(),
            platform.tenant_files)


def problems(data: Path, cache=None) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_platform(data / "tenants", data / "clusters.yaml", **({"cache": cache} if cache else {}))
    return [str(p) for p in info.value.problems]


def test_a_cached_load_equals_a_plain_one(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    plain = dump(load_platform(data_copy / "tenants", data_copy / "clusters.yaml"))
    cache = DiskCache(tmp_path / "cache")
    assert dump(load_platform(data_copy / "tenants", data_copy / "clusters.yaml", cache=cache)) == plain
    tenants = len(list((data_copy / "tenants").glob("*.yaml")))
    # cold: the inventory, the folder's tenant index and every tenant file miss
    assert (cache.hits, cache.misses) == (0, tenants + 2)
    again = DiskCache(tmp_path / "cache")
    from genai_gitops.model import loader

    parsed: list[str] = []
    original = loader._read_yaml
    monkeypatch.setattr(loader, "_read_yaml", lambda path, *rest: parsed.append(path.name) or original(path, *rest))
    assert dump(load_platform(data_copy / "tenants", data_copy / "clusters.yaml", cache=again)) == plain
    # warm: one entry for the inventory, one for every tenant file (the index)
    assert (again.hits, again.misses) == (2, 0)
    assert parsed == []  # nothing parsed again


def test_a_same_size_edit_with_the_old_mtime_is_read(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    cache = DiskCache(tmp_path / "cache")
    load_platform(data_copy / "tenants", data_copy / "clusters.yaml", cache=cache)
    tenant = data_copy / "tenants/acme.yaml"
    before = tenant.stat()
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 600", "requests_per_minute: 601", 1))
    os.utime(tenant, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert tenant.stat().st_size == before.st_size
    cached = load_platform(data_copy / "tenants", data_copy / "clusters.yaml", cache=DiskCache(tmp_path / "cache"))
    assert dump(cached) == dump(load_platform(data_copy / "tenants", data_copy / "clusters.yaml"))
    assert next(t for t in cached.tenants if t.id == "acme").quotas.requests_per_minute == 601


def test_problems_are_never_cached(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    tenant = data_copy / "tenants/globex.yaml"
    tenant.write_text(tenant.read_text().replace("plan: business", "plan: 'sk-proj-abcdefghijklmnopqrst'", 1))
    expected = problems(data_copy)
    assert any("tenants/globex.yaml: billing.plan: this looks like" in p for p in expected)
    root = tmp_path / "cache"
    assert problems(data_copy, DiskCache(root)) == expected
    assert problems(data_copy, DiskCache(root)) == expected
    # only the two clean files were stored
    assert len(list((root / cache_keys.TENANT_FILE).rglob("*.json"))) == 2

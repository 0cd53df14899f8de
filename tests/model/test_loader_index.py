"""The one-entry tenant index and the cached inventory: a warm cache gives exactly what no cache gives,
and a file edited since (a secret, an overlapping endpoint) is read and reported afresh."""

from __future__ import annotations

from pathlib import Path

from genai_gitops import cache_keys
from genai_gitops.cache import DiskCache
from genai_gitops.model import load_platform
from tests.model.test_loader_cache import dump, problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def warm(data: Path, root: Path) -> None:
    load_platform(data / "tenants", data / "clusters.yaml", cache=DiskCache(root))


def test_warm_index_equals_no_cache_after_adding_removing_and_editing(data_copy: Path, tmp_path: Path,
                                                                      monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    root = tmp_path / "cache"
    (data_copy / "tenants/globex.yaml").rename(tmp_path / "globex.yaml")
    warm(data_copy, root)
    (tmp_path / "globex.yaml").rename(data_copy / "tenants/globex.yaml")  # added
    (data_copy / "tenants/initech.yaml").unlink()  # removed
    edit(data_copy / "tenants/acme.yaml", "requests_per_minute: 600", "requests_per_minute: 601")
    plain = load_platform(data_copy / "tenants", data_copy / "clusters.yaml")
    cache = DiskCache(root)
    assert dump(load_platform(data_copy / "tenants", data_copy / "clusters.yaml", cache=cache)) == dump(plain)
    # the index now holds exactly the current files: a third run reads nothing but it and the inventory
    again = DiskCache(root)
    assert dump(load_platform(data_copy / "tenants", data_copy / "clusters.yaml", cache=again)) == dump(plain)
    assert (again.hits, again.misses) == (2, 0)


def test_an_overlapping_endpoint_is_reported_on_a_warm_cache(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    root = tmp_path / "cache"
    warm(data_copy, root)
    # acme (same cluster, unchanged, from the index) holds 10.20.240.16/28
    edit(data_copy / "tenants/initech.yaml", '["10.20.240.32/28"]', '["10.20.240.0/27"]')
    expected = ["tenants/initech.yaml: database_endpoints[0]: '10.20.240.0/27' overlaps the database endpoints of "
                "tenants/acme.yaml; each tenant's databases need addresses of their own (a separate subnet block "
                "or instance)"]
    assert problems(data_copy) == expected
    assert problems(data_copy, DiskCache(root)) == expected
    assert problems(data_copy, DiskCache(root)) == expected  # a problem is never stored


def test_a_secret_in_clusters_yaml_is_reported_on_a_warm_cache(data_copy: Path, tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    root = tmp_path / "cache"
    warm(data_copy, root)
    assert len(list((root / cache_keys.INVENTORY_FILE).rglob("*.json"))) == 1
    edit(data_copy / "clusters.yaml", 'channel: "#genai-alerts"', 'channel: "sk-proj-abcdefghijklmnopqrstuvwx"')
    expected = problems(data_copy)
    assert any("clusters.yaml: " in p and "this looks like an OpenAI/LiteLLM key" in p for p in expected)
    assert problems(data_copy, DiskCache(root)) == expected
    assert problems(data_copy, DiskCache(root)) == expected
    assert len(list((root / cache_keys.INVENTORY_FILE).rglob("*.json"))) == 1  # only the clean one


def test_an_unreadable_tenant_is_reported_in_file_order(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    root = tmp_path / "cache"
    warm(data_copy, root)
    (data_copy / "tenants/globex.yaml").unlink()
    (data_copy / "tenants/globex.yaml").mkdir()  # a folder named like a tenant file cannot be read
    edit(data_copy / "tenants/initech.yaml", "  gpu: 1\n", "  gpu: 2\n  bogus: 1\n")
    expected = problems(data_copy)
    assert [p.split(":")[0] for p in expected] == ["tenants/globex.yaml", "tenants/initech.yaml"]
    assert problems(data_copy, DiskCache(root)) == expected


def test_a_record_that_does_not_validate_is_read_again(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    root = tmp_path / "cache"
    warm(data_copy, root)
    cache = DiskCache(root)
    key = cache_keys.tenant_index(folder="tenants")
    index = cache.get(cache_keys.TENANT_INDEX, key)
    assert isinstance(index, dict) and len(index) == 3
    # an entry another tool version would not have written: every hit is read as if uncached
    cache.put(cache_keys.TENANT_INDEX, key, {k: '{"id": 1}' for k in index})
    again = DiskCache(root)
    cached = load_platform(data_copy / "tenants", data_copy / "clusters.yaml", cache=again)
    assert dump(cached) == dump(load_platform(data_copy / "tenants", data_copy / "clusters.yaml"))
    assert DiskCache(root).get(cache_keys.TENANT_INDEX, key) == index  # the good records are back

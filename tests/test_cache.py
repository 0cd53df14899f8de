"""The cache interface: every implementation that stores behaves alike; the disk one also survives the run
and refuses entries it cannot vouch for; the null one stores nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from genai_gitops.cache import NO_CACHE, DiskCache, MemoryCache, NullCache, ResultCache

KEY = "ab" + "c" * 38

Factory = Callable[[Path], ResultCache]
STORING: dict[str, Factory] = {
    "disk": lambda root: DiskCache(root / "cache", fingerprint="a" * 40),
    "memory": lambda root: MemoryCache(),
}


@pytest.fixture(params=sorted(STORING))
def cache(request, tmp_path: Path) -> ResultCache:
    return STORING[request.param](tmp_path)


def test_round_trip_and_counters(cache: ResultCache) -> None:
    assert cache.enabled
    assert cache.get("ns", KEY) is None
    cache.put("ns", KEY, {"x": [1, 2], "y": None})
    assert cache.get("ns", KEY) == {"x": [1, 2], "y": None}
    assert cache.get("other", KEY) is None  # namespaces are separate
    assert (cache.hits, cache.misses) == (1, 2)


def test_a_hit_is_a_fresh_copy(cache: ResultCache) -> None:
    value = {"items": [1]}
    cache.put("ns", KEY, value)
    value["items"].append(2)  # changing what was put does not change what is stored
    first = cache.get("ns", KEY)
    assert first == {"items": [1]}
    first["items"].append(3)  # nor does changing what was read
    assert cache.get("ns", KEY) == {"items": [1]}


def test_the_last_put_wins(cache: ResultCache) -> None:
    cache.put("ns", KEY, 1)
    cache.put("ns", KEY, [2])
    assert cache.get("ns", KEY) == [2]


def test_a_value_json_cannot_hold_is_refused(cache: ResultCache) -> None:
    with pytest.raises(TypeError):
        cache.put("ns", KEY, {"when": object()})
    assert cache.get("ns", KEY) is None


def test_null_cache_stores_nothing_and_counts_nothing() -> None:
    null = NullCache()
    null.put("ns", KEY, {"x": 1})
    assert null.get("ns", KEY) is None
    assert not null.enabled and (null.hits, null.misses) == (0, 0)
    assert isinstance(NO_CACHE, NullCache)


def test_disk_entries_outlive_the_cache_object(tmp_path: Path) -> None:
    DiskCache(tmp_path, fingerprint="a" * 40).put("ns", KEY, [1])
    assert DiskCache(tmp_path, fingerprint="a" * 40).get("ns", KEY) == [1]
    assert list((tmp_path / "ns" / "ab").iterdir()) == [tmp_path / "ns" / "ab" / f"{KEY}.json"]  # no temp file left


@pytest.mark.parametrize("damage", ["other-tool", "other-key", "edited", "truncated"])
def test_disk_entries_it_cannot_vouch_for_are_misses(tmp_path: Path, damage: str) -> None:
    DiskCache(tmp_path, fingerprint="a" * 40).put("ns", KEY, {"findings": ["error"]})
    entry = tmp_path / "ns" / "ab" / f"{KEY}.json"
    header, _, payload = entry.read_bytes().partition(b"\n")
    meta = json.loads(header)
    if damage == "other-key":
        meta["key"] = "f" * 40
    elif damage == "edited":
        payload = payload.replace(b"error", b"errxr")
    elif damage == "truncated":
        payload = payload[:5]
    fingerprint = "b" * 40 if damage == "other-tool" else "a" * 40
    entry.write_bytes(json.dumps(meta).encode() + b"\n" + payload)
    reader = DiskCache(tmp_path, fingerprint=fingerprint)
    assert reader.get("ns", KEY) is None and reader.misses == 1


def test_an_unwritable_disk_cache_only_costs_speed(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    cache = DiskCache(tmp_path / "file", fingerprint="a" * 40)
    cache.put("ns", KEY, 1)  # no error
    assert cache.get("ns", KEY) is None

"""Parsing several clusters' folders in one map leaves each set exactly as its own first use would."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops import cache_keys, pools
from genai_gitops.cache import MemoryCache
from genai_gitops.manifests import cached
from genai_gitops.manifests.cached import LazyResources, load_folders, parse_together

FILES = {
    "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: {ns}\n",
    "list.yaml": "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n"
                 "      name: a\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n",
    "two.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: v1\nkind: Secret\n"
                "metadata:\n  name: k\n",
    "broken.yaml": "kind: [unclosed\n",
    "data.json": '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "{ns}"}}',
}


def _tree(root: Path) -> dict[str, list]:
    """Three clusters of several app folders each (a YAML error in one), as load_folders reads them."""
    by_cluster = {}
    for cluster in ("central", "east", "west"):
        for app in range(4):
            folder = root / cluster / f"app-{app}"
            folder.mkdir(parents=True)
            for name, text in FILES.items():
                if name != "broken.yaml" or (cluster, app) == ("east", 2):
                    (folder / name).write_text(text.replace("{ns}", f"{cluster}-{app}"))
        by_cluster[cluster] = load_folders([root / cluster])
    return by_cluster


def _state(lazy: LazyResources) -> tuple:
    m = lazy.manifests
    return ([(r.file, r.line, r.digest, r.obj) for r in m.resources], [f.to_dict() for f in m.findings], m.files,
            lazy.resource_count(), lazy.cached_file_count(), [f.to_dict() for f in lazy.parse_findings()])


@pytest.fixture
def counted_maps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many items each map over folders had; the threshold lowered so that these few folders fork."""
    calls: list[int] = []
    real = pools.map_inherited

    def counting(fn, items, **kwargs):
        calls.append(len(items))
        return real(fn, items, **kwargs)

    monkeypatch.setattr(cached.pools, "map_inherited", counting)
    monkeypatch.setattr(cached, "PARALLEL_FOLDERS", 2)
    return calls


@pytest.mark.parametrize("warm", [False, True])
def test_together_equals_one_by_one(tmp_path: Path, counted_maps: list[int], warm: bool) -> None:
    by_cluster = _tree(tmp_path / "dist")
    alone_cache, together_cache = MemoryCache(), MemoryCache()
    if warm:  # a folder parsed by an earlier run comes from the cache in both ways
        east = by_cluster["east"][1]
        for c in (alone_cache, together_cache):
            cached.parse_folders([east], cache=c)
        counted_maps.clear()
    alone = {name: LazyResources(f, alone_cache, 2, digest=f"d-{name}") for name, f in by_cluster.items()}
    expected = {name: _state(lazy) for name, lazy in alone.items()}
    assert counted_maps == ([4, 3, 4] if warm else [4, 4, 4])
    counted_maps.clear()

    together = {name: LazyResources(f, together_cache, 2, digest=f"d-{name}") for name, f in by_cluster.items()}
    parse_together(together.values())
    assert counted_maps == [11 if warm else 12]  # one map for the three clusters
    assert all(lazy.loaded for lazy in together.values())
    assert {name: _state(lazy) for name, lazy in together.items()} == expected
    assert counted_maps == [11 if warm else 12]  # and nothing parsed again on use
    # what the next run reads from the cache is the same too
    for name in by_cluster:
        assert together_cache.get(cache_keys.FOLDERS_SUMMARY, f"d-{name}") == \
            alone_cache.get(cache_keys.FOLDERS_SUMMARY, f"d-{name}")
        for folder in by_cluster[name]:
            for space in (cache_keys.PARSED, cache_keys.PARSE_FINDINGS, cache_keys.RESOURCE_COUNT):
                assert together_cache.get(space, folder.key) == alone_cache.get(space, folder.key)
    assert expected["east"][1], "the planted YAML error is reported"


def test_sets_it_cannot_share_a_map_for_parse_themselves(tmp_path: Path, counted_maps: list[int]) -> None:
    by_cluster = _tree(tmp_path / "dist")
    a = LazyResources(by_cluster["central"], MemoryCache(), 2)
    b = LazyResources(by_cluster["east"], MemoryCache(), 2)  # another cache
    c = LazyResources(by_cluster["west"], a._cache, 1)  # other workers
    parse_together([a, b])
    parse_together([a, c])
    parse_together([a, ["not", "lazy"]])  # one set alone: nothing to share
    assert counted_maps == [] and not any(s.loaded for s in (a, b, c))
    parsed = LazyResources(by_cluster["east"], a._cache, 2)
    len(parsed)
    counted_maps.clear()
    parse_together([a, parsed])  # a set parsed already is left as it is
    assert counted_maps == [] and not a.loaded

"""A cold check boots its render workers while it loads the data; a warm or small one starts none."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops import cache_keys
from genai_gitops import check as check_module
from genai_gitops.cache import DiskCache, MemoryCache
from genai_gitops.check import CheckOptions, _prestarted_render
from genai_gitops.synth.render import PARALLEL_THRESHOLD


class Recorded:
    """Stands in for RenderWorkers (whose real behaviour tests/synth/test_render_workers.py covers)."""

    made: list[Recorded] = []

    def __init__(self, workers: int) -> None:
        self.workers, self.closed = workers, False
        Recorded.made.append(self)

    def __enter__(self) -> Recorded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    Recorded.made = []
    monkeypatch.setattr(check_module, "RenderWorkers", Recorded)
    (tmp_path / "tenants").mkdir()
    for n in range(PARALLEL_THRESHOLD // 2):
        (tmp_path / "tenants" / f"t{n:04}.yaml").write_text("id: x\n")
    return tmp_path


def options(repo: Path, **overrides: object) -> CheckOptions:
    base: dict = dict(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml", dist=repo / "dist",
                      argocd=repo / "argocd", policies=repo / "policies", validators=(), workers=2)
    return CheckOptions(**{**base, **overrides})


def started(opts: CheckOptions, cache) -> Recorded | None:
    with _prestarted_render(opts, cache) as workers:
        return workers  # type: ignore[return-value]


def test_a_cold_check_of_many_tenants_prestarts(repo: Path, tmp_path: Path) -> None:
    workers = started(options(repo), MemoryCache())
    assert isinstance(workers, Recorded) and workers.workers == 2 and workers.closed
    # an empty cache folder is as cold
    assert isinstance(started(options(repo), DiskCache(tmp_path / "cache")), Recorded)


def test_no_prestart_where_the_render_would_not_use_it(repo: Path) -> None:
    warm = MemoryCache()
    warm.put(cache_keys.SYNTH, "k", "digest")
    assert started(options(repo), warm) is None  # synth results recorded: most apps come from the cache
    assert started(options(repo, drift=False), MemoryCache()) is None
    assert started(options(repo, workers=1), MemoryCache()) is None
    (repo / "tenants" / "t0000.yaml").unlink()  # fewer tenant files than a parallel render needs
    assert started(options(repo), MemoryCache()) is None
    assert started(options(repo, tenants=repo / "missing"), MemoryCache()) is None
    assert Recorded.made == []


def test_holds_none_per_namespace(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "cache")
    assert disk.holds_none(cache_keys.SYNTH)
    disk.put(cache_keys.PARSED, "ab12", [1])
    assert disk.holds_none(cache_keys.SYNTH) and not disk.holds_none(cache_keys.PARSED)
    memory = MemoryCache()
    memory.put(cache_keys.PARSED, "ab12", [1])
    assert memory.holds_none(cache_keys.SYNTH) and not memory.holds_none(cache_keys.PARSED)

"""The reader pauses the cyclic garbage collector while it reads, and gives it back as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from genai_gitops.manifests import reader


@pytest.mark.parametrize("running", [True, False])
def test_the_collector_is_paused_and_restored(running: bool) -> None:
    (gc.enable if running else gc.disable)()
    try:
        with reader.no_collection():
            assert not gc.isenabled()
        assert gc.isenabled() is running
    finally:
        gc.enable()


def test_a_large_tree_is_frozen_out_of_later_collections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(3):
        (tmp_path / f"cm{i}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n")
    frozen = gc.get_freeze_count()
    try:
        monkeypatch.setattr(reader, "FREEZE_FILES", 4)
        assert len(reader.read_paths([tmp_path]).resources) == 3
        assert gc.get_freeze_count() == frozen  # a small tree: nothing frozen
        monkeypatch.setattr(reader, "FREEZE_FILES", 3)
        parsed = reader.read_paths([tmp_path])
        assert [r.name for r in parsed.resources] == ["c0", "c1", "c2"]
        assert gc.get_freeze_count() > frozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()

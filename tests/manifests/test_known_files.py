"""Files remembered by their stat signature (manifests/known_files.py): an unchanged file is not read again,
and any change a later write can make is seen, as a fresh read would see it."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from genai_gitops import safeyaml
from genai_gitops.cache import DiskCache, MemoryCache
from genai_gitops.manifests import cached
from genai_gitops.manifests.cached import load_folders, remember_written
from genai_gitops.manifests.known_files import RACY_NS
from tests.conftest import copy_fixture_data

FILES = {"app-a/ConfigMap-a.yaml": "kind: ConfigMap\nmetadata:\n  name: a\n",
         "app-a/Service-a.yaml": "kind: Service\nmetadata:\n  name: a\n",
         "app-b/ConfigMap-b.yaml": "kind: ConfigMap\nmetadata:\n  name: b\n"}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths load_folders and Folder.files read, in order."""
    seen: list[str] = []
    real = safeyaml.read_bytes

    def counting(path: str | os.PathLike[str]) -> bytes:
        seen.append(os.path.basename(str(path)))
        return real(path)

    monkeypatch.setattr(cached.safeyaml, "read_bytes", counting)
    return seen


def tree(root: Path, *, settle: bool = True) -> Path:
    top = root / "dist" / "cluster"
    for name, text in FILES.items():
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text(text)
    if settle:  # older than the racy margin when the next scan begins
        time.sleep(1.5 * RACY_NS / 1e9)
    return top


def view(folders: list[cached.Folder]) -> list[tuple[str, str, str, list[tuple[str, bytes]]]]:
    return [(f.path, f.key, f.digest, f.files) for f in folders]


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, reads: list[str]) -> None:
    top = tree(tmp_path)
    cache = DiskCache(tmp_path / "cache")
    first = load_folders([top], cache=cache)
    assert sorted(reads) == sorted(os.path.basename(n) for n in FILES)
    first_view = view(first)
    reads.clear()
    again = load_folders([top], cache=cache)
    assert reads == []
    # the same keys, digests and (read on demand) bytes as a plain read
    assert [(f.path, f.key, f.digest) for f in again] == [(f.path, f.key, f.digest) for f in first]
    assert view(again) == first_view == view(load_folders([top]))


@pytest.mark.parametrize("change", ["same size", "mtime put back", "replaced", "removed and added"])
def test_any_change_is_read(tmp_path: Path, reads: list[str], change: str) -> None:
    top = tree(tmp_path)
    cache = DiskCache(tmp_path / "cache")
    load_folders([top], cache=cache)
    target = top / "app-a" / "ConfigMap-a.yaml"
    before = target.stat()
    if change == "same size":
        target.write_text(FILES["app-a/ConfigMap-a.yaml"].replace("a\n", "z\n"))
    elif change == "mtime put back":  # `touch -r`: the change time still moves
        target.write_text(FILES["app-a/ConfigMap-a.yaml"].replace("a\n", "z\n"))
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif change == "replaced":
        replacement = top / "app-a" / "new.tmp"
        replacement.write_text(FILES["app-a/ConfigMap-a.yaml"].replace("a\n", "z\n"))
        os.replace(replacement, target)
    else:
        target.unlink()
        (top / "app-b" / "Secret-c.yaml").write_text("kind: Secret\n")
    reads.clear()
    again = load_folders([top], cache=cache)
    # only what changed is read; the rest is read (and checked against its digest) when asked for
    assert set(reads) <= {"ConfigMap-a.yaml", "Secret-c.yaml"} and reads
    assert view(again) == view(load_folders([top]))


def test_a_file_written_just_before_the_scan_is_not_remembered(tmp_path: Path, reads: list[str]) -> None:
    """A write in the same clock tick as the read could leave every stat field as it was: such a file is
    read again next time, until its times are older than the racy margin."""
    top = tree(tmp_path, settle=False)
    cache = DiskCache(tmp_path / "cache")
    load_folders([top], cache=cache)
    reads.clear()
    load_folders([top], cache=cache)
    assert sorted(reads) == sorted(os.path.basename(n) for n in FILES)


def test_a_cache_of_this_run_only_keeps_nothing(tmp_path: Path, reads: list[str]) -> None:
    """An untrusted cache folder gives the check an in-memory cache (cache_trust): every file is read."""
    top = tree(tmp_path)
    cache = MemoryCache()
    load_folders([top], cache=cache)
    reads.clear()
    load_folders([top], cache=cache)
    assert len(reads) == len(FILES)


def test_a_file_changed_while_the_check_runs_is_an_error(tmp_path: Path) -> None:
    top = tree(tmp_path)
    cache = DiskCache(tmp_path / "cache")
    load_folders([top], cache=cache)
    folders = load_folders([top], cache=cache)
    target = top / "app-a" / "ConfigMap-a.yaml"
    target.write_text(FILES["app-a/ConfigMap-a.yaml"].replace("a\n", "z\n"))
    with pytest.raises(OSError) as raised:
        _ = folders[0].files
    assert raised.value.errno == errno.ESTALE and raised.value.filename == str(target)


def test_a_forged_entry_is_ignored(tmp_path: Path, reads: list[str]) -> None:
    """An entry of another shape (a cache written by something else) is a miss, never an answer."""
    top = tree(tmp_path)
    cache = DiskCache(tmp_path / "cache")
    from genai_gitops import cache_keys

    key = cache_keys.known_files(folder=os.path.realpath(top))
    cache.put(cache_keys.KNOWN_FILES, key, {"app-a/ConfigMap-a.yaml": ["x"], "app-b/ConfigMap-b.yaml": "y"})
    load_folders([top], cache=cache)
    assert len(reads) == len(FILES)


def test_what_synth_writes_is_known_to_the_next_check(tmp_path: Path, reads: list[str]) -> None:
    from genai_gitops.synth import synthesize

    root = copy_fixture_data(tmp_path / "repo")
    cache = DiskCache(tmp_path / "cache")
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist", policies_dir=root / "policies",
               argocd_dir=root / "argocd", cache=cache)
    clusters = sorted(p for p in (root / "dist").iterdir() if p.is_dir())
    reads.clear()
    remembered = [load_folders([c], cache=cache) for c in clusters]
    assert reads == []
    assert [view(f) for f in remembered] == [view(load_folders([c])) for c in clusters]


def test_remembering_needs_a_cache_that_lasts(tmp_path: Path, reads: list[str]) -> None:
    top = tree(tmp_path, settle=False)
    remember_written([top], MemoryCache())
    assert reads == []


def test_a_file_that_cannot_be_read_after_a_synth_is_left_to_the_check(tmp_path: Path, reads: list[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Remembering is only a speed-up: an unreadable file (permissions, a race with a cleaner) does not fail the
    synth that already swapped its output in; the next check reads the file and reports what it finds."""
    top = tree(tmp_path, settle=False)
    real = safeyaml.read_bytes

    def unreadable(path: str | os.PathLike[str]) -> bytes:
        if str(path).endswith("Service-a.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(cached.safeyaml, "read_bytes", unreadable)
    remember_written([top], DiskCache(tmp_path / "cache"))  # no error

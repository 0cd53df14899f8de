"""Content digests remembered by what `stat` says of each file, so that an unchanged tree is not read again.

git's index works the same way: a file whose device, inode, size, modification time and change time are
all as they were when it was hashed holds what it held then. The change time (ctime) is set by the kernel on
every write, rename, link or chmod and cannot be set from user space, so a file rewritten, replaced or
restored with `touch -r` still differs. A fresh clone (CI) has new inodes and ctimes: nothing matches and
every file is read, as without this memory.

Two limits keep the answer exact:
- *racy* files: timestamps come from a clock that ticks every few milliseconds, so a write in the same tick
  as the hash would leave every field as it was. A file is remembered only when its timestamps are
  RACY_NS older than the moment its bytes were read (two seconds on a file system that keeps whole seconds),
  and a later write then always moves its ctime;
- trust: an entry claims content, so it lives in the result cache, which is used only when the change under
  review cannot have written it (cache_trust).
"""

from __future__ import annotations

import os
import time

from genai_gitops import cache_keys
from genai_gitops.cache import ResultCache

#: how much older than the read a file's timestamps must be for it to be remembered
RACY_NS = 100_000_000
#: the same on a file system whose timestamps hold whole seconds (every nanosecond part zero)
RACY_COARSE_NS = 2_000_000_000

Signature = tuple[int, int, int, int, int]


def signature(status: os.stat_result) -> Signature:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def settled(status: os.stat_result, read_at_ns: int) -> bool:
    """Whether a file read at `read_at_ns` (time.time_ns() just before its bytes were read) may be remembered."""
    newest = max(status.st_mtime_ns, status.st_ctime_ns)
    coarse = status.st_mtime_ns % 1_000_000_000 == 0 and status.st_ctime_ns % 1_000_000_000 == 0
    return newest < read_at_ns - (RACY_COARSE_NS if coarse else RACY_NS)


class KnownFiles:
    """The remembered digests of the files below one folder (`top`), by their path relative to it.

    `digest` answers from the memory; `remember` records a file just read; `save` writes back what this run
    saw (files no longer there are dropped), and only when that differs from what was loaded."""

    def __init__(self, cache: ResultCache, top: str) -> None:
        self._cache, self._top = cache, top
        self._prefix = os.path.join(top, "")
        self._key = cache_keys.known_files(folder=os.path.realpath(top))
        loaded = cache.get(cache_keys.KNOWN_FILES, self._key)
        self._loaded: dict[str, list] = loaded if isinstance(loaded, dict) else {}
        self._seen: dict[str, list] = {}

    def _relative(self, path: str) -> str:
        # scandir below `top` names every entry `<top>/...` (os.path.relpath costs more than the stat)
        return path[len(self._prefix):] if path.startswith(self._prefix) else os.path.relpath(path, self._top)

    def digest(self, path: str, status: os.stat_result) -> str | None:
        """The content digest of `path` if it is as remembered, else None (read it)."""
        relative = self._relative(path)
        entry = self._loaded.get(relative)
        # field by field, cheapest test first (31,634 files at 1,000 tenants: no tuple built per file)
        if (isinstance(entry, list) and len(entry) == 6 and entry[4] == status.st_ctime_ns
                and entry[3] == status.st_mtime_ns and entry[1] == status.st_ino and entry[2] == status.st_size
                and entry[0] == status.st_dev and isinstance(entry[5], str)):
            self._seen[relative] = entry
            return entry[5]
        return None

    def remember(self, path: str, status: os.stat_result, content_digest: str, read_at_ns: int) -> None:
        if settled(status, read_at_ns):
            self._seen[self._relative(path)] = [*signature(status), content_digest]

    def save(self) -> None:
        if self._seen != self._loaded:
            self._cache.put(cache_keys.KNOWN_FILES, self._key, self._seen)


def now_ns() -> int:
    return time.time_ns()

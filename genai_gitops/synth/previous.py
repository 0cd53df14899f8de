"""The current output folder as a source of unchanged files: hard-linked into the staging tree, not rewritten.

Why: at 1,000 tenants a synth writes ~32,000 files into a fresh staging folder and, after the swap,
deletes as many with the old tree. On a slow disk (ext4 with `discard`) that file creation and deletion
took longer than half the render itself; reading an unchanged file and linking it costs a fraction of a
new copy, and deleting the old tree then drops only names. The swap (synth/swap.py) is untouched: a link
only adds a name in the private staging folder, the current tree is not modified.

The current tree is a folder a PR author and the user control, so a file is linked only when the result
is exactly what a fresh write gives: a regular file (never a symlink, FIFO or device, never below a
symlinked folder: each folder is opened with O_NOFOLLOW from the output folder down) with a single link
(a file hard-linked from elsewhere is not shared further), the owner, group and permission bits of a
freshly written file, and the same bytes (read and compared). After the link the new name must be that
same inode with two links; on any mismatch or OSError the link is removed and the file written as usual.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: linkat/openat/fstatat with the flags this needs (Linux and the BSDs); elsewhere every file is written
SUPPORTED = (hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY") and os.link in os.supports_dir_fd
             and os.link in os.supports_follow_symlinks and os.open in os.supports_dir_fd
             and os.stat in os.supports_dir_fd)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
#: O_NONBLOCK: a FIFO swapped in after the lstat must not block the open
_FILE_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
#: errors that say this file system (or pair of folders) cannot link at all: stop trying
_NO_LINKS = {errno.EXDEV, errno.EPERM, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}


def _plain(name: str) -> bool:
    """One path component: a name with a slash, `.` or `..` is never looked up in the current tree."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_mode, st.st_nlink, st.st_uid, st.st_gid, st.st_size)


def _read(fd: int, limit: int) -> bytes:
    """Up to `limit` bytes (one more than expected, so a longer file never compares equal)."""
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class PreviousFolder:
    """One app folder of the current tree (an open directory), and what a fresh file would look like."""

    def __init__(self, tree: PreviousTree, fd: int) -> None:
        self._tree = tree
        self._fd = fd

    def link(self, name: str, data: bytes, target: Path) -> bool:
        """Hard-link the current `name` to `target` if it is a fresh write of `data`; False: write it."""
        tree = self._tree
        if not tree.enabled or not _plain(name):
            return False
        try:
            before = os.stat(name, dir_fd=self._fd, follow_symlinks=False)
        except OSError:
            return False
        if not (stat.S_ISREG(before.st_mode) and before.st_nlink == 1 and before.st_size == len(data)
                and (before.st_uid, before.st_gid, stat.S_IMODE(before.st_mode)) == tree.fresh):
            return False
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=self._fd)
        except OSError:
            return False
        try:
            opened = os.fstat(fd)
            if _identity(opened) != _identity(before) or _read(fd, len(data) + 1) != data:
                return False
            os.link(name, target, src_dir_fd=self._fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in _NO_LINKS:
                tree.enabled = False
            return False
        finally:
            os.close(fd)
        # the name may have been replaced between the read and the link: keep the link only if it is
        # the inode just compared, and no third name appeared for it meanwhile
        try:
            linked = os.stat(target, follow_symlinks=False)
            if (linked.st_dev, linked.st_ino, linked.st_nlink) == (opened.st_dev, opened.st_ino, 2):
                return True
        except OSError:
            pass
        target.unlink(missing_ok=True)  # any other error fails the synth: never write through a link
        return False


class PreviousTree:
    """The current output folder, opened without following symlinks; disabled when there is none."""

    def __init__(self, final: Path, staged: Path) -> None:
        self.enabled = False
        self._fd: int | None = None
        #: (uid, gid, permission bits) of a file written into the staging tree, learnt from a probe file:
        #: it accounts for the umask, a set-group-ID folder and a default ACL, all without guessing
        self.fresh: tuple[int, int, int] = (-1, -1, -1)
        if not SUPPORTED:
            return
        try:
            self._fd = os.open(final, _DIR_FLAGS)
            if os.fstat(self._fd).st_dev != os.stat(staged).st_dev:
                return  # another file system: links are impossible
            self.fresh = _probe(staged)
        except OSError:
            return
        self.enabled = True

    @contextmanager
    def folder(self, *parts: str) -> Iterator[PreviousFolder | None]:
        """The current folder at `parts` (e.g. cluster, app), or None when absent or not a plain folder."""
        if not self.enabled or self._fd is None or not all(_plain(p) for p in parts):
            yield None
            return
        fd: int | None = self._fd
        opened: list[int] = []
        try:
            for part in parts:
                fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                opened.append(fd)
        except OSError:
            fd = None
        try:
            yield PreviousFolder(self, fd) if fd is not None else None
        finally:
            for each in opened:
                os.close(each)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.enabled = False


def _probe(staged: Path) -> tuple[int, int, int]:
    """Create and remove one file the way `write_app` writes (mode 0o666 before the umask)."""
    probe = staged / f".probe-{secrets.token_hex(4)}"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        st = os.fstat(fd)
    finally:
        os.close(fd)
        os.unlink(probe)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


@contextmanager
def previous_tree(final: Path, staged: Path) -> Iterator[PreviousTree]:
    tree = PreviousTree(final, staged)
    try:
        yield tree
    finally:
        tree.close()

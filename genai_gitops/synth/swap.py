"""Swap several output folders (dist/ and argocd/) in as one step, surviving a kill at any point.

One rename is atomic; two folders need four renames, and a kill between them would leave dist/
missing or a new dist/ beside an old argocd/. So the swap is journalled:

1. every new tree is written to a staging folder beside its final place (same file system); an
   unchanged file is a hard link to the current one (synth/previous.py): a name added in staging,
   the current tree is not modified, and removing the old tree then drops only names;
2. a journal naming, per tree, the final, staged and old folder is written (temp file, fsync,
   rename): from this point the swap is decided and only ever rolled forward;
3. per tree: final -> old (if it exists), staged -> final;
4. the journal is removed, then the old trees.

`recover(parent)` runs before every synth and check: with a journal it completes the swap (a tree
whose staged folder is gone and whose final folder is missing is rolled back from its old copy, the
only state in which forward is impossible); without one it removes staging and old folders a killed
run left behind (they are git-ignored: `.*.staging-*/`, `.*.old-*/`). A kill before the journal
leaves the previous trees untouched.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import tempfile
from collections.abc import Sequence
from pathlib import Path

JOURNAL = ".genai-gitops-swap.json"
#: test hook: SIGKILL this process at the named point (`staged`, `journal`, `rename-<n>`)
KILL_AT_ENV = "GENAI_GITOPS_SWAP_KILL_AT"


class SwapError(Exception):
    pass


def _point(name: str) -> None:
    """Where a test can kill the swap (a real SIGKILL: no cleanup handler runs)."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def staging_dir(final: Path) -> Path:
    """A fresh folder beside `final` (same file system, so the swap is a rename)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-", dir=final.parent))


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_journal(journal: Path, entries: list[dict[str, str]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f"{JOURNAL}.", dir=journal.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"version": 1, "trees": entries}, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, journal)
    _fsync_dir(journal.parent)


def swap_all(pairs: Sequence[tuple[Path, Path]], journal_dir: Path) -> None:
    """Replace each `final` by its `staged` folder, all or (after a kill, once recovered) none."""
    journal = journal_dir / JOURNAL
    if journal.exists():
        raise SwapError(f"{journal}: an interrupted swap is pending; run the synth again to complete it")
    token = secrets.token_hex(4)
    entries = [{"final": str(final.absolute()), "staged": str(staged.absolute()),
                "old": str((final.parent / f".{final.name}.old-{token}").absolute())} for staged, final in pairs]
    _point("staged")
    _write_journal(journal, entries)
    _point("journal")
    _roll_forward(entries, count=True)
    journal.unlink()
    _fsync_dir(journal_dir)
    for entry in entries:
        shutil.rmtree(entry["old"], ignore_errors=True)


def _roll_forward(entries: list[dict[str, str]], *, count: bool = False) -> None:
    renames = 0
    for entry in entries:
        final, staged, old = Path(entry["final"]), Path(entry["staged"]), Path(entry["old"])
        if staged.is_dir():
            if final.exists() or final.is_symlink():
                if old.exists():
                    raise SwapError(f"{old}: in the way of the interrupted swap; move it aside and run again")
                os.replace(final, old)
                renames += 1
                if count:
                    _point(f"rename-{renames}")
            os.replace(staged, final)
            renames += 1
            if count:
                _point(f"rename-{renames}")
        elif not final.exists() and old.is_dir():
            os.replace(old, final)  # the new tree is lost: the old one comes back
        _fsync_dir(final.parent)


def _confine(journal: Path, entries: list[dict], finals: Sequence[Path]) -> None:
    """A journal may only move the output folders and their own staging/old siblings: it is a file in
    the repository, and a forged one must not rename or delete anything else."""
    allowed = {str(f.absolute()) for f in finals}
    for entry in entries:
        final = Path(str(entry.get("final", "")))
        ok = str(final) in allowed and all(
            isinstance(entry.get(key), str) and Path(entry[key]).parent == final.parent
            and Path(entry[key]).name.startswith(f".{final.name}.{label}-")
            for key, label in (("staged", "staging"), ("old", "old")))
        if not ok:
            raise SwapError(f"{journal}: names folders other than the output folders and their staging copies; "
                            "it was not written by a synth: delete it")


def recover(parent: Path, finals: Sequence[Path] = ()) -> str | None:
    """Complete an interrupted swap journalled in `parent`, then remove leftovers beside `finals`.

    Returns what was done (for a message), or None when there was nothing to do."""
    journal = parent / JOURNAL
    done = None
    if journal.is_file():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))["trees"]
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise ValueError("trees is not a list of objects")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SwapError(f"{journal}: unreadable swap journal ({exc}); inspect the output folders and "
                            "delete it") from None
        _confine(journal, entries, finals)
        _roll_forward(entries)
        journal.unlink()
        for entry in entries:
            shutil.rmtree(entry["old"], ignore_errors=True)
        done = "completed an interrupted synth: " + ", ".join(Path(e["final"]).name + "/" for e in entries)
    removed = []
    for final in finals:
        if not final.parent.is_dir():
            continue
        for leftover in sorted(final.parent.glob(f".{final.name}.staging-*")) + sorted(
                final.parent.glob(f".{final.name}.old-*")):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
                removed.append(leftover.name)
    if removed:
        done = (done + "; " if done else "") + "removed leftovers of an interrupted synth: " + ", ".join(removed)
    return done

"""Whether a cache folder may be trusted to decide a verdict.

Every cache entry is keyed by content and carries a checksum, but anyone who can write the folder
can compute both: a forged entry ("this folder parses to nothing", "these inputs synthesise to the
hand-edited dist/") is indistinguishable from a real one. So trust is decided by *who can write the
folder*, never by what is in it. A cache that the change under review could have written - a file
under it tracked by git (committed with `git add -f`), a folder that is a symbolic link (it points
wherever the change says), or a folder inside the repository that git does not ignore (a plain
`git add` would commit it) - is not used at all: the check then runs exactly as with `--no-cache`
and says why in a warning. A folder outside the repository is the caller's own (CI restores main's
cache there or in the ignored default folder; it never saves what a pull request wrote).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from genai_gitops.report.finding import Finding, Severity

RULE = "cache-untrusted"


def untrusted_reason(repo: Path, cache_dir: Path) -> str | None:
    """Why `cache_dir` must not be trusted for a check of `repo`, or None when it may be."""
    if cache_dir.is_symlink():
        return "is a symbolic link (a change could point it at entries it wrote)"
    repo_real, cache_real = repo.resolve(), cache_dir.resolve()
    if cache_real != repo_real and repo_real not in cache_real.parents:
        return None  # outside the repository: no commit can write it
    if cache_real == repo_real:
        return "is the repository itself"
    # inside the repository: only git can tell whether the change under review wrote it
    rel = os.path.relpath(cache_real, repo_real)
    try:
        inside = _git(repo_real, "rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return ("is inside the repository, which is not a git work tree, so nothing shows that the change "
                    "under review did not write it")
        tracked = _git(repo_real, "ls-files", "-z", "--", rel)
        if tracked.returncode != 0:
            return f"could not be checked with `git ls-files`: {tracked.stderr.decode(errors='replace').strip()}"
        count = len([p for p in tracked.stdout.split(b"\0") if p])
        if count:
            return (f"holds {count} file(s) tracked by git (committed, e.g. with `git add -f`); remove them with "
                    f"`git rm -r --cached {rel}`")
        ignored = _git(repo_real, "check-ignore", "-q", "--no-index", rel + "/")
        if ignored.returncode != 0:
            return f"is not ignored by git: add `{rel}/` to .gitignore"
    except OSError as exc:  # no git at all
        return f"could not be checked with git: {exc}"
    return None


def git_tracked(repo: Path, pathspecs: list[str]) -> list[str]:
    """Files matching `pathspecs` (git globs) that git tracks in `repo`; none outside a git work tree."""
    try:
        found = _git(repo, "ls-files", "-z", "--", *pathspecs)
    except OSError:
        return []
    return [p.decode(errors="replace") for p in found.stdout.split(b"\0") if p] if found.returncode == 0 else []


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False)


def untrusted_finding(repo: Path, cache_dir: Path, reason: str) -> Finding:
    try:
        shown = os.path.relpath(cache_dir, repo)
    except ValueError:
        shown = str(cache_dir)
    return Finding(file=shown, line=None, api_version="", kind="", namespace="", name="", validator="cache",
                   rule=RULE, severity=Severity.WARNING,
                   message=f"the result cache {shown}/ {reason}; it was not used and the check ran as with "
                           "--no-cache: a cache the change under review could have written must not decide the "
                           "verdict")

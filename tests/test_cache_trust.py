"""A cache the change under review can write never decides the verdict (issue 11, hole 2).

The attack: hand-edit dist/, forge the synth entries that say "these inputs synthesise to exactly
this folder" and commit the forged cache with `git add -f`. The test first proves the forgery works
when the cache is trusted (copied outside the repository), then that `check` refuses the committed,
the symlinked and the not-ignored cache and gives the same findings as `--no-cache`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from genai_gitops.cache import DEFAULT_DIR, DiskCache, files_digest
from genai_gitops.cache_trust import RULE, untrusted_reason
from genai_gitops.check import CheckOptions, run_check
from genai_gitops.cli import main
from genai_gitops.manifests.cached import load_folders
from genai_gitops.model.apps import plan_apps
from genai_gitops.model.loader import load_platform
from genai_gitops.synth.inputs import InputKeys
from tests.conftest import synthesised_copy

FAST = ("schema", "refs", "capacity", "delivery")
EDITED = "dist/customer-us-1/tenant-globex/Deployment-redis.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


def forge(repo: Path, cache_dir: Path) -> None:
    """Synth entries claiming that the data synthesises to the committed (hand-edited) dist/."""
    platform = load_platform(repo / "tenants", repo / "clusters.yaml")
    keys = InputKeys(platform, files_digest([repo / "policies"]))
    cache = DiskCache(cache_dir)
    for app in plan_apps(platform):
        folders = load_folders([repo / "dist" / app.path])
        cache.put("synth", keys.key(app), folders[0].digest)


@pytest.fixture()
def hostile_repo(repo: Path, tmp_path: Path) -> Path:
    """A git repository whose dist/ was edited by hand, with a forged cache committed by `git add -f`."""
    work = synthesised_copy(tmp_path / "repo")  # the frozen fixture data, never the committed tenants
    (work / ".gitignore").write_text(f"{DEFAULT_DIR}/\n")
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-qm", "base")
    edited = work / EDITED
    edited.write_text(edited.read_text().replace("replicas: 1", "replicas: 3"))
    forge(work, work / DEFAULT_DIR)
    git(work, "add", "-f", DEFAULT_DIR)
    git(work, "commit", "-qam", "hand-edit with a forged cache")
    return work


def options(repo: Path, cache_dir: Path | None) -> CheckOptions:
    return CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml", dist=repo / "dist",
                        argocd=repo / "argocd", policies=repo / "policies", validators=FAST, cache_dir=cache_dir,
                        workers=1)


def verdict(report) -> list[tuple]:
    return sorted((f.validator, f.rule, f.file, f.message) for f in report.findings if f.rule != RULE)


def test_the_forgery_would_pass_a_trusted_cache(hostile_repo: Path, tmp_path: Path) -> None:
    # the same entries in a folder outside the repository (trusted): the hand-edit is not seen.
    # This is why trust is decided by where the cache lives, never by what it holds.
    outside = tmp_path / "outside-cache"
    shutil.copytree(hostile_repo / DEFAULT_DIR, outside)
    assert [f for f in run_check(options(hostile_repo, outside)).findings if f.validator == "drift"] == []


def test_a_committed_cache_is_not_used(hostile_repo: Path) -> None:
    cache_dir = hostile_repo / DEFAULT_DIR
    without = run_check(options(hostile_repo, None))
    with_cache = run_check(options(hostile_repo, cache_dir))
    assert ("drift", "dist-changed", EDITED) in {(f.validator, f.rule, f.file) for f in without.findings}
    assert verdict(with_cache) == verdict(without)
    assert with_cache.exit_code() == without.exit_code() == 1
    warnings = [f for f in with_cache.findings if f.rule == RULE]
    assert [(w.file, w.severity.value) for w in warnings] == [(DEFAULT_DIR, "warning")]
    assert warnings[0].message.startswith(
        f"the result cache {DEFAULT_DIR}/ holds ")
    assert "tracked by git (committed, e.g. with `git add -f`)" in warnings[0].message
    assert "ran as with --no-cache" in warnings[0].message


def test_cli_gives_the_same_exit_code_with_and_without_the_cache(hostile_repo: Path, capsys) -> None:
    only = ["--only", ",".join(FAST), "--output", "json"]
    assert main(["check", "--repo", str(hostile_repo), *only]) == 1
    assert main(["check", "--repo", str(hostile_repo), *only, "--no-cache"]) == 1


def test_a_symlinked_cache_is_not_used(hostile_repo: Path, tmp_path: Path) -> None:
    git(hostile_repo, "rm", "-rq", "--cached", DEFAULT_DIR)
    target = tmp_path / "elsewhere"
    shutil.move(hostile_repo / DEFAULT_DIR, target)
    (hostile_repo / DEFAULT_DIR).symlink_to(target)
    assert untrusted_reason(hostile_repo, hostile_repo / DEFAULT_DIR) == (
        "is a symbolic link (a change could point it at entries it wrote)")
    assert verdict(run_check(options(hostile_repo, hostile_repo / DEFAULT_DIR))) == verdict(
        run_check(options(hostile_repo, None)))


def test_a_cache_git_does_not_ignore_is_not_used(hostile_repo: Path) -> None:
    git(hostile_repo, "rm", "-rq", "--cached", DEFAULT_DIR)
    (hostile_repo / ".gitignore").write_text("")
    reason = untrusted_reason(hostile_repo, hostile_repo / DEFAULT_DIR)
    assert reason == f"is not ignored by git: add `{DEFAULT_DIR}/` to .gitignore"
    assert verdict(run_check(options(hostile_repo, hostile_repo / DEFAULT_DIR))) == verdict(
        run_check(options(hostile_repo, None)))


def test_an_ignored_untracked_cache_is_trusted(hostile_repo: Path) -> None:
    git(hostile_repo, "rm", "-rq", "--cached", DEFAULT_DIR)
    assert untrusted_reason(hostile_repo, hostile_repo / DEFAULT_DIR) is None


def test_a_cache_inside_a_folder_that_is_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    assert "not a git work tree" in str(untrusted_reason(tmp_path / "repo", tmp_path / "repo" / DEFAULT_DIR))
    assert untrusted_reason(tmp_path / "repo", tmp_path / "cache") is None

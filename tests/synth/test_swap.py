"""dist/ and argocd/ are swapped in as one step (issue 11, hole 11).

A real synth runs in a subprocess and is SIGKILLed at a named point of the swap; the next check (or
synth) must find a consistent tree: both folders of the old synth, or both of the new one, and no
staging or old folder left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from genai_gitops.cache import files_digest
from genai_gitops.check import CheckOptions, run_check
from genai_gitops.synth import synthesize
from genai_gitops.synth.swap import JOURNAL, KILL_AT_ENV, SwapError, recover

REPO = Path(__file__).resolve().parents[2]


def data(root: Path, revision: str) -> Path:
    for name in ("tenants", "policies"):
        shutil.copytree(REPO / name, root / name)
    text = (REPO / "clusters.yaml").read_text()
    assert "  revision: main\n" in text
    (root / "clusters.yaml").write_text(text.replace("  revision: main\n", f"  revision: {revision}\n"))
    tenant = root / "tenants/globex.yaml"
    if revision != "main":  # the new synth changes dist/ too
        tenant.write_text(tenant.read_text().replace("requests_per_minute: 300", "requests_per_minute: 350"))
    return root


def synth(root: Path) -> None:
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist", policies_dir=root / "policies",
               argocd_dir=root / "argocd")


def state(root: Path) -> tuple[str, str]:
    return (files_digest([root / "dist"]) if (root / "dist").is_dir() else "missing",
            files_digest([root / "argocd"]) if (root / "argocd").is_dir() else "missing")


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """The state of a complete old and a complete new synth."""
    out = {}
    for label, revision in (("old", "main"), ("new", "release")):
        root = data(tmp_path_factory.mktemp(label), revision)
        synth(root)
        out[label] = state(root)
    assert out["old"][0] != out["new"][0] and out["old"][1] != out["new"][1]
    return out


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".dist.", ".argocd.", JOURNAL)))


def killed_synth(root: Path, point: str) -> None:
    """The old tree is in place; the CLI synths the new data and is killed at `point`."""
    tenants = root / "tenants/globex.yaml"
    tenants.write_text(tenants.read_text().replace("requests_per_minute: 300", "requests_per_minute: 350"))
    clusters = root / "clusters.yaml"
    clusters.write_text(clusters.read_text().replace("  revision: main\n", "  revision: release\n"))
    env = {**os.environ, KILL_AT_ENV: point, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "constructs")])}
    done = subprocess.run([sys.executable, "-m", "genai_gitops", "synth", "--quiet", "--cache-dir", ""], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr


def check(root: Path):
    return run_check(CheckOptions(repo=root, tenants=root / "tenants", clusters=root / "clusters.yaml",
                                  dist=root / "dist", argocd=root / "argocd", policies=root / "policies",
                                  validators=(), drift=True, workers=1))


@pytest.mark.parametrize(("point", "expected", "during"), [
    ("staged", "old", ("old", "old")),        # killed before the journal: nothing changed
    ("journal", "new", ("old", "old")),       # journal written: the swap is decided, rolled forward
    ("rename-1", "new", ("missing", "old")),  # dist/ moved aside: without the journal dist/ is gone
    ("rename-2", "new", ("new", "old")),      # new dist/ beside the old argocd/
    ("rename-3", "new", ("new", "missing")),
])
def test_a_kill_during_the_swap_is_completed_by_the_next_check(point: str, expected: str, during: tuple,
                                                               trees: dict, tmp_path: Path) -> None:
    root = data(tmp_path / "repo", "main")
    synth(root)
    assert state(root) == trees["old"]
    killed_synth(root, point)
    current = state(root)
    assert tuple(label if label == "missing" else ("old" if current[i] == trees["old"][i] else "new")
                 for i, label in enumerate(during)) == during
    assert leftovers(root)  # the killed run left its staging folders (and journal) behind
    report = check(root)
    assert state(root) == trees[expected]
    assert leftovers(root) == []
    assert [(f.rule, f.severity.value) for f in report.findings if f.validator == "synth"] == [
        ("interrupted-synth", "warning")]
    # the check read the completed tree: drift is clean for the new data, or stale for the old tree
    drift = [f for f in report.findings if f.validator == "drift"]
    assert (drift == []) == (expected == "new")


def test_the_next_synth_completes_and_cleans_up(trees: dict, tmp_path: Path) -> None:
    root = data(tmp_path / "repo", "main")
    synth(root)
    killed_synth(root, "rename-1")
    assert not (root / "dist").exists()
    synth(root)
    assert state(root) == trees["new"] and leftovers(root) == []


def test_a_forged_journal_moves_nothing_else(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (tmp_path / "repo").mkdir()
    journal = tmp_path / "repo" / JOURNAL
    journal.write_text(json.dumps({"version": 1, "trees": [
        {"final": str(tmp_path / "repo/dist"), "staged": str(tmp_path / "repo/.dist.staging-x"),
         "old": str(victim)}]}))
    with pytest.raises(SwapError, match="names folders other than the output folders"):
        recover(tmp_path / "repo", [tmp_path / "repo/dist", tmp_path / "repo/argocd"])
    assert victim.is_dir() and journal.is_file()

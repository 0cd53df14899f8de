"""`diff` compares what Argo CD deploys - the committed dist/ and argocd/ - and shows hand-edits loudly
(issue 11, hole 3); it exits like `git diff --exit-code`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from genai_gitops.cli import main
from tests.conftest import synthesised_copy

EDITED = "dist/customer-us-1/tenant-globex/Deployment-redis.yaml"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"})


@pytest.fixture()
def work(repo: Path, tmp_path: Path) -> Path:
    work = synthesised_copy(tmp_path / "repo")  # the frozen fixture data, never the committed tenants
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "base")
    return work


def test_no_change_exits_0(work: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["diff", "--repo", str(work), "--base", "HEAD"]) == 0
    assert capsys.readouterr().out.startswith("no rendered-manifest change against HEAD\n")


def test_a_hand_edit_is_diffed_and_flagged(work: Path, capsys) -> None:
    edited = work / EDITED
    edited.write_text(edited.read_text().replace("replicas: 1", "replicas: 3"))
    git(work, "commit", "-qam", "hand-edit")
    capsys.readouterr()
    assert main(["diff", "--repo", str(work), "--base", "HEAD~1", "--head", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "WARNING: 1 committed file(s) differ from a synth of the head's data (edited by hand, or `make synth` not "
        f"run); Argo CD deploys them as committed:\n  changed    {EDITED}\n")
    # what Argo CD will deploy: the hand-edited object, not the synth (which would show no change)
    assert "  customer-us-1/tenant-globex: +0 -0 ~1\n    ~ Deployment tenant-globex/redis: spec.replicas\n" in out

    assert main(["diff", "--repo", str(work), "--base", "HEAD~1", "--head", "HEAD", "--output", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("> [!CAUTION]\n> **1 committed file(s) differ from a synth of this revision's data**")
    assert f"> - changed `{EDITED}`\n" in out
    assert "- changed `Deployment tenant-globex/redis`: `spec.replicas`" in out


def test_the_working_tree_is_the_default_head_and_argocd_is_diffed(work: Path, capsys) -> None:
    appset = work / "argocd/apps/applicationset-genai-tenant.yaml"
    appset.write_text(appset.read_text().replace("selfHeal: true", "selfHeal: false"))
    capsys.readouterr()
    assert main(["diff", "--repo", str(work), "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert "  changed    argocd/apps/applicationset-genai-tenant.yaml\n" in out
    assert ("  argocd/apps: +0 -0 ~1\n    ~ ApplicationSet argocd/genai-tenant: "
            "spec.template.spec.syncPolicy.automated.selfHeal\n") in out


def test_data_that_cannot_be_synthesised_is_said(work: Path, capsys) -> None:
    tenant = work / "tenants/globex.yaml"
    tenant.write_text(tenant.read_text() + "bogus_field: 1\n")
    capsys.readouterr()
    assert main(["diff", "--repo", str(work), "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("WARNING: cannot synthesise the head's data, so hand-edits are not known: ")
    assert "tenants/globex.yaml: bogus_field" in out


def test_an_unknown_revision_exits_2(work: Path, capsys) -> None:
    assert main(["diff", "--repo", str(work), "--base", "no-such-ref"]) == 2
    assert "cannot read dist at 'no-such-ref'" in capsys.readouterr().err

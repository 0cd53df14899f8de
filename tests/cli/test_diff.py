"""`genai-gitops diff`: the rendered change against a base revision, with connectivity changes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from genai_gitops.cli import main


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"})


def test_diff_reports_objects_fields_and_flows(repo: Path, fixture_repo: Path, tmp_path: Path, capsys) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    shutil.copytree(fixture_repo / "tenants", work / "tenants")
    shutil.copytree(repo / "policies", work / "policies")
    shutil.copy(fixture_repo / "clusters.yaml", work / "clusters.yaml")
    assert main(["synth", "--tenants", str(work / "tenants"), "--clusters", str(work / "clusters.yaml"),
                 "--out", str(work / "dist"), "--argocd", "", "--policies", str(work / "policies"), "--quiet"]) == 0
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "base")
    tenant = work / "tenants/globex.yaml"
    tenant.write_text(tenant.read_text().replace("rag: {enabled: true, storage: 10Gi}", "rag: {enabled: false}"))
    assert main(["synth", "--tenants", str(work / "tenants"), "--clusters", str(work / "clusters.yaml"),
                 "--out", str(work / "dist"), "--argocd", "", "--policies", str(work / "policies"), "--quiet"]) == 0
    capsys.readouterr()
    # the committed (here: working tree) dist/ is compared, not a fresh synth; 1 = changes (git diff --exit-code)
    assert main(["diff", "--repo", str(work), "--base", "HEAD", "--output", "markdown"]) == 1
    out = capsys.readouterr().out
    assert "| `customer-us-1/tenant-globex` | 0 | 7 | 2 |" in out  # Qdrant, its backup CronJob and account
    assert "- removed `StatefulSet tenant-globex/qdrant`" in out
    assert "- changed `Deployment tenant-globex/open-webui`: `spec.template.spec.containers[0].env`" in out
    assert "| \N{HEAVY MINUS SIGN} removed | tenant-globex/open-webui | tenant-globex/qdrant | 6333-6334 |" in out
    assert "```mermaid\nflowchart LR" in out
    assert main(["diff", "--repo", str(work), "--base", "no-such-ref"]) == 2

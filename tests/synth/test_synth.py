"""Synth contract: deterministic, human names, all-or-nothing, no stale apps."""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from genai_gitops.cli import main
from genai_gitops.drift import compare_trees


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def synth(data: Path, out: Path) -> int:
    return main(["synth", "--tenants", str(data / "tenants"), "--clusters", str(data / "clusters.yaml"),
                 "--out", str(out / "dist"), "--argocd", str(out / "argocd"), "--quiet"])


def test_two_synths_are_byte_identical(data_copy: Path, tmp_path: Path) -> None:
    assert synth(data_copy, tmp_path / "a") == 0
    # file-system order must not matter: recreate the tenants folder in reverse order
    files = sorted((data_copy / "tenants").iterdir(), reverse=True)
    contents = [(f.name, f.read_bytes()) for f in files]
    shutil.rmtree(data_copy / "tenants")
    (data_copy / "tenants").mkdir()
    for name, body in contents:
        (data_copy / "tenants" / name).write_bytes(body)
    assert synth(data_copy, tmp_path / "b") == 0
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_one_folder_per_application_with_human_names(synthesized: Path) -> None:
    apps = sorted(str(p.relative_to(synthesized / "dist")) for p in (synthesized / "dist").glob("*/*"))
    assert "customer-eu-1/tenant-acme" in apps and "customer-eu-1/tenant-acme-guardrails" in apps
    assert "central-prod/central" in apps and "customer-us-1/tenant-globex" in apps
    for path in (synthesized / "dist").rglob("*.yaml"):
        text = path.read_text()
        # cdk8s appends 8-hex-digit hashes to names unless told not to
        for line in text.splitlines():
            if line.startswith("  name: "):
                name = line.split(": ", 1)[1]
                assert not (len(name) > 9 and name[-9] == "-" and all(c in "0123456789abcdef" for c in name[-8:])), \
                    f"{path}: hashed name {name}"


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("tenants/acme.yaml", "usage_mode: hybrid", "usage_mode: hybird", "tenants/acme.yaml: usage_mode: "),
    ("tenants/globex.yaml", "cluster: customer-us-1", "cluster: customer-xx-9",
     "tenants/globex.yaml: cluster: unknown cluster 'customer-xx-9'"),
    ("tenants/initech.yaml", "client_secret: {key: genai/tenants/initech/oidc, property: client_secret}",
     "client_secret: sk-live-abcdefghijklmnop", "tenants/initech.yaml: oidc.client_secret: this looks like"),
    ("tenants/initech.yaml", "name: Initech LLC", "name: [Initech", "tenants/initech.yaml: line "),
])
def test_failed_synth_leaves_output_untouched(data_copy: Path, monkeypatch, capsys, file: str, old: str, new: str,
                                              message: str) -> None:
    monkeypatch.chdir(data_copy)
    out = data_copy / "out"
    assert synth(data_copy, out) == 0
    before = tree_digest(out)
    path = data_copy / file
    path.write_text(path.read_text().replace(old, new, 1))
    capsys.readouterr()
    assert synth(Path("."), out) == 1
    assert message in capsys.readouterr().err
    assert tree_digest(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "staging folders left behind"


def test_removing_a_tenant_removes_its_apps(data_copy: Path) -> None:
    out = data_copy / "out"
    assert synth(data_copy, out) == 0
    assert (out / "dist/customer-us-1/tenant-globex").is_dir()
    (data_copy / "tenants/globex.yaml").unlink()
    assert synth(data_copy, out) == 0
    assert not (out / "dist/customer-us-1/tenant-globex").exists()
    assert not (out / "dist/customer-us-1/tenant-globex-guardrails").exists()
    assert not (out / "dist/customer-us-1/projects").exists()  # no tenant left on that cluster


def test_no_secret_with_data_is_written(synthesized: Path) -> None:
    from genai_gitops.manifests import read_paths

    secrets = [r for r in read_paths([synthesized / "dist"]).resources if r.kind == "Secret"]
    assert [r.describe() for r in secrets if r.obj.get("data") or r.obj.get("stringData")] == []


@pytest.mark.slow
def test_cdk8s_synth_is_atomic_too(repo: Path, synthesized: Path, tmp_path: Path) -> None:
    """Plain `cdk8s synth` deletes its output folder first; ours writes dist/ itself, so a failure keeps it."""
    cdk8s = repo / "node_modules/.bin/cdk8s"
    if not cdk8s.exists():
        pytest.skip("node_modules missing: run `make synth` once (CI installs it)")
    work = tmp_path / "repo"
    work.mkdir()
    for name in ("app.py", "cdk8s.yaml"):
        shutil.copy(repo / name, work / name)
    shutil.copy(synthesized / "clusters.yaml", work / "clusters.yaml")
    for name in ("tenants", "dist", "argocd", "policies"):
        shutil.copytree(synthesized / name, work / name)
    os.symlink(repo / ".venv", work / ".venv")
    env = {**os.environ, "PATH": f"{repo / '.venv/bin'}:{os.environ['PATH']}", "CDK8S_CHECK_UPGRADE": "false"}
    ok = subprocess.run([str(cdk8s), "synth", "--check-upgrade=false"], cwd=work, env=env, capture_output=True,
                        text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert compare_trees(work / "dist", synthesized / "dist") == []
    before = tree_digest(work / "dist")
    tenant = work / "tenants/acme.yaml"
    tenant.write_text(tenant.read_text().replace("cluster: customer-eu-1", "cluster: nowhere"))
    failed = subprocess.run([str(cdk8s), "synth", "--check-upgrade=false"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=300)
    assert failed.returncode != 0
    assert "tenants/acme.yaml: cluster: unknown cluster 'nowhere'" in failed.stdout + failed.stderr
    assert tree_digest(work / "dist") == before
    assert filecmp.cmp(work / "argocd/bootstrap/root-app.yaml", synthesized / "argocd/bootstrap/root-app.yaml")

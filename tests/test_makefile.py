"""The Makefile, as a new user meets it: a wrong Python is refused first with what to do, a broken
virtualenv is rebuilt rather than reused, and `make synth` runs the synth without the cdk8s CLI around it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed (CI has it)")


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=folder, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture()
def project(repo: Path, tmp_path: Path) -> Path:
    shutil.copy(repo / "Makefile", tmp_path / "Makefile")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements/main.lock").write_text("# nothing to install\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "probe"\nversion = "0"\n')
    return tmp_path


def fake_python(folder: Path, version: str) -> Path:
    """An interpreter that says it is `version` and fails everything else, as an old Python fails our check."""
    path = folder / f"python{version}"
    path.write_text(f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python {version}"; exit 0; fi\nexit 1\n')
    path.chmod(0o755)
    return path


def test_an_old_python_is_refused_first_with_what_to_do(project: Path) -> None:
    old = fake_python(project, "3.9.18")
    result = make(project, "synth", f"PYTHON={old}")
    assert result.returncode != 0
    assert result.stderr.startswith(
        f"genai-gitops needs Python 3.11 or newer; '{old}' is Python 3.9.18.\n"
        "Install Python 3.11+ and run e.g. 'make PYTHON=python3.11 synth'.\n")
    assert not (project / ".venv").exists()  # nothing was installed with it


def test_make_synth_runs_genai_gitops_synth(project: Path) -> None:
    plan = make(project, "-n", "synth", f"PYTHON={sys.executable}").stdout
    assert plan.splitlines()[-1] == f"{project}/.venv/bin/genai-gitops synth"
    assert "cdk8s synth" not in plan


@pytest.mark.slow
def test_a_broken_virtualenv_is_rebuilt(project: Path) -> None:
    broken = project / ".venv/bin/python"
    broken.parent.mkdir(parents=True)
    broken.write_text("#!/bin/sh\nexit 1\n")  # its interpreter was removed or replaced
    broken.chmod(0o755)
    result = make(project, ".venv/.installed", f"PYTHON={sys.executable}")
    assert ".venv is stale or broken (its Python is missing or older than 3.11): rebuilding it" in result.stderr
    version = subprocess.run([str(broken), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("Python 3.")

"""The top-level constructs/ folder must never shadow the `constructs` library cdk8s needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _probe(cwd: Path) -> str:
    code = ("import constructs, genai_gitops_constructs, cdk8s;"
            "print(constructs.__file__); print(genai_gitops_constructs.__file__); print(constructs.Construct)")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True).stdout


def test_constructs_is_the_library_from_the_repo_root(repo: Path) -> None:
    lib, ours, construct = _probe(repo).splitlines()
    assert "site-packages" in lib and str(repo / "constructs") not in lib
    assert ours == str(repo / "constructs/genai_gitops_constructs/__init__.py")
    assert "constructs.Construct" in construct


def test_constructs_is_the_library_from_elsewhere(tmp_path: Path, repo: Path) -> None:
    lib, ours, _ = _probe(tmp_path).splitlines()
    assert "site-packages" in lib
    assert ours.startswith(str(repo / "constructs"))


def test_constructs_folder_is_not_a_package(repo: Path) -> None:
    # an __init__.py here would make `import constructs` resolve to this folder from the root
    assert not (repo / "constructs/__init__.py").exists()

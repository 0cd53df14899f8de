"""Usage errors of every command exit 2 with one line naming the flag at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.cli import main


@pytest.mark.parametrize(("argv", "message"), [
    (["synth", "--tenants", "nowhere"],
     "genai-gitops synth: error: --tenants: nowhere does not exist (run from the repository root, or pass the flag)"),
    (["synth", "--clusters", "tenants"],
     "genai-gitops synth: error: --clusters: tenants is not a file (run from the repository root, or pass the flag)"),
    (["tenant", "new", "umbrella", "--cluster", "customer-us-1", "--mode", "local", "--clusters", "nowhere.yaml"],
     "genai-gitops tenant new: error: --clusters: nowhere.yaml does not exist (run from the repository root, or "
     "pass the flag)"),
    (["tenant", "new", "acme", "--cluster", "customer-eu-1", "--mode", "local"],
     "genai-gitops tenant new: error: tenants/acme.yaml exists; pass --force to overwrite"),
    (["argocd", "preview", "--repo", "/nonexistent"], "genai-gitops argocd preview: error: --repo: /nonexistent does "
                                                      "not exist"),
    (["argocd", "preview", "--clusters", "nowhere.yaml"], "genai-gitops argocd preview: error: --clusters: "
                                                          "nowhere.yaml does not exist"),
    (["diff", "--repo", "/nonexistent"], "genai-gitops diff: error: --repo: /nonexistent does not exist"),
    (["check", "--repo", "/nonexistent"], "genai-gitops check: error: --repo: /nonexistent does not exist"),
    (["validate", "nowhere.yaml"], "genai-gitops validate: error: no such file or folder: nowhere.yaml"),
])
def test_usage_error_names_the_flag(data_copy: Path, monkeypatch, capsys, argv: list[str], message: str) -> None:
    monkeypatch.chdir(data_copy)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", message + "\n")

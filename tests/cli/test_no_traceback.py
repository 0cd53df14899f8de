"""No input and no environment ends in a traceback: a closed pipe, an output that cannot be written,
a bug. Internal errors exit 2 with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genai_gitops import cli
from genai_gitops.cli import main


@pytest.mark.parametrize("argv", [["policy", "verify", "policies"], ["validate", "policies", "--output", "json",
                                                                      "--only", "schema", "--quiet"]])
def test_a_closed_pipe_is_not_a_traceback(repo: Path, argv: list[str]) -> None:
    """`... | head`: the reader goes away before the command writes."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(repo / "constructs")])}
    proc = subprocess.Popen([sys.executable, "-m", "genai_gitops", *argv], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == cli.EXIT_BROKEN_PIPE
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_synth_into_an_unwritable_place_exits_2_naming_the_flag(data_copy: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(data_copy)
    assert main(["synth", "--out", "/proc/genai-gitops-test", "--argocd", "", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == "genai-gitops synth: error: cannot write --out /proc/genai-gitops-test: No such file or directory\n"


def test_an_unusable_folder_is_one_line(data_copy: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(data_copy)
    (data_copy / "elsewhere").write_text("a file where a folder should be")
    assert main(["tenant", "new", "umbrella", "--cluster", "customer-us-1", "--mode", "hybrid",
                 "--tenants", "elsewhere/tenants"]) == 2
    assert capsys.readouterr().err == "genai-gitops tenant: error: elsewhere/tenants: Not a directory\n"


def test_a_manifest_that_cannot_be_read_is_a_finding(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "/proc/self/mem", "--only", "schema", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("/proc/self/mem\n") and "cannot read file" in out


def test_a_bug_is_one_line_and_exit_2(monkeypatch, capsys) -> None:
    """A crash inside a command (here: the handler itself fails) is reported, not dumped."""
    import genai_gitops.cli.argocd as argocd_cli

    def broken(args):
        return {}["missing"]

    monkeypatch.setattr(argocd_cli, "run_preview", broken)
    monkeypatch.delenv("GENAI_GITOPS_DEBUG", raising=False)
    assert main(["argocd", "preview"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("genai-gitops argocd: internal error: KeyError: 'missing' (at test_no_traceback.py:")
    assert err.count("\n") == 1

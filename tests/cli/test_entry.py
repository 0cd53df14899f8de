"""The `genai-gitops` entry (`python -m genai_gitops`): main's exit code and every byte it wrote survive the
quick exit, and only the command given is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from genai_gitops.cli import COMMANDS, build_parser


def run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "genai_gitops", *argv], capture_output=True, timeout=300, cwd=cwd)


def test_the_exit_code_and_all_output_survive(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: 5\n")
    done = run("validate", str(bad), "--only", "schema", "--output", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["errors"] >= 1
    # a long output is complete (flushed before the process ends)
    listed = run("rules", "list", "--output", "json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) > 10


def test_usage_errors_still_exit_2() -> None:
    done = run("chek")
    assert done.returncode == 2 and b"invalid choice: 'chek'" in done.stderr
    assert run("check", "--workers", "0").returncode == 2


def test_a_reader_gone_is_not_an_error() -> None:
    """`genai-gitops rules list | head -1`: the rest of the output goes nowhere, quietly, as before."""
    shell = subprocess.run(f"{sys.executable} -m genai_gitops rules list | head -1", shell=True, capture_output=True,
                           timeout=300)
    assert shell.returncode == 0 and len(shell.stdout.splitlines()) == 1
    assert b"Traceback" not in shell.stderr and b"Exception ignored" not in shell.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_the_command_alone_parses_as_with_all(command: str) -> None:
    """The parser built for one command takes that command's options exactly as the full parser does."""
    only = build_parser(command)._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    full = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert list(only) == [command]
    assert only[command].format_help() == full[command].format_help()

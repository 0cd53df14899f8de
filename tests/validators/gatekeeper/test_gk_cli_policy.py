"""`genai-gitops policy verify`: output per case, summary, exit codes (0 pass, 1 fail, 2 usage)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from gatekeeper_fixtures import FIXTURES, POLICIES

from genai_gitops.cli import policy


def verify(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="genai-gitops")
    policy.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["policy", "verify", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = policy.run_verify(args, out, err)
    return code, out.getvalue(), err.getvalue()


def test_all_cases_pass() -> None:
    code, out, err = verify(str(POLICIES))
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert f"ok    {POLICIES}/requiredlabels/suite.yaml owner-and-team/allowed" in lines
    assert f"SKIP  {POLICIES}/requiredlabels/suite.yaml owner-and-team/not-ready-yet" in lines
    assert lines[-1].startswith("PASS: 12 passed, 0 failed, 1 skipped in 4 suites (")


def test_failures_print_the_reason_and_exit_1() -> None:
    code, out, _ = verify(str(FIXTURES / "broken"), "--run", "wrong-expectations//two-objects")
    assert code == 1
    assert out.splitlines()[:2] == [
        f"FAIL  {FIXTURES}/broken/suite.yaml wrong-expectations/two-objects",
        "      object file must contain exactly one object: 'two_objects.yaml' defines 2 objects"]
    assert out.splitlines()[-1].startswith("FAIL: 0 passed, 1 failed, 0 skipped in 1 suites")


def test_json_output() -> None:
    code, out, _ = verify(str(POLICIES / "configmaprefs"), "--output", "json")
    assert code == 0
    assert json.loads(out) == [
        {"suite": f"{POLICIES}/configmaprefs/suite.yaml", "test": "references-resolve", "case": "configmap-synced",
         "passed": True, "message": ""},
        {"suite": f"{POLICIES}/configmaprefs/suite.yaml", "test": "references-resolve", "case": "configmap-missing",
         "passed": True, "message": ""},
    ]


@pytest.mark.parametrize(("argv", "message"), [
    (["does/not/exist"], "error: no such file or folder: does/not/exist"),
    ([str(FIXTURES / "tree")], "error: no Suite files"),
    ([str(POLICIES), "--run", "("], "error: --run: invalid test filter"),
])
def test_usage_errors_exit_2(argv: list[str], message: str) -> None:
    code, out, err = verify(*argv)
    assert code == 2 and out == "" and err.startswith(message)


def test_unknown_output_format_is_an_argparse_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        verify(str(POLICIES), "--output", "xml")
    assert exit_.value.code == 2


def test_policy_is_a_registered_command(tmp_path: Path) -> None:
    from genai_gitops.cli import COMMANDS

    assert "policy" in COMMANDS

"""`genai-gitops graph`, called the way a user does."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from genai_gitops import cli


@pytest.fixture(autouse=True)
def _outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # graph reads ./tenants and ./clusters.yaml when present: never the committed example data
    monkeypatch.chdir(tmp_path)


def run(argv: list[str]) -> int:
    return cli.main(["graph", *argv])


def test_mermaid_for_one_tenant(synthesized: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--dist", str(synthesized / "dist"), "--tenant", "globex", "--tenants", str(synthesized / "tenants"),
                "--clusters", str(synthesized / "clusters.yaml")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.startswith("flowchart LR\n")
    assert '["tenant-globex"]' in out.out and "tenant-acme" not in out.out


def test_dot_to_a_file(synthesized: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "graph.dot"
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--format", "dot",
                "-o", str(target)]) == 0
    assert target.read_text().startswith('digraph "customer-us-1" {')


def test_svg_without_graphviz_is_a_clear_error(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--format", "svg"]) == 2
    assert "SVG output needs Graphviz's `dot` on PATH" in capsys.readouterr().err


def test_svg_through_graphviz(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "dot"  # stands in for Graphviz: checks it is asked for SVG and gets DOT on stdin
    fake.write_text('#!/bin/sh\n[ "$1" = "-Tsvg" ] || exit 3\ngrep -q "^digraph" || exit 4\necho "<svg/>"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--format", "svg"]) == 0
    assert capsys.readouterr().out == "<svg/>\n"


def test_unknown_tenant_exits_2(synthesized: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--dist", str(synthesized / "dist"), "--tenant", "nobody"]) == 2
    assert "no tenant 'nobody'" in capsys.readouterr().err


def test_missing_dist_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--dist", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err

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
    assert "\nflowchart LR\n" in out.out and "legend" in out.out
    assert '["tenant-globex"]' in out.out and "tenant-acme" not in out.out


def test_dot_to_a_file(synthesized: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "graph.dot"
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--output", "dot",
                "--output-file", str(target)]) == 0
    assert target.read_text().startswith('digraph "customer-us-1" {')


def test_svg_without_graphviz_is_a_clear_error(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--output", "svg"]) == 2
    assert "SVG output needs Graphviz's `dot` on PATH" in capsys.readouterr().err


def test_svg_through_graphviz(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "dot"  # stands in for Graphviz: checks it is asked for SVG and gets DOT on stdin
    fake.write_text('#!/bin/sh\n[ "$1" = "-Tsvg" ] || exit 3\ngrep -q "^digraph" || exit 4\necho "<svg/>"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--output", "svg"]) == 0
    assert capsys.readouterr().out == "<svg/>\n"


def test_unknown_tenant_exits_2(synthesized: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--dist", str(synthesized / "dist"), "--tenant", "nobody"]) == 2
    assert "no tenant 'nobody'" in capsys.readouterr().err


def test_missing_dist_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--dist", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_a_cluster_without_tenants_says_why_instead_of_an_empty_chart(synthesized: Path, capsys) -> None:
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "central-prod"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("genai-gitops graph: nothing to draw: cluster central-prod has no tenant namespaces (it holds "
                   "addons, central, cluster-config). The graph shows what each tenant's NetworkPolicies allow; "
                   "clusters with tenants: customer-eu-1, customer-us-1, e.g. --cluster customer-eu-1\n")


def test_the_picture_has_a_legend_and_room_for_labels(synthesized: Path, capsys) -> None:
    assert run(["--dist", str(synthesized / "dist"), "--tenants", str(synthesized / "tenants"),
                "--clusters", str(synthesized / "clusters.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---\nconfig:\n  flowchart:\n    nodeSpacing: 40\n    rankSpacing: 110\n")
    assert '  subgraph legend["legend: edges are allowed connections, labelled with ports"]' in out
    assert '    legend_other["another tenant (never allowed)"]' in out
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--no-legend"]) == 0
    assert "legend" not in capsys.readouterr().out


def test_old_flag_spellings_still_work_with_a_warning(synthesized: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "old.dot"
    assert run(["--dist", str(synthesized / "dist"), "--cluster", "customer-us-1", "--format", "dot",
                "--output", str(target)]) == 0
    err = capsys.readouterr().err
    assert "--format is deprecated; use --output dot" in err
    assert f"--output FILE is deprecated (--output names the format: mermaid, dot, svg); use --output-file {target}" \
        in err
    text = target.read_text()
    assert text.startswith('digraph "customer-us-1" {')
    assert ('  subgraph cluster__legend {\n'
            '    label="legend: edges are allowed connections, labelled with ports";') in text

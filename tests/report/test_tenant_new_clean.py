"""Defect 8: the file `tenant new` writes checks clean, without warnings, for every mode on both kinds of cluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genai_gitops.cli import main
from tests.conftest import copy_fixture_data

REPO = Path(__file__).resolve().parents[2]


def test_every_scaffolded_tenant_checks_without_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    copy_fixture_data(tmp_path)  # the frozen fixture data, never the committed tenants
    shutil.copytree(REPO / "policies", tmp_path / "policies")
    monkeypatch.chdir(tmp_path)
    # customer-eu-1 has a GPU pool, customer-us-1 has none (local models fall back to CPU)
    for cluster in ("customer-eu-1", "customer-us-1"):
        for mode in ("local", "external", "hybrid"):
            assert main(["tenant", "new", f"{mode}-{cluster[-4:]}", "--cluster", cluster, "--mode", mode]) == 0
    assert main(["synth", "--quiet"]) == 0
    capsys.readouterr()
    code = main(["check", "--only", "schema,policy,refs,capacity", "--no-drift", "--no-cache"])
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("0 errors, 0 warnings in "), out
    assert code == 0

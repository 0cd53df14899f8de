from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from genai_gitops.cli import main
from genai_gitops.model import load_platform


@pytest.mark.parametrize(("cluster", "mode"), [("customer-eu-1", "local"), ("customer-us-1", "hybrid"),
                                               ("central-prod", "external")])
def test_new_tenant_file_synthesises_as_is(data_copy: Path, monkeypatch, capsys, cluster: str, mode: str) -> None:
    monkeypatch.chdir(data_copy)
    assert main(["tenant", "new", "umbrella", "--cluster", cluster, "--mode", mode]) == 0
    text = (data_copy / "tenants/umbrella.yaml").read_text()
    assert text.startswith("# Tenant umbrella") and "{key: genai/tenants/umbrella/" in text
    tenant = next(t for t in load_platform("tenants", "clusters.yaml").tenants if t.id == "umbrella")
    assert (tenant.cluster, tenant.usage_mode.value) == (cluster, mode)
    assert main(["synth", "--out", "out/dist", "--argocd", "out/argocd", "--quiet"]) == 0
    assert (data_copy / f"out/dist/{cluster}/tenant-umbrella").is_dir()


def test_unknown_cluster_is_refused(data_copy: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(data_copy)
    assert main(["tenant", "new", "umbrella", "--cluster", "mars-1", "--mode", "local"]) == 2
    assert capsys.readouterr().err == ("genai-gitops tenant new: error: --cluster: unknown cluster 'mars-1' in "
                                       "clusters.yaml; use one of: central-prod, customer-eu-1, customer-us-1\n")
    assert not (data_copy / "tenants/umbrella.yaml").exists()


def test_existing_file_is_kept(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    before = (data_copy / "tenants/acme.yaml").read_text()
    assert main(["tenant", "new", "acme", "--cluster", "customer-eu-1", "--mode", "local"]) == 2
    assert (data_copy / "tenants/acme.yaml").read_text() == before


def test_onboarding_the_readme_way_checks_clean(repo: Path, data_copy: Path, monkeypatch, capsys) -> None:
    """README: `tenant new`, synth, check. What `tenant new` writes checks clean, without warnings, for every
    usage mode on a GPU cluster, a CPU-only cluster and the central cluster."""
    from genai_gitops.report.finding import Severity

    monkeypatch.chdir(data_copy)
    shutil.copytree(repo / "policies", data_copy / "policies")
    for tenant, cluster, mode, database in (
            ("umbrella", "customer-us-1", "hybrid", "10.30.240.128/28"),
            ("hooli", "customer-eu-1", "local", "10.20.240.128/28"),
            ("wayne", "central-prod", "external", "10.10.240.128/28"),
            ("stark", "customer-us-1", "local", "10.30.240.144/28"),
            ("tyrell", "customer-eu-1", "hybrid", "10.20.240.144/28")):
        assert main(["tenant", "new", tenant, "--cluster", cluster, "--mode", mode,
                     "--database-endpoint", database]) == 0
    assert main(["synth", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["check", "--skip", "checkov", "--no-cache", "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    findings = report["findings"] if isinstance(report, dict) else report
    assert [(f["file"], f["message"]) for f in findings if f["severity"] in (Severity.ERROR, Severity.WARNING)] == []


@pytest.mark.parametrize(("argv", "message"), [
    (["../evil"], "id: '../evil' is not a DNS label; use 1-63 lowercase letters, digits and '-', starting and "
                  "ending with a letter or digit"),
    (["umbrella", "--database-endpoint", "10.30.240.128/28]\nimage_repositories: [docker.io/evil/"],
     "--database-endpoint: '10.30.240.128/28]\\nimage_repositories: [docker.io/evil/' is not an IPv4 network"),
])
def test_values_written_into_the_file_are_checked_first(data_copy: Path, monkeypatch, capsys, argv, message) -> None:
    """The id becomes a path and every value lands in YAML: neither may escape before the model sees it."""
    monkeypatch.chdir(data_copy)
    before = sorted(p.relative_to(data_copy) for p in data_copy.rglob("*"))
    assert main(["tenant", "new", *argv, "--cluster", "customer-us-1", "--mode", "local"]) == 2
    assert capsys.readouterr().err.startswith(f"genai-gitops tenant new: error: {message}")
    assert sorted(p.relative_to(data_copy) for p in data_copy.rglob("*")) == before


def test_a_database_endpoint_of_another_tenant_is_refused_before_synth(data_copy: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(data_copy)
    taken = next(t for t in load_platform("tenants", "clusters.yaml").tenants if t.id == "globex").database_endpoints[0]
    assert main(["tenant", "new", "umbrella", "--cluster", "customer-us-1", "--mode", "local",
                 "--database-endpoint", taken]) == 1
    assert (f"tenants/umbrella.yaml: database_endpoints[0]: '{taken}' overlaps the database endpoints of "
            "tenants/globex.yaml") in capsys.readouterr().err
    assert not (data_copy / "tenants/umbrella.yaml").exists()

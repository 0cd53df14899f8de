from __future__ import annotations

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
    assert main(["tenant", "new", "umbrella", "--cluster", "mars-1", "--mode", "local"]) == 1
    assert ("tenants/umbrella.yaml: cluster: unknown cluster 'mars-1'; use one of: central-prod, customer-dev-1, "
            "customer-eu-1, customer-staging-1, "
            "customer-us-1") in capsys.readouterr().err
    assert not (data_copy / "tenants/umbrella.yaml").exists()


def test_existing_file_is_kept(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    before = (data_copy / "tenants/acme.yaml").read_text()
    assert main(["tenant", "new", "acme", "--cluster", "customer-eu-1", "--mode", "local"]) == 2
    assert (data_copy / "tenants/acme.yaml").read_text() == before

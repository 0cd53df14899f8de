"""Issue 11 holes 4, 5 and 8 through the PR gate: `genai-gitops check` refuses hostile data, exit 1, one line each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genai_gitops.cli import main
from tests.model.conftest import FIXTURE, set_field


@pytest.mark.parametrize(("file", "field", "value", "message"), [
    ("tenants/alpha.yaml", "oidc.argocd_groups[0]", "alpha-admins\ng, alpha-admins, role:admin",
     "oidc.argocd_groups[0]: 'alpha-admins\\ng, alpha-admins, role:admin' is not an OIDC group name"),
    ("tenants/alpha.yaml", "secrets.litellm_api_key", {"key": "genai/platform/hub/litellm", "property": "master_key"},
     "secrets.litellm_api_key.key: 'genai/platform/hub/litellm' is outside this tenant's secrets; a tenant file may "
     "reference only keys under 'genai/tenants/alpha/'"),
    ("tenants/alpha.yaml", "mcp_servers[0].path", "@evil.example:443/mcp",
     "mcp_servers[0].path: '@evil.example:443/mcp' is not an absolute URL path"),
    ("clusters.yaml", "clusters[1].data_subnets", ["0.0.0.0/0"],
     "clusters[1].data_subnets[0]: '0.0.0.0/0' is not inside vpc_cidr '10.60.0.0/16'"),
    ("clusters.yaml", "clusters[1].capabilities.ingress.public_cidrs", ["0.0.0.0/0"],
     "clusters[1].capabilities.ingress.public_cidrs[0]: '0.0.0.0/0' is the whole internet"),
])
def test_check_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                       file: str, field: str, value: object, message: str) -> None:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    set_field(tmp_path / file, field, value)
    code = main(["check", "--repo", ".", "--skip", "checkov", "--no-cache"])
    captured = capsys.readouterr()
    assert code == 1
    # a data error is a finding like any other: the file, then the field and what is wrong
    assert f"{file}\n" in captured.out and f"[data/invalid-data]  {message}" in captured.out
    assert "Traceback" not in captured.out + captured.err

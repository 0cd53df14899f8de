"""The tenant loader on hostile or careless files: every problem at once, no secret echoed."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from genai_gitops.model import ModelError, load_platform

REFERENCE = ("secrets are never written in data files. Store it in AWS Secrets Manager and reference it: "
             "{key: genai/tenants/<id>/<name>, property: <field>}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture drift: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def problems(data: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_platform(data / "tenants", data / "clusters.yaml")
    return [str(p) for p in info.value.problems]


def test_secrets_and_schema_problems_in_one_run(data_copy: Path, monkeypatch) -> None:
    """issue 14 #7: a secret-looking value no longer hides the other errors of the file."""
    monkeypatch.chdir(data_copy)
    tenant = data_copy / "tenants/globex.yaml"
    edit(tenant, "plan: business", "plan: 'postgresql://webui:s3cret@db.internal:5432/webui'")
    edit(tenant, "usage_mode: external", "usage_mode: externel")
    edit(tenant, "  storage: 50Gi", "  storage: 50Gi\n  cpus: '4'")
    edit(tenant, "client_id: open-webui-globex", "client_id: 9f86d081884c7d659a2feaa0c55ad015")
    assert problems(data_copy) == [
        f"tenants/globex.yaml: billing.plan: this looks like a password in a URL; {REFERENCE}",
        f"tenants/globex.yaml: oidc.client_id: this looks like a high-entropy hex string (a key or token?); "
        f"{REFERENCE}",
        "tenants/globex.yaml: quotas.cpus: unknown field; did you mean 'cpu'? allowed fields: cpu, gpu, memory, "
        "monthly_budget_usd, requests_per_minute, storage, tokens_per_minute",
        "tenants/globex.yaml: usage_mode: Input should be 'local', 'external' or 'hybrid' (got 'externel')"]


def test_a_secret_is_never_echoed_in_a_schema_problem(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/globex.yaml", "  storage: 50Gi", "  storage: 50Gi\n  gpu: [sk-proj-abcdefghijklmnop]")
    found = problems(data_copy)
    assert f"tenants/globex.yaml: quotas.gpu[0]: this looks like an OpenAI/LiteLLM key; {REFERENCE}" in found
    assert not [p for p in found if "abcdefghijklmnop" in p]


def test_binary_tag_cannot_carry_a_key(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    key = base64.b64encode(b"sk-proj-A1b2C3d4E5f6G7h8I9j0").decode()
    edit(data_copy / "tenants/globex.yaml", "plan: business", f"plan: !!binary {key}")
    line = line_of(data_copy / "tenants/globex.yaml", "!!binary")
    assert problems(data_copy) == [
        f"tenants/globex.yaml: line {line}: tag !!binary is not allowed; only JSON values (mapping, sequence, string, "
        "number, boolean and null) are: write the value as a plain string"]


def test_base64_key_written_as_a_string(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    key = base64.b64encode(b"sk-proj-A1b2C3d4E5f6G7h8I9j0").decode()
    edit(data_copy / "tenants/globex.yaml", "display_name: Globex GPT", f"display_name: {key}")
    assert problems(data_copy) == [
        f"tenants/globex.yaml: branding.display_name: this looks like a base64-encoded OpenAI/LiteLLM key; "
        f"{REFERENCE}"]


def test_a_key_split_across_list_items(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/globex.yaml", "argocd_groups: [globex-it]",
         "argocd_groups: [sk-proj-, A1b2C3d4E5f6G7h8I9j0]")
    assert (f"tenants/globex.yaml: oidc.argocd_groups: these values together look like an OpenAI/LiteLLM key "
            f"split across fields; {REFERENCE}") in problems(data_copy)


def test_duplicate_secrets_key_is_an_error_not_last_wins(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    tenant = data_copy / "tenants/globex.yaml"
    tenant.write_text(tenant.read_text() + "secrets:\n  litellm_api_key: {key: genai/tenants/globex/litellm}\n")
    first = line_of(tenant, "secrets:")
    second = len(tenant.read_text().splitlines()) - 1
    assert problems(data_copy) == [
        f"tenants/globex.yaml: line {second}: duplicate key 'secrets' (first at line {first}); a key may appear "
        "once per mapping: remove or merge the two"]


def test_clusters_file_is_read_by_the_same_rules(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    clusters = data_copy / "clusters.yaml"
    clusters.write_bytes(clusters.read_bytes() + b"# caf\xe9\n")
    found = problems(data_copy)
    assert found[0].startswith("clusters.yaml: line ")
    assert found[0].endswith(": not valid UTF-8 (byte 0xe9 at offset "
                             f"{len(clusters.read_bytes()) - 2}); save the file as UTF-8")


def test_a_fifo_among_the_tenants_is_a_problem_not_a_hang(data_copy: Path, monkeypatch) -> None:
    import os

    monkeypatch.chdir(data_copy)
    os.mkfifo(data_copy / "tenants" / "zeta.yaml")
    assert problems(data_copy) == ["tenants/zeta.yaml: cannot read: not a regular file (a FIFO, socket, device or "
                                   "folder); replace it with a YAML or JSON file"]

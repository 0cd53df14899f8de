"""Every rule of the tenant and cluster models, with the exact text a user sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.model import ModelError, load_platform


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture drift: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def problems(data: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_platform(data / "tenants", data / "clusters.yaml")
    return [str(p) for p in info.value.problems]


def test_example_data_loads(platform) -> None:
    assert [t.id for t in platform.tenants] == ["acme", "globex", "initech"]
    assert {t.usage_mode.value for t in platform.tenants} == {"local", "external", "hybrid"}
    assert [c.name for c in platform.clusters] == ["central-prod", "customer-eu-1", "customer-us-1"]


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("acme", "usage_mode: hybrid", "usage_mode: hybird",
     "tenants/acme.yaml: usage_mode: Input should be 'local', 'external' or 'hybrid' (got 'hybird')"),
    ("acme", "  cpu: \"24\"", "  cpus: \"24\"",
     "tenants/acme.yaml: quotas.cpus: unknown field; did you mean 'cpu'? allowed fields: cpu, gpu, memory, "
     "monthly_budget_usd, requests_per_minute, storage, tokens_per_minute"),
    ("acme", "  gpu: 1", "  gpu: \"1\"", "tenants/acme.yaml: quotas.gpu: Input should be a valid integer (got '1')"),
    ("acme", "  memory: 96Gi", "  memory: 96 gigs",
     "tenants/acme.yaml: quotas.memory: '96 gigs' is not a Kubernetes quantity; write e.g. '500m', '4', '16Gi'"),
    ("acme", "id: acme", "id: Acme_Corp",
     "tenants/acme.yaml: id: 'Acme_Corp' is not a DNS label; use 1-63 lowercase letters, digits and '-', "
     "starting and ending with a letter or digit"),
    ("acme", "image: ghcr.io/acme-corp/mcp-jira:1.4.2", "image: ghcr.io/acme-corp/mcp-jira:latest",
     "tenants/acme.yaml: mcp_servers[0].image: 'ghcr.io/acme-corp/mcp-jira:latest' uses a moving tag; "
     "pin a released version or a digest"),
    ("acme", "image: ghcr.io/acme-corp/mcp-jira:1.4.2", "image: ghcr.io/acme-corp/mcp-jira",
     "tenants/acme.yaml: mcp_servers[0].image: 'ghcr.io/acme-corp/mcp-jira' has no tag; pin a version, "
     "e.g. 'ghcr.io/acme-corp/mcp-jira:1.2.3' or a digest"),
    ("acme", "issuer_url: https://acme.okta.com/oauth2/default", "issuer_url: http://acme.okta.com",
     "tenants/acme.yaml: oidc.issuer_url: 'http://acme.okta.com' is not an OIDC issuer URL; use https://<host "
     "name>[:port][/path] with no user name, fragment, spaces or '..', e.g. 'https://login.example.com/realms/staff'"),
    ("globex", "name: Globex Inc.\n", "",
     "tenants/globex.yaml: name: required field is missing"),
    # absurd numbers: accepted here they would fail on the cluster (int32 replicas, int64 quantities)
    ("acme", "  gpu: 1", "  gpu: 9223372036854775807",
     "tenants/acme.yaml: quotas.gpu: Input should be less than or equal to 1024 (got 9223372036854775807)"),
    ("acme", "  storage: 200Gi", "  storage: 999999999999999999Ei",
     "tenants/acme.yaml: quotas.storage: '999999999999999999Ei' is more than Kubernetes can count (int64 "
     "milli-units); write a real amount, e.g. '64', '512Gi'"),
    ("acme", "  memory: 96Gi", f"  memory: \"{'9' * 40}\"",
     f"tenants/acme.yaml: quotas.memory: '{'9' * 40}' is not a Kubernetes quantity; write e.g. '500m', '4', "
     "'16Gi'"),
    ("acme", "max_replicas: 4", "max_replicas: 4294967296",
     "tenants/acme.yaml: scaling.max_replicas: Input should be less than or equal to 1000 (got 4294967296)"),
    ("acme", "requests_per_minute: 600", "requests_per_minute: 10000000000",
     "tenants/acme.yaml: quotas.requests_per_minute: Input should be less than or equal to 1000000000 (got "
     "10000000000)"),
    # suppressions reach the report (text, Markdown in the PR): no line breaks or markup smuggled in
    ("acme", "scaling: {", "suppressions: [{rule: \"capacity/quota-exceeded\\n## All clear\", reason: ok}]\nscaling: {",
     "tenants/acme.yaml: suppressions[0].rule: 'capacity/quota-exceeded\\n## All clear' is not a rule id; use an id "
     "`genai-gitops rules list` prints, e.g. 'capacity/quota-exceeded' or 'policy/*'"),
    ("acme", "scaling: {", "suppressions: [{rule: capacity/quota-exceeded, reason: \"ok\\u202e\"}]\nscaling: {",
     "tenants/acme.yaml: suppressions[0].reason: 'ok\\u202e' contains control or invisible characters (U+202E); "
     "use one line of plain text"),
])
def test_field_rules(data_copy: Path, monkeypatch, file: str, old: str, new: str, expected: str) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants" / f"{file}.yaml", old, new)
    assert expected in problems(data_copy)


def test_literal_secret_in_secret_field(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/acme.yaml", "client_secret: {key: genai/tenants/acme/oidc, property: client_secret}",
         "client_secret: hunter2-correct-horse")
    assert problems(data_copy) == [
        "tenants/acme.yaml: oidc.client_secret: a literal value is not allowed here; secrets are never written in "
        "tenant files. Store it in AWS Secrets Manager and reference it instead: "
        "{key: genai/tenants/<id>/<name>, property: <field>}"]


@pytest.mark.parametrize(("value", "what"), [
    ("sk-proj-abcdefghijklmnop", "an OpenAI/LiteLLM key"),
    ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
    ("postgresql://webui:s3cret@db.internal:5432/webui", "a password in a URL"),
])
def test_literal_secret_anywhere(data_copy: Path, monkeypatch, value: str, what: str) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/globex.yaml", "plan: business", f"plan: {value!r}")
    assert problems(data_copy) == [
        f"tenants/globex.yaml: billing.plan: this looks like {what}; secrets are never written in data files. "
        "Store it in AWS Secrets Manager and reference it: {key: genai/tenants/<id>/<name>, property: <field>}"]


def test_secret_ref_path_shape(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/globex.yaml", "{key: genai/tenants/globex/oidc,", "{key: 'not a path',")
    assert ("tenants/globex.yaml: oidc.client_secret.key: 'not a path' is not a secret-store path; use "
            "'/'-separated names of letters, digits and '_+=.@-' (no empty, '.' or '..' segment, at most 512 "
            "characters), e.g. 'genai/tenants/acme/oidc'") in problems(data_copy)


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("initech", "usage_mode: local", "usage_mode: external",
     "tenants/initech.yaml: models.local: usage_mode 'external' runs no Ollama; remove models.local or set "
     "usage_mode: hybrid"),
    ("globex", "usage_mode: external", "usage_mode: local",
     "tenants/globex.yaml: models.local: usage_mode 'local' runs Ollama but no local model is listed; add one "
     "(e.g. 'qwen3:8b') or set usage_mode: external"),
    ("globex", "  litellm_api_key: {key: genai/tenants/globex/litellm, property: api_key}\n", "",
     "tenants/globex.yaml: secrets.litellm_api_key: usage_mode 'external' needs the tenant's LiteLLM virtual key; "
     "add {key: genai/tenants/globex/litellm, property: api_key}"),
    ("globex", "  storage: 50Gi", "  storage: 50Gi\n  gpu: 1",
     "tenants/globex.yaml: quotas.gpu: only Ollama uses GPUs in a tenant; set quotas.gpu: 0 for usage_mode "
     "'external'"),
])
def test_tenant_cross_field_rules(data_copy: Path, monkeypatch, file, old, new, expected) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants" / f"{file}.yaml", old, new)
    assert expected in problems(data_copy)


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("globex", "cluster: customer-us-1", "cluster: customer-xx-9",
     "tenants/globex.yaml: cluster: unknown cluster 'customer-xx-9'; use one of: central-prod, customer-eu-1, "
     "customer-us-1"),
    ("globex", "host: gpt.globex.example", "host: assist.acme.example",
     "tenants/globex.yaml: ingress.host: 'assist.acme.example' is already the host of tenants/acme.yaml; "
     "pick another host"),
    ("initech", "cluster: customer-eu-1", "cluster: customer-us-1",
     "tenants/initech.yaml: quotas.gpu: cluster customer-us-1 has no GPU node pool; set cluster to a GPU cluster "
     "or quotas.gpu: 0"),
])
def test_platform_rules(data_copy: Path, monkeypatch, file, old, new, expected) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants" / f"{file}.yaml", old, new)
    assert expected in problems(data_copy)


def test_tenant_ids_are_unique(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    globex = data_copy / "tenants/globex.yaml"
    # its secret paths follow the id (a file referencing another tenant's prefix is refused on its own)
    globex.write_text(globex.read_text().replace("id: globex", "id: acme").replace("tenants/globex/", "tenants/acme/"))
    assert "tenants/globex.yaml: id: tenant id 'acme' is already used by tenants/acme.yaml; ids must be unique" \
        in problems(data_copy)


def test_local_models_need_gpu_or_explicit_fallback(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/initech.yaml", "cluster: customer-eu-1\n", "cluster: customer-us-1\n")
    # its database lives in customer-eu-1's data subnet: another cluster has its own
    edit(data_copy / "tenants/initech.yaml", 'database_endpoints: ["10.20.240.32/28"]\n', "")
    edit(data_copy / "tenants/initech.yaml", "  gpu: 1\n", "  gpu: 0\n")
    assert problems(data_copy) == [
        "tenants/initech.yaml: cluster: cluster customer-us-1 has no GPU node pool for local models; "
        "pick a GPU cluster, set cpu_fallback: true, or set usage_mode: external"]


def test_cpu_fallback_is_explicit(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/initech.yaml", "cluster: customer-eu-1\n", "cluster: customer-us-1\ncpu_fallback: true\n")
    # its database lives in customer-eu-1's data subnet: another cluster has its own
    edit(data_copy / "tenants/initech.yaml", 'database_endpoints: ["10.20.240.32/28"]\n', "")
    edit(data_copy / "tenants/initech.yaml", "  gpu: 1\n", "  gpu: 0\n")
    tenants = load_platform(data_copy / "tenants", data_copy / "clusters.yaml").tenants
    assert next(t for t in tenants if t.id == "initech").cpu_fallback


def test_file_name_matches_id(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    (data_copy / "tenants/globex.yaml").rename(data_copy / "tenants/globex-inc.yaml")
    assert problems(data_copy) == ["tenants/globex-inc.yaml: id: the file is named 'globex-inc' but id is 'globex'; "
                                   "rename the file to globex.yaml"]


def test_yaml_syntax_error(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    (data_copy / "tenants/broken.yaml").write_text("id: broken\nname: [unclosed\n")
    assert problems(data_copy) == [
        "tenants/broken.yaml: line 3, column 1: invalid YAML: did not find expected ',' or ']'; fix the syntax"]


def test_environment_must_match_cluster(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/initech.yaml", "environment: prod", "environment: staging")
    assert ("tenants/initech.yaml: environment: 'staging' but cluster customer-eu-1 is 'prod'; use the cluster's "
            "environment") in problems(data_copy)


def test_all_problems_reported_at_once(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/acme.yaml", "usage_mode: hybrid", "usage_mode: hybird")
    edit(data_copy / "tenants/globex.yaml", "cluster: customer-us-1", "cluster: nowhere")
    found = problems(data_copy)
    assert [p.split(":")[0] for p in found] == ["tenants/acme.yaml", "tenants/globex.yaml"]


def test_mcp_server_cannot_take_a_platform_name(data_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(data_copy)
    edit(data_copy / "tenants/acme.yaml", "  - name: mcp-jira", "  - name: qdrant")
    assert ("tenants/acme.yaml: mcp_servers: server name 'qdrant' is the name of a platform workload; rename it "
            "(e.g. 'mcp-qdrant')") in problems(data_copy)

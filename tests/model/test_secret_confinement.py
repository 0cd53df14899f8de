"""Hole 4: a tenant file references only its own secrets (`genai/tenants/<id>/`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.conftest import load, problems_of, replace_in

OIDC = "client_secret: {key: genai/tenants/alpha/oidc, property: client_secret}"
LITELLM = "litellm_api_key: {key: genai/tenants/alpha/litellm, property: api_key}"


def test_fixture_loads(own_data: Path) -> None:
    assert [t.id for t in load(own_data).tenants] == ["alpha", "beta"]


@pytest.mark.parametrize("key", [
    "genai/platform/hub/litellm",             # the central master key's path
    "genai/tenants/beta/litellm",             # another tenant
    "genai/tenants/alphabet/litellm",         # a tenant whose id merely starts with ours
    "genai/tenants",                          # the parent of every tenant
    "other/genai/tenants/alpha/litellm",
    "Genai/tenants/alpha/litellm",            # Secrets Manager names are case-sensitive
])
def test_litellm_key_outside_the_tenant_prefix(own_data: Path, key: str) -> None:
    replace_in(own_data / "tenants/alpha.yaml", LITELLM, f"litellm_api_key: {{key: {key}, property: master_key}}")
    assert problems_of(own_data) == [
        f"tenants/alpha.yaml: secrets.litellm_api_key.key: {key!r} is outside this tenant's secrets; a tenant file "
        "may reference only keys under 'genai/tenants/alpha/', e.g. 'genai/tenants/alpha/<name>'"]


@pytest.mark.parametrize(("old", "new", "field"), [
    (OIDC, "client_secret: {key: genai/tenants/beta/oidc, property: client_secret}", "oidc.client_secret.key"),
    ("auth_token: {key: genai/tenants/alpha/mcp-wiki, property: token}",
     "auth_token: {key: genai/platform/hub/lago, property: api_key}", "mcp_servers[0].auth_token.key"),
    ("database_url: {key: genai/tenants/alpha/open-webui, property: database_url}",
     "database_url: {key: genai/platform/shared/postgres, property: url}", "secrets.database_url.key"),
])
def test_every_reference_is_confined(own_data: Path, old: str, new: str, field: str) -> None:
    replace_in(own_data / "tenants/alpha.yaml", old, new)
    key = new.split("key: ", 1)[1].split(",", 1)[0]
    assert problems_of(own_data) == [
        f"tenants/alpha.yaml: {field}: {key!r} is outside this tenant's secrets; a tenant file may reference only "
        "keys under 'genai/tenants/alpha/', e.g. 'genai/tenants/alpha/<name>'"]


@pytest.mark.parametrize("key", [
    "genai/tenants/alpha/../beta/litellm",
    "genai/tenants/alpha/./litellm",
    "genai/tenants/alpha//litellm",
    "genai/tenants/alpha/litellm/",
    "/genai/tenants/alpha/litellm",
    "genai/tenants/alpha/lite llm",
    "genai/tenants/alpha/*",
])
def test_malformed_paths(own_data: Path, key: str) -> None:
    replace_in(own_data / "tenants/alpha.yaml", OIDC, f"client_secret: {{key: {key!r}, property: client_secret}}")
    assert problems_of(own_data) == [
        f"tenants/alpha.yaml: oidc.client_secret.key: {key!r} is not a secret-store path; use '/'-separated names "
        "of letters, digits and '_+=.@-' (no empty, '.' or '..' segment, at most 512 characters), "
        "e.g. 'genai/tenants/acme/oidc'"]


@pytest.mark.parametrize("prop", ["a.b", "#", "api_key|@reverse", "*", ""])
def test_property_is_one_plain_field(own_data: Path, prop: str) -> None:
    replace_in(own_data / "tenants/alpha.yaml", OIDC, f"client_secret: {{key: genai/tenants/alpha/oidc, "
                                                       f"property: {prop!r}}}")
    assert problems_of(own_data) == [
        f"tenants/alpha.yaml: oidc.client_secret.property: {prop!r} is not a property name; use 1-128 letters, "
        "digits, '_' and '-' (one JSON field of the secret, e.g. 'client_secret')"]


def test_litellm_key_has_one_name(own_data: Path) -> None:
    replace_in(own_data / "tenants/alpha.yaml", LITELLM,
               "litellm_api_key: {key: genai/tenants/alpha/oidc, property: client_secret}")
    assert problems_of(own_data) == [
        "tenants/alpha.yaml: secrets.litellm_api_key.key: 'genai/tenants/alpha/oidc': the central LiteLLM reads a "
        "tenant's virtual key from 'genai/tenants/alpha/litellm' only; store the key there and set "
        "key: genai/tenants/alpha/litellm"]

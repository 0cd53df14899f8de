"""What the central LiteLLM proxy serves, rendered from all tenants: config.yaml and the tenant teams.

config.yaml holds no secret: every credential is `os.environ/NAME`, filled from ExternalSecrets.

Per-tenant budgets and rate limits are LiteLLM *teams* (`team_id` = tenant id) with `max_budget`,
`budget_duration`, `rpm_limit`, `tpm_limit` and `models`, and each tenant's virtual key belongs to
its team, so the team's budget and limits apply to every request made with it. LiteLLM keeps teams
in its database and manages them through `/team/new` and `/team/update` (docs: proxy/team_budgets,
proxy/users); config.yaml cannot declare them. (`litellm_settings.default_team_settings` is for
team-based logging; its only budget field is a legacy default for teams created by JWT upsert,
read from the *first* entry, so tenant budgets must never be written there.) `teams()` renders the
desired teams; a CronJob applies them with TEAM_SYNC_SCRIPT every few minutes, so the
tenant files stay the one source and a budget change needs no restart of the proxy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from genai_gitops.model.errors import ModelError, Problem
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import service_host
from genai_gitops_constructs.components import vllm

Provider = Literal["openai", "anthropic", "bedrock", "hosted_vllm"]

# Environment variables the config refers to (the Deployment fills each from an ExternalSecret)
MASTER_KEY = "LITELLM_MASTER_KEY"
DATABASE_URL = "DATABASE_URL"
REDIS_PASSWORD = "REDIS_PASSWORD"  # noqa: S105 (a variable name, not a value)
#: provider -> the variable holding its API key (Bedrock has none: IRSA through the ServiceAccount)
PROVIDER_KEYS: dict[Provider, str | None] = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "bedrock": None,
    "hosted_vllm": vllm.API_KEY,
}
#: Prisma pool per proxy worker (general_settings.database_connection_pool_limit)
DB_POOL_LIMIT = 5
#: budget window of every tenant team: the tenant file's budget is monthly
BUDGET_DURATION = "30d"


@dataclass(frozen=True)
class Upstream:
    """One deployment behind a public model name: which provider, and its own model id."""

    provider: Provider
    model: str


#: The model catalogue: public model name -> the upstreams that serve it (LiteLLM balances over
#: several and fails over between them). Tenants may only name models listed here.
CATALOGUE: dict[str, tuple[Upstream, ...]] = {
    "gpt-4o-mini": (Upstream("openai", "gpt-4o-mini"),),
    "gpt-4o": (Upstream("openai", "gpt-4o"),),
    # the same model from Anthropic's API and from Bedrock (in-region, no static keys)
    "claude-sonnet": (Upstream("anthropic", "claude-sonnet-4-20250514"),
                      Upstream("bedrock", "anthropic.claude-sonnet-4-20250514-v1:0")),
    vllm.SERVED_MODEL_NAME: (Upstream("hosted_vllm", vllm.SERVED_MODEL_NAME),),
}

# Bedrock serves Claude 4 models through cross-region inference profiles named by geography
_BEDROCK_GEOGRAPHY = {"eu": "eu", "us": "us", "ap": "apac", "ca": "us"}
_MCP_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class JwtAuth:
    """Optional OIDC JWT auth (in addition to virtual keys): tokens verified against the IdP's JWKS."""

    jwks_url: str
    audience: str
    issuer: str | None = None
    #: the token claim that carries the tenant id (= the LiteLLM team id)
    team_id_claim: str = "tenant"
    user_id_claim: str = "sub"


@dataclass(frozen=True)
class SharedMcpServer:
    """An MCP server of the central stack that LiteLLM offers to keys (streamable HTTP).

    Only a real MCP endpoint belongs here. The MCP registry is not one: it is a REST catalogue
    (`/v0/servers`, `/v0/health`; every other path is 404), so LiteLLM would list no tools from it.
    """

    name: str
    url: str
    description: str = ""

    def __post_init__(self) -> None:
        if not _MCP_NAME.match(self.name):
            raise ValueError(f"MCP server name {self.name!r}: use letters, digits and '_' only (no '-')")
        if f"//{service_host('mcp-registry')}" in self.url or "//mcp-registry" in self.url:
            raise ValueError(f"MCP server {self.name!r}: {self.url} is the MCP registry, a REST catalogue that "
                             "serves no MCP endpoint; point it at an MCP server's streamable-HTTP URL instead")


def shared_mcp_servers() -> tuple[SharedMcpServer, ...]:
    """The platform's shared MCP servers. None is deployed centrally yet: tenants' MCP servers are wired
    into their own Open WebUI (TOOL_SERVER_CONNECTIONS), so `mcp_servers` is left out of config.yaml."""
    return ()


@dataclass(frozen=True)
class LiteLLMConfigProps:
    #: AWS region of the central cluster (Bedrock calls stay in it)
    region: str
    tenants: Sequence[TenantSpec]
    #: Sentinel [host, port] pairs and the master set they watch
    sentinel_nodes: Sequence[tuple[str, int]]
    master_set: str
    #: whether vLLM runs (a GPU pool exists): only then are `hosted_vllm` models served
    vllm: bool = True
    #: tenant id -> its data file, to point errors at the right file
    tenant_files: Mapping[str, str] = field(default_factory=dict)
    jwt: JwtAuth | None = None
    mcp_servers: Sequence[SharedMcpServer] = field(default_factory=shared_mcp_servers)
    request_timeout: int = 600


def available_models(props: LiteLLMConfigProps) -> dict[str, tuple[Upstream, ...]]:
    """The catalogue entries this cluster can serve."""
    out = {}
    for name, upstreams in CATALOGUE.items():
        usable = tuple(u for u in upstreams if props.vllm or u.provider != "hosted_vllm")
        if usable:
            out[name] = usable
    return out


def check_tenant_models(props: LiteLLMConfigProps) -> None:
    """Every model a tenant lists under models.external must be served here; one error lists all misses."""
    served = available_models(props)
    problems = []
    for tenant in props.tenants:
        for index, model in enumerate(tenant.models.external):
            if model not in served:
                why = (" (self-hosted: the central cluster has no GPU node pool for vLLM)"
                       if model in CATALOGUE else "")
                problems.append(Problem(
                    props.tenant_files.get(tenant.id, f"tenant {tenant.id}"), f"models.external[{index}]",
                    f"{model!r} is not served by the central LiteLLM{why}; available: {', '.join(sorted(served))}. "
                    "Use one of those, or add the model to CATALOGUE in "
                    "constructs/genai_gitops_constructs/components/litellm_config.py"))
    if problems:
        raise ModelError(problems)


def _bedrock_model(region: str, model: str) -> str:
    geography = _BEDROCK_GEOGRAPHY.get(region.split("-", 1)[0])
    if geography is None:
        raise ValueError(f"no Bedrock cross-region inference profile is known for region {region!r}")
    return f"bedrock/{geography}.{model}"


def litellm_params(upstream: Upstream, region: str) -> dict[str, Any]:
    """The `litellm_params` of one upstream: provider-prefixed model, endpoint, key reference."""
    if upstream.provider == "bedrock":
        # no key: boto3 takes the web-identity credentials IRSA injects for the pod's ServiceAccount
        return {"model": _bedrock_model(region, upstream.model), "aws_region_name": region}
    params: dict[str, Any] = {"model": f"{upstream.provider}/{upstream.model}"}
    if upstream.provider == "hosted_vllm":
        params["api_base"] = vllm.base_url()
    key = PROVIDER_KEYS[upstream.provider]
    if key:
        params["api_key"] = f"os.environ/{key}"
    return params


def model_list(props: LiteLLMConfigProps) -> list[dict[str, Any]]:
    return [{"model_name": name,
             "litellm_params": litellm_params(upstream, props.region),
             # a stable id per deployment: the same config always yields the same router state
             "model_info": {"id": f"{name}--{upstream.provider}"}}
            for name, upstreams in sorted(available_models(props).items()) for upstream in upstreams]


def _redis(props: LiteLLMConfigProps) -> dict[str, Any]:
    """Sentinel connection settings: clients ask a Sentinel for the master, never a fixed host."""
    return {"sentinel_nodes": [[host, port] for host, port in props.sentinel_nodes],
            "service_name": props.master_set,
            # the data nodes require the password; the Sentinels do not (Lago's client cannot send one),
            # and only the declared clients reach port 26379 (NetworkPolicy)
            "password": f"os.environ/{REDIS_PASSWORD}"}


def render_config(props: LiteLLMConfigProps) -> dict[str, Any]:
    check_tenant_models(props)
    general: dict[str, Any] = {
        "master_key": f"os.environ/{MASTER_KEY}",
        "database_url": f"os.environ/{DATABASE_URL}",
        # models come from this file only (GitOps); the database holds keys, teams and spend
        "store_model_in_db": False,
        # x workers x replicas at full HPA scale: counted in the central connection budget (db_budget.py)
        "database_connection_pool_limit": DB_POOL_LIMIT,
        "proxy_batch_write_at": 60,
        # cross-pod rate limits, budgets and spend counters; the router's shared state uses it too
        "coordination_redis": _redis(props),
    }
    if props.jwt is not None:
        general["enable_jwt_auth"] = True
        general["litellm_jwtauth"] = {"team_id_jwt_field": props.jwt.team_id_claim,
                                      "user_id_jwt_field": props.jwt.user_id_claim}
    config: dict[str, Any] = {
        "model_list": model_list(props),
        "router_settings": {
            "routing_strategy": "simple-shuffle",
            "num_retries": 2,
            "timeout": props.request_timeout,
            "allowed_fails": 3,
            "cooldown_time": 60,
        },
        "litellm_settings": {
            "callbacks": ["prometheus", "otel"],
            "success_callback": ["langfuse", "lago"],
            "failure_callback": ["langfuse"],
            "cache": True,
            "cache_params": {"type": "redis", "ttl": 600, "namespace": "litellm.cache", **_redis(props)},
            "request_timeout": props.request_timeout,
            "drop_params": True,
            # /metrics on the API port stays behind a key; Prometheus scrapes the separate metrics port
            "require_auth_for_metrics_endpoint": True,
            # export every team's remaining budget from start-up, not only after its first request:
            # the "tenant budget nearly used" alert must see idle tenants too
            "prometheus_initialize_budget_metrics": True,
        },
        "general_settings": general,
    }
    if props.mcp_servers:
        config["mcp_servers"] = {s.name: {"url": s.url, "transport": "http", "description": s.description}
                                 for s in props.mcp_servers}
    return config


def render_config_yaml(props: LiteLLMConfigProps) -> str:
    return yaml.safe_dump(render_config(props), sort_keys=False, default_flow_style=False, width=4096)


def tenant_key_env(tenant: TenantSpec) -> str:
    """The variable the team sync reads a tenant's virtual key from."""
    return "TENANT_KEY_" + tenant.id.upper().replace("-", "_")


def teams(tenants: Sequence[TenantSpec]) -> list[dict[str, Any]]:
    """One LiteLLM team per tenant that uses the central LiteLLM, from its quotas and models."""
    out = []
    for tenant in sorted(tenants, key=lambda t: t.id):
        if not tenant.usage_mode.uses_litellm:
            continue
        quotas = tenant.quotas
        team: dict[str, Any] = {
            "team_id": tenant.id,
            "team_alias": tenant.name,
            "models": sorted(tenant.models.external),
            "max_budget": float(quotas.monthly_budget_usd),
            "budget_duration": BUDGET_DURATION,
            "rpm_limit": quotas.requests_per_minute,
            # Lago bills by team: LAGO_API_CHARGE_BY=team_id sends the team id as the subscription id
            "metadata": {"lago_customer_id": tenant.billing.lago_customer_id, "lago_plan": tenant.billing.plan,
                         "environment": tenant.environment.value, "cluster": tenant.cluster},
        }
        if quotas.tokens_per_minute is not None:
            team["tpm_limit"] = quotas.tokens_per_minute
        entry: dict[str, Any] = {"team": team}
        if tenant.secrets.litellm_api_key is not None:
            entry["key"] = {"env": tenant_key_env(tenant), "key_alias": f"{tenant.id}-open-webui"}
        out.append(entry)
    return out


# Applies teams.json through LiteLLM's management API: create what is missing, update what exists,
# so running it again changes nothing. Standard library only (it runs in the LiteLLM image).
# A tenant key is looked up by its SHA-256 (what LiteLLM stores), so the key itself is sent only
# once, in the body of /key/generate, and never appears in a URL or a log line.
TEAM_SYNC_SCRIPT = '''"""Reconcile LiteLLM teams (tenant budgets and rate limits) and tenant keys from teams.json."""
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ["LITELLM_URL"].rstrip("/")
HEADERS = {"Authorization": "Bearer " + os.environ["LITELLM_MASTER_KEY"], "Content-Type": "application/json"}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:500]


def wait_until_ready(seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(BASE + "/health/readiness", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"LiteLLM at {BASE} was not ready within {seconds}s")
        time.sleep(3)


def upsert(kind, info_path, create_path, update_path, create_body, update_body):
    status, text = call("GET", info_path)
    if status == 200:
        path, body, verb = update_path, update_body, "updated"
    elif status == 404:
        path, body, verb = create_path, create_body, "created"
    else:
        sys.exit(f"{kind}: GET {info_path.split('?')[0]} answered {status}: {text}")
    status, text = call("POST", path, body)
    if status != 200:
        sys.exit(f"{kind}: POST {path} answered {status}: {text}")
    print(f"{kind}: {verb}")


def main():
    with open(os.environ.get("TEAMS_FILE", "/sync/teams.json"), encoding="utf-8") as handle:
        entries = json.load(handle)
    wait_until_ready(int(os.environ.get("READY_TIMEOUT", "300")))
    for entry in entries:
        team = entry["team"]
        team_id = team["team_id"]
        upsert(f"team {team_id}", "/team/info?team_id=" + urllib.parse.quote(team_id), "/team/new",
               "/team/update", team, team)
        key = entry.get("key")
        if key is None:
            continue
        value = os.environ.get(key["env"], "")
        if not value:
            print(f"team {team_id}: no key in {key['env']}; the tenant cannot call LiteLLM until it is stored")
            continue
        hashed = hashlib.sha256(value.encode()).hexdigest()
        grant = {"team_id": team_id, "key_alias": key["key_alias"], "models": team["models"]}
        upsert(f"key {key['key_alias']}", "/key/info?key=" + hashed, "/key/generate", "/key/update",
               {"key": value, **grant}, {"key": hashed, **grant})


if __name__ == "__main__":
    main()
'''

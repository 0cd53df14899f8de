"""What Prometheus and Grafana need from the central stack: ServiceMonitors, alerts, dashboards.

kube-prometheus-stack (an add-on) runs Prometheus with `serviceMonitorSelectorNilUsesHelmValues` and
`ruleSelectorNilUsesHelmValues` false, so it picks up every ServiceMonitor and PrometheusRule; they
still carry `release: kube-prometheus-stack` so a stricter selector would keep working. Grafana's
dashboard sidecar loads every ConfigMap labelled `grafana_dashboard: "1"` in any namespace.

Every PromQL expression here is built from the metric names below - the names LiteLLM (integrations/
prometheus.py, v1.10x), redis_exporter and kube-state-metrics export - so alerts and dashboards cannot
drift apart. Tenants are LiteLLM teams: the `team` label is the tenant id (litellm_config.py).

Langfuse has no scrape target: v3 publishes no Prometheus endpoint (its metrics go to DogStatsD or
CloudWatch). Qdrant is per tenant and scraped from the tenant stacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cdk8s import ApiObject, JsonPatch
from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec, Environment
from genai_gitops.model.traffic import PLATFORM_NAMESPACE
from genai_gitops_constructs.meta import labels, object_meta
from genai_gitops_constructs.versions import IMAGES

# -- metric names: one place for alerts and dashboards ------------------------------------------------
# LiteLLM counters (prometheus_client appends _total to counters, _bucket to histogram buckets)
LITELLM_REQUESTS = "litellm_proxy_total_requests_metric_total"
LITELLM_FAILURES = "litellm_proxy_failed_requests_metric_total"
LITELLM_LATENCY_BUCKET = "litellm_request_total_latency_metric_bucket"
LITELLM_SPEND = "litellm_spend_metric_total"
LITELLM_INPUT_TOKENS = "litellm_input_tokens_metric_total"
LITELLM_OUTPUT_TOKENS = "litellm_output_tokens_metric_total"
LITELLM_CACHE_HITS = "litellm_cache_hits_metric_total"
LITELLM_CACHE_MISSES = "litellm_cache_misses_metric_total"
# LiteLLM gauges, per team (= tenant): set on every request and, with prometheus_initialize_budget_metrics,
# refreshed for every team every few minutes
LITELLM_TEAM_MAX_BUDGET = "litellm_team_max_budget_metric"
LITELLM_TEAM_REMAINING_BUDGET = "litellm_remaining_team_budget_metric"
# redis_exporter
REDIS_MEMORY_USED = "redis_memory_used_bytes"
REDIS_MEMORY_MAX = "redis_memory_max_bytes"
# kube-state-metrics (part of kube-prometheus-stack)
POD_RESTARTS = "kube_pod_container_status_restarts_total"

#: namespaces whose pods the restart alert watches: the central stack and every tenant
WATCHED_NAMESPACES = f"{PLATFORM_NAMESPACE}|tenant-.+"

#: USD per provider and hour above which spending is an incident, not a busy hour
PROVIDER_SPEND_PER_HOUR_USD: dict[Environment, float] = {
    Environment.DEV: 5.0,
    Environment.STAGING: 25.0,
    Environment.PROD: 250.0,
}

PROMETHEUS_SELECTOR_LABELS = {"release": "kube-prometheus-stack"}
DASHBOARD_LABELS = {"grafana_dashboard": "1"}


@dataclass(frozen=True)
class ScrapeTarget:
    """One ServiceMonitor: the Service (by `app.kubernetes.io/name`) and its named metrics port."""

    service: str
    port: str
    path: str = "/metrics"
    interval: str = "30s"


def central_scrape_targets(cluster: ClusterSpec) -> tuple[ScrapeTarget, ...]:
    """Every central workload with a Prometheus endpoint (the ports traffic.CENTRAL_METRICS_PORTS opens)."""
    targets = [
        # LiteLLM's separate, unauthenticated metrics server (the API port's /metrics needs a key)
        ScrapeTarget("litellm", "metrics", interval="15s"),
        ScrapeTarget("clickhouse", "metrics"),
        ScrapeTarget("jaeger", "metrics"),
        ScrapeTarget("mcp-registry", "http"),
        ScrapeTarget("agent-server", "http"),
    ]
    if cluster.has_gpu:
        targets.append(ScrapeTarget("vllm", "http"))
    # exporter sidecars (and their Services' `metrics` port) exist only once versions.py pins their image
    targets += [ScrapeTarget(store, "metrics") for store in ("redis", "postgres") if f"{store}-exporter" in IMAGES]
    return tuple(targets)


@dataclass(frozen=True)
class AlertThresholds:
    """platform.md's alerts, as numbers (ratios are 0..1)."""

    error_ratio: float = 0.05
    latency_p95_seconds: float = 10.0
    cache_hit_ratio: float = 0.5
    redis_memory_ratio: float = 0.9
    restarts_per_hour: int = 3
    budget_used_ratio: float = 0.9
    #: None: PROVIDER_SPEND_PER_HOUR_USD for the cluster's environment
    provider_spend_per_hour_usd: float | None = None
    #: below this many requests in the window a ratio is noise (one failure of two requests is not 50%)
    min_requests: int = 20


@dataclass(frozen=True)
class ObservabilityProps:
    cluster: ClusterSpec
    thresholds: AlertThresholds = field(default_factory=AlertThresholds)
    #: None: central_scrape_targets(cluster)
    targets: tuple[ScrapeTarget, ...] | None = None

    @property
    def spend_per_hour_usd(self) -> float:
        value = self.thresholds.provider_spend_per_hour_usd
        return value if value is not None else PROVIDER_SPEND_PER_HOUR_USD[self.cluster.environment]


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    duration: str
    severity: str
    summary: str
    description: str

    def render(self, environment: str) -> dict[str, Any]:
        rule: dict[str, Any] = {"alert": self.name, "expr": self.expr}
        if self.duration != "0m":
            rule["for"] = self.duration
        rule["labels"] = {"severity": self.severity, "environment": environment}
        rule["annotations"] = {"summary": self.summary, "description": self.description}
        return rule


def _ratio(numerator: str, denominator: str) -> str:
    """`(numerator) / (denominator)`, each side in its own parentheses: `/` binds tighter than `-`."""
    return f"(\n  ({numerator})\n/\n  ({denominator})\n)"


def alert_groups(props: ObservabilityProps) -> dict[str, list[Alert]]:
    """The alerts of platform.md, grouped by what they watch."""
    t = props.thresholds
    min_rate = t.min_requests / 300  # per second over 5 minutes
    requests_5m = f"sum(rate({LITELLM_REQUESTS}[5m]))"
    cache_lookups = f"sum(rate({LITELLM_CACHE_HITS}[15m])) + sum(rate({LITELLM_CACHE_MISSES}[15m]))"
    max_budget = f"max by (team, team_alias) ({LITELLM_TEAM_MAX_BUDGET} > 0)"
    remaining = f"min by (team, team_alias) ({LITELLM_TEAM_REMAINING_BUDGET})"
    spend_limit = props.spend_per_hour_usd
    return {
        "litellm": [
            Alert(
                "LiteLLMHighErrorRate",
                # 429s are tenants hitting their own rate limit: the proxy doing its job, not failing
                _ratio(f'sum(rate({LITELLM_FAILURES}{{exception_status!="429"}}[5m]))', requests_5m)
                + f" > {t.error_ratio:g}\nand on() {requests_5m} > {min_rate:g}",
                "5m", "critical",
                f"LiteLLM error rate above {t.error_ratio:.0%}",
                "{{ $value | humanizePercentage }} of LiteLLM requests failed over the last 5 minutes "
                "(rate-limit refusals excluded). Check provider status, the litellm pods' logs and "
                "litellm_deployment_failure_responses_total by api_provider."),
            Alert(
                "LiteLLMHighLatencyP95",
                f"histogram_quantile(0.95,\n  sum by (le, requested_model) (rate({LITELLM_LATENCY_BUCKET}[5m]))\n)"
                f" > {t.latency_p95_seconds:g}",
                "10m", "warning",
                f"LiteLLM P95 latency above {t.latency_p95_seconds:g} s for {{{{ $labels.requested_model }}}}",
                "95% of requests for model {{ $labels.requested_model }} take up to {{ $value | humanizeDuration }} "
                "end to end through the proxy."),
            Alert(
                "LiteLLMRedisCacheHitRateLow",
                # LiteLLM's own view of its Redis response cache: Redis' keyspace hit rate would mix in
                # Sidekiq and BullMQ queue traffic and rate-limit counters that share the same Redis
                _ratio(f"sum(rate({LITELLM_CACHE_HITS}[15m]))", cache_lookups)
                + f" < {t.cache_hit_ratio:g}\nand on() ({cache_lookups}) > {min_rate:g}",
                "30m", "warning",
                f"Redis response cache hit rate below {t.cache_hit_ratio:.0%}",
                "Only {{ $value | humanizePercentage }} of LiteLLM cache lookups hit Redis over 15 minutes. "
                "Check the cache TTL, Redis evictions and whether requests carry cache-busting parameters."),
            Alert(
                "LiteLLMProviderSpendHigh",
                f"sum by (api_provider) (increase({LITELLM_SPEND}[1h])) > {spend_limit:g}",
                "5m", "critical" if props.cluster.environment is Environment.PROD else "warning",
                f"{{{{ $labels.api_provider }}}} spend above {spend_limit:g} USD per hour",
                "LiteLLM recorded {{ $value | printf \"%.2f\" }} USD for provider {{ $labels.api_provider }} in the "
                f"last hour; the {props.cluster.environment.value} threshold is {spend_limit:g} USD. "
                "Look for a runaway client or key in the spend dashboard."),
            Alert(
                "TenantBudgetNearlyUsed",
                _ratio(f"{max_budget} - {remaining}", max_budget) + f" > {t.budget_used_ratio:g}",
                "15m", "warning",
                "Tenant {{ $labels.team }} has used over "
                f"{t.budget_used_ratio:.0%} of its monthly budget",
                "Team {{ $labels.team }} ({{ $labels.team_alias }}) has spent {{ $value | humanizePercentage }} "
                "of its LiteLLM budget for the current period; requests are refused once it is spent."),
        ],
        "redis": [
            Alert(
                "RedisMemoryHigh",
                _ratio(f'max by (pod) ({REDIS_MEMORY_USED}{{namespace="{PLATFORM_NAMESPACE}"}})',
                       f'max by (pod) ({REDIS_MEMORY_MAX}{{namespace="{PLATFORM_NAMESPACE}"}} > 0)')
                + f" > {t.redis_memory_ratio:g}",
                "10m", "critical",
                f"Redis {{{{ $labels.pod }}}} above {t.redis_memory_ratio:.0%} of maxmemory",
                "{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its maxmemory. The policy is "
                "noeviction: when it is full, writes fail - Langfuse and Lago queues stop and LiteLLM "
                "caching and rate limiting degrade."),
        ],
        "workloads": [
            Alert(
                "PodRestartingOften",
                f'increase({POD_RESTARTS}{{namespace=~"{WATCHED_NAMESPACES}"}}[1h]) > {t.restarts_per_hour}',
                "0m", "warning",
                "{{ $labels.namespace }}/{{ $labels.pod }} restarted more than "
                f"{t.restarts_per_hour} times in an hour",
                "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} restarted "
                "{{ $value | printf \"%.0f\" }} times in the last hour. Check its previous logs and events "
                "(OOMKilled, failed probes)."),
        ],
    }


# -- dashboards -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Panel:
    title: str
    #: legend format -> PromQL
    queries: tuple[tuple[str, str], ...]
    unit: str = "short"
    description: str = ""


_DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
_TEAM = '{team=~"$tenant"}'


def _panel_json(panel: Panel, index: int) -> dict[str, Any]:
    return {
        "id": index + 1,
        "type": "timeseries",
        "title": panel.title,
        "description": panel.description,
        "datasource": _DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
        "targets": [{"refId": chr(ord("A") + i), "datasource": _DATASOURCE, "expr": expr, "legendFormat": legend}
                    for i, (legend, expr) in enumerate(panel.queries)],
    }


def dashboard_json(uid: str, title: str, panels: list[Panel]) -> str:
    """A Grafana dashboard model: a Prometheus datasource picker, a tenant filter, the panels."""
    model = {
        "uid": uid,
        "title": title,
        "tags": ["genai-platform", "litellm"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "1m",
        "time": {"from": "now-24h", "to": "now"},
        "templating": {"list": [
            {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0},
            {"name": "tenant", "label": "Tenant", "type": "query", "datasource": _DATASOURCE,
             "query": {"query": f"label_values({LITELLM_SPEND}, team)", "refId": "tenant"},
             "definition": f"label_values({LITELLM_SPEND}, team)",
             "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2, "sort": 1,
             "current": {"text": "All", "value": "$__all"}},
        ]},
        "panels": [_panel_json(p, i) for i, p in enumerate(panels)],
    }
    return json.dumps(model, indent=2, sort_keys=True) + "\n"


def gateway_panels() -> list[Panel]:
    rate = "[$__rate_interval]"
    return [
        Panel("Requests per second by model",
              (("{{requested_model}}", f"sum by (requested_model) (rate({LITELLM_REQUESTS}{_TEAM}{rate}))"),),
              "reqps"),
        Panel("Error ratio",
              (("errors", f"sum(rate({LITELLM_FAILURES}{_TEAM}{rate})) / sum(rate({LITELLM_REQUESTS}{_TEAM}{rate}))"),),
              "percentunit", "Failed requests (any status) over all requests."),
        Panel("Latency P95 by model",
              (("{{requested_model}}", f"histogram_quantile(0.95, sum by (le, requested_model) "
                                       f"(rate({LITELLM_LATENCY_BUCKET}{_TEAM}{rate})))"),),
              "s", "End to end through the proxy, including the provider call."),
        Panel("Tokens per second by model",
              (("{{model}} input", f"sum by (model) (rate({LITELLM_INPUT_TOKENS}{_TEAM}{rate}))"),
               ("{{model}} output", f"sum by (model) (rate({LITELLM_OUTPUT_TOKENS}{_TEAM}{rate}))")),
              "short"),
        Panel("Tokens per second by tenant",
              (("{{team}}", f"sum by (team) (rate({LITELLM_INPUT_TOKENS}{_TEAM}{rate})) "
                            f"+ sum by (team) (rate({LITELLM_OUTPUT_TOKENS}{_TEAM}{rate}))"),),
              "short"),
        Panel("Redis response cache hit ratio",
              (("hit ratio", f"sum(rate({LITELLM_CACHE_HITS}{_TEAM}{rate})) / (sum(rate({LITELLM_CACHE_HITS}"
                             f"{_TEAM}{rate})) + sum(rate({LITELLM_CACHE_MISSES}{_TEAM}{rate})))"),),
              "percentunit"),
    ]


def spend_panels() -> list[Panel]:
    used = (f"(max by (team) ({LITELLM_TEAM_MAX_BUDGET}{_TEAM} > 0) - min by (team) "
            f"({LITELLM_TEAM_REMAINING_BUDGET}{_TEAM})) / max by (team) ({LITELLM_TEAM_MAX_BUDGET}{_TEAM} > 0)")
    return [
        Panel("Spend per tenant (USD per hour)",
              (("{{team}}", f"sum by (team) (increase({LITELLM_SPEND}{_TEAM}[1h]))"),), "currencyUSD"),
        Panel("Spend per model (USD per hour)",
              (("{{model}}", f"sum by (model) (increase({LITELLM_SPEND}{_TEAM}[1h]))"),), "currencyUSD"),
        Panel("Spend per provider (USD per hour)",
              (("{{api_provider}}", f"sum by (api_provider) (increase({LITELLM_SPEND}{_TEAM}[1h]))"),),
              "currencyUSD", "The provider spend alert fires per provider on this value."),
        Panel("Spend per tenant, last 24 hours (USD)",
              (("{{team}}", f"sum by (team) (increase({LITELLM_SPEND}{_TEAM}[24h]))"),), "currencyUSD"),
        Panel("Monthly budget used per tenant",
              (("{{team}}", used),), "percentunit",
              "LiteLLM team budget (the tenant's monthly_budget_usd) already spent in the current period."),
    ]


# -- the construct -------------------------------------------------------------------------------------------

class Observability(Construct):
    """ServiceMonitors for the central workloads, the PrometheusRule, and the Grafana dashboard ConfigMaps."""

    def __init__(self, scope: Construct, id: str, props: ObservabilityProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        ns = PLATFORM_NAMESPACE
        meta = labels("genai-observability", instance=cluster.name, component="observability")
        prometheus_meta = {**meta, **PROMETHEUS_SELECTOR_LABELS}

        for target in props.targets if props.targets is not None else central_scrape_targets(cluster):
            monitor = ApiObject(self, f"servicemonitor-{target.service}", api_version="monitoring.coreos.com/v1",
                                kind="ServiceMonitor",
                                metadata={"name": target.service, "namespace": ns, "labels": prometheus_meta})
            monitor.add_json_patch(JsonPatch.add("/spec", {
                "selector": {"matchLabels": {"app.kubernetes.io/name": target.service,
                                             "app.kubernetes.io/instance": cluster.name}},
                "namespaceSelector": {"matchNames": [ns]},
                "endpoints": [{"port": target.port, "path": target.path, "interval": target.interval,
                               "scrapeTimeout": "10s"}],
            }))

        environment = cluster.environment.value
        rule = ApiObject(self, "prometheusrule", api_version="monitoring.coreos.com/v1", kind="PrometheusRule",
                         metadata={"name": "genai-platform-alerts", "namespace": ns, "labels": prometheus_meta})
        rule.add_json_patch(JsonPatch.add("/spec", {"groups": [
            {"name": f"genai-platform.{group}", "rules": [a.render(environment) for a in alerts]}
            for group, alerts in alert_groups(props).items()]}))

        for uid, title, panels in (("genai-gateway", "GenAI gateway: traffic and latency", gateway_panels()),
                                   ("genai-spend", "GenAI spend per tenant and model", spend_panels())):
            k8s.KubeConfigMap(self, f"dashboard-{uid}", metadata=object_meta(
                f"grafana-dashboard-{uid}", ns, {**meta, **DASHBOARD_LABELS}),
                data={f"{uid}.json": dashboard_json(uid, title, panels)})

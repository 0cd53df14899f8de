"""ServiceMonitors, the PrometheusRule with platform.md's alerts, and the Grafana dashboards.

PromQL is checked three ways: every expression names the metric it is about (the names LiteLLM,
redis_exporter and kube-state-metrics export), brackets balance, and - where `promtool` is installed
(Debian package `prometheus`) - promtool parses the rules and unit-tests each alert on synthetic series.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops.model.cluster import Environment
from genai_gitops.model.traffic import CENTRAL_METRICS_PORTS, PLATFORM_NAMESPACE

CLUSTER = "central-prod"

#: platform.md's alerts -> the alert and the metrics its expression must use
PLATFORM_ALERTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "LiteLLM error rate > 5% over 5 min": (
        "LiteLLMHighErrorRate",
        ("litellm_proxy_failed_requests_metric_total", "litellm_proxy_total_requests_metric_total")),
    "LiteLLM P95 latency > 10 s": ("LiteLLMHighLatencyP95", ("litellm_request_total_latency_metric_bucket",)),
    "Redis cache hit rate < 50%": (
        "LiteLLMRedisCacheHitRateLow", ("litellm_cache_hits_metric_total", "litellm_cache_misses_metric_total")),
    "Redis memory > 90%": ("RedisMemoryHigh", ("redis_memory_used_bytes", "redis_memory_max_bytes")),
    "provider spend per hour above a per-environment threshold": (
        "LiteLLMProviderSpendHigh", ("litellm_spend_metric_total",)),
    "a pod restarting more than 3 times in an hour": (
        "PodRestartingOften", ("kube_pod_container_status_restarts_total",)),
    "a tenant's budget nearly used": (
        "TenantBudgetNearlyUsed", ("litellm_team_max_budget_metric", "litellm_remaining_team_budget_metric")),
}
LITELLM_METRIC = re.compile(r"\blitellm_[a-z_]+\b")


@pytest.fixture(scope="module")
def central(example_dist):
    return example_dist.app(CLUSTER, "central")


@pytest.fixture(scope="module")
def rules(central) -> dict[str, dict[str, Any]]:
    rule = central.get("PrometheusRule", "genai-platform-alerts").obj
    return {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}


def balanced(expr: str) -> bool:
    stack: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    in_string = False
    for char in expr:
        if char == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack and not in_string


# -- ServiceMonitors --------------------------------------------------------------------------------------

def test_service_monitors_select_the_central_metrics_ports(central) -> None:
    from genai_gitops_constructs.versions import IMAGES

    monitors = {m.name: m.obj for m in central.of_kind("ServiceMonitor")}
    # every central workload the traffic graph lets Prometheus scrape has a ServiceMonitor (vLLM: GPU
    # cluster), except the exporter sidecars versions.py does not pin (no sidecar, nothing to scrape)
    unpinned = {store for store in ("redis", "postgres") if f"{store}-exporter" not in IMAGES}
    assert set(monitors) == set(CENTRAL_METRICS_PORTS) - unpinned
    assert "langfuse-web" not in monitors  # Langfuse v3 publishes no Prometheus endpoint
    services = central.of_kind("Service")
    for name, monitor in monitors.items():
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        assert monitor["metadata"]["namespace"] == PLATFORM_NAMESPACE
        spec = monitor["spec"]
        assert spec["namespaceSelector"] == {"matchNames": [PLATFORM_NAMESPACE]}
        selector = spec["selector"]["matchLabels"]
        selected = [s for s in services if selector.items() <= s.labels.items()]
        assert selected, f"ServiceMonitor {name} selects no Service"
        (endpoint,) = spec["endpoints"]
        assert endpoint["path"] == "/metrics"
        ports = [p for s in selected for p in s.obj["spec"]["ports"] if p["name"] == endpoint["port"]]
        assert len(ports) == 1, f"ServiceMonitor {name} would scrape {len(ports)} ports named {endpoint['port']}"
        assert ports[0]["port"] == CENTRAL_METRICS_PORTS[name], name


def test_litellm_is_scraped_on_its_unauthenticated_metrics_port(central) -> None:
    monitor = central.get("ServiceMonitor", "litellm").obj["spec"]
    assert monitor["endpoints"][0]["port"] == "metrics"
    container_ports = {p["name"]: p["containerPort"] for p in central.pod("litellm").main["ports"]}
    assert container_ports["metrics"] == CENTRAL_METRICS_PORTS["litellm"]


# -- alerts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("requirement", sorted(PLATFORM_ALERTS))
def test_every_platform_alert_is_defined(rules, requirement: str) -> None:
    alert, metrics = PLATFORM_ALERTS[requirement]
    assert alert in rules, f"{requirement}: no alert {alert}"
    rule = rules[alert]
    for metric in metrics:
        assert re.search(rf"\b{metric}\b", rule["expr"]), f"{alert} does not use {metric}"
    assert balanced(rule["expr"]), rule["expr"]
    assert rule["labels"]["severity"] in ("warning", "critical")
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_thresholds_are_the_ones_platform_md_names(rules) -> None:
    assert "> 0.05" in rules["LiteLLMHighErrorRate"]["expr"] and "[5m]" in rules["LiteLLMHighErrorRate"]["expr"]
    assert "histogram_quantile(0.95" in rules["LiteLLMHighLatencyP95"]["expr"]
    assert rules["LiteLLMHighLatencyP95"]["expr"].rstrip().endswith("> 10")
    assert "< 0.5" in rules["LiteLLMRedisCacheHitRateLow"]["expr"]
    assert rules["RedisMemoryHigh"]["expr"].rstrip().endswith("> 0.9")
    assert rules["PodRestartingOften"]["expr"].endswith("[1h]) > 3")
    assert "[1h]" in rules["LiteLLMProviderSpendHigh"]["expr"]
    assert rules["LiteLLMProviderSpendHigh"]["expr"].endswith("> 250")  # prod's default
    assert "by (api_provider)" in rules["LiteLLMProviderSpendHigh"]["expr"]
    assert "by (team, team_alias)" in rules["TenantBudgetNearlyUsed"]["expr"]  # team = tenant id
    assert rules["TenantBudgetNearlyUsed"]["expr"].rstrip().endswith("> 0.9")


def test_provider_spend_threshold_follows_the_environment(example_dist) -> None:
    from cdk8s import App, Chart

    from genai_gitops_constructs.components.observability import (
        PROVIDER_SPEND_PER_HOUR_USD,
        AlertThresholds,
        Observability,
        ObservabilityProps,
    )

    prod = example_dist.platform.cluster(CLUSTER)
    dev = prod.model_copy(update={"name": "central-dev", "environment": Environment.DEV})
    app = App()
    for cluster, thresholds in ((dev, AlertThresholds()), (prod, AlertThresholds(provider_spend_per_hour_usd=42))):
        chart = Chart(app, cluster.name)
        Observability(chart, "observability", ObservabilityProps(cluster=cluster, thresholds=thresholds))
        rule = next(o for o in chart.to_json() if o["kind"] == "PrometheusRule")
        spend = next(r for g in rule["spec"]["groups"] for r in g.get("rules", [])
                     if r.get("alert") == "LiteLLMProviderSpendHigh")
        expected = PROVIDER_SPEND_PER_HOUR_USD[Environment.DEV] if cluster is dev else 42
        assert spend["expr"].endswith(f"> {expected:g}")
        assert spend["labels"]["environment"] == cluster.environment.value
    assert PROVIDER_SPEND_PER_HOUR_USD[Environment.DEV] < PROVIDER_SPEND_PER_HOUR_USD[Environment.PROD]


PROMTOOL = shutil.which("promtool")

# synthetic series on which every alert must fire (and the noise next to it must not)
_ALERT_UNIT_TEST = """
rule_files: [unannotated.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - {series: 'litellm_proxy_total_requests_metric_total{pod="a",status_code="200"}', values: '0+100x30'}
      - {series: 'litellm_proxy_failed_requests_metric_total{pod="a",exception_status="500"}', values: '0+10x30'}
      - {series: 'litellm_proxy_failed_requests_metric_total{pod="a",exception_status="429"}', values: '0+50x30'}
      - {series: 'litellm_request_total_latency_metric_bucket{requested_model="gpt-4o",le="10.0"}', values: '0+1x30'}
      - {series: 'litellm_request_total_latency_metric_bucket{requested_model="gpt-4o",le="15.0"}', values: '0+100x30'}
      - {series: 'litellm_request_total_latency_metric_bucket{requested_model="gpt-4o",le="+Inf"}', values: '0+100x30'}
      - {series: 'litellm_cache_hits_metric_total{pod="a"}', values: '0+10x60'}
      - {series: 'litellm_cache_misses_metric_total{pod="a"}', values: '0+30x60'}
      - {series: 'litellm_spend_metric_total{api_provider="openai",team="acme",model="gpt-4o"}', values: '0+10x90'}
      - {series: 'litellm_spend_metric_total{api_provider="anthropic",team="acme",model="claude"}', values: '0+1x90'}
      - {series: 'litellm_team_max_budget_metric{team="acme",team_alias="Acme",pod="a"}', values: '2500x30'}
      - {series: 'litellm_remaining_team_budget_metric{team="acme",team_alias="Acme",pod="a"}', values: '100x30'}
      - {series: 'litellm_team_max_budget_metric{team="globex",team_alias="Globex",pod="a"}', values: '1000x30'}
      - {series: 'litellm_remaining_team_budget_metric{team="globex",team_alias="Globex",pod="a"}', values: '900x30'}
      - {series: 'redis_memory_used_bytes{namespace="genai-platform",pod="redis-0"}', values: '700x30'}
      - {series: 'redis_memory_max_bytes{namespace="genai-platform",pod="redis-0"}', values: '734003200x30'}
      - {series: 'redis_memory_used_bytes{namespace="genai-platform",pod="redis-1"}', values: '700000000x30'}
      - {series: 'redis_memory_max_bytes{namespace="genai-platform",pod="redis-1"}', values: '734003200x30'}
      - {series: 'kube_pod_container_status_restarts_total{namespace="tenant-acme",pod="w",container="c"}',
         values: '0 1 2 3 4 5x30'}
      - {series: 'kube_pod_container_status_restarts_total{namespace="kube-system",pod="d",container="c"}',
         values: '0 1 2 3 4 5x30'}
    alert_rule_test:
      - {eval_time: 15m, alertname: LiteLLMHighErrorRate, exp_alerts: [{exp_labels: {severity: critical}}]}
      - {eval_time: 20m, alertname: LiteLLMHighLatencyP95,
         exp_alerts: [{exp_labels: {severity: warning, requested_model: gpt-4o}}]}
      - {eval_time: 55m, alertname: LiteLLMRedisCacheHitRateLow, exp_alerts: [{exp_labels: {severity: warning}}]}
      - {eval_time: 80m, alertname: LiteLLMProviderSpendHigh,
         exp_alerts: [{exp_labels: {severity: critical, api_provider: openai}}]}
      - {eval_time: 20m, alertname: TenantBudgetNearlyUsed,
         exp_alerts: [{exp_labels: {severity: warning, team: acme, team_alias: Acme}}]}
      - {eval_time: 15m, alertname: RedisMemoryHigh, exp_alerts: [{exp_labels: {severity: critical, pod: redis-1}}]}
      - {eval_time: 10m, alertname: PodRestartingOften,
         exp_alerts: [{exp_labels: {severity: warning, namespace: tenant-acme, pod: w, container: c}}]}
"""


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian package `prometheus`)")
def test_promtool_parses_the_rules_and_every_alert_fires_on_synthetic_series(central, tmp_path: Path) -> None:
    rule = central.get("PrometheusRule", "genai-platform-alerts").obj
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rule["spec"]))
    # the unit test is about expressions and labels: promtool would also compare the annotation texts
    unannotated = {"groups": [{**g, "rules": [{k: v for k, v in r.items() if k != "annotations"} for r in g["rules"]]}
                              for g in rule["spec"]["groups"]]}
    (tmp_path / "unannotated.yaml").write_text(yaml.safe_dump(unannotated))
    test = yaml.safe_load(_ALERT_UNIT_TEST)
    for case in test["tests"][0]["alert_rule_test"]:
        for expected in case["exp_alerts"]:
            expected["exp_labels"]["environment"] = "prod"
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test))
    assert PROMTOOL is not None
    check = subprocess.run([PROMTOOL, "check", "rules", str(tmp_path / "rules.yaml")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    unit = subprocess.run([PROMTOOL, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True)
    # promtool's unit test also fails on alerts that fire where none was expected (the noise series)
    assert unit.returncode == 0, unit.stdout + unit.stderr


# -- dashboards -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dashboards(central) -> dict[str, dict[str, Any]]:
    out = {}
    for cm in central.of_kind("ConfigMap"):
        if cm.labels.get("grafana_dashboard") == "1":
            ((key, body),) = cm.obj["data"].items()
            assert key.endswith(".json")
            out[cm.name] = json.loads(body)
    return out


def targets(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel["targets"]]


def test_dashboards_are_valid_grafana_json(dashboards) -> None:
    assert set(dashboards) == {"grafana-dashboard-genai-gateway", "grafana-dashboard-genai-spend"}
    uids = [d["uid"] for d in dashboards.values()]
    assert len(set(uids)) == len(uids)
    for dashboard in dashboards.values():
        assert dashboard["title"] and dashboard["schemaVersion"] >= 36
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        assert "label_values(litellm_spend_metric_total, team)" in variables["tenant"]["definition"]
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(set(ids)) == len(ids)
        for title, expr in targets(dashboard):
            assert LITELLM_METRIC.search(expr), f"{title}: {expr}"
            assert balanced(expr), f"{title}: {expr}"
            assert 'team=~"$tenant"' in expr, f"{title} ignores the tenant filter"


def test_dashboards_show_requests_latency_tokens_and_spend(dashboards) -> None:
    exprs = [expr for d in dashboards.values() for _, expr in targets(d)]

    def some(pattern: str) -> bool:
        return any(re.search(pattern, e) for e in exprs)

    assert some(r"sum by \(requested_model\) \(rate\(litellm_proxy_total_requests_metric_total")
    assert some(r"histogram_quantile\(0\.95, sum by \(le, requested_model\) \(rate\(litellm_request_total_latency")
    assert some(r"rate\(litellm_input_tokens_metric_total") and some(r"rate\(litellm_output_tokens_metric_total")
    assert some(r"sum by \(team\) \(increase\(litellm_spend_metric_total")
    assert some(r"sum by \(model\) \(increase\(litellm_spend_metric_total")


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian package `prometheus`)")
def test_promtool_parses_every_dashboard_query(dashboards, tmp_path: Path) -> None:
    records = [{"record": f"dashboard:query{i}",
                "expr": expr.replace("$__rate_interval", "5m").replace("$tenant", ".*")}
               for i, (_, expr) in enumerate(e for d in dashboards.values() for e in targets(d))]
    (tmp_path / "queries.yaml").write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": records}]}))
    assert PROMTOOL is not None
    check = subprocess.run([PROMTOOL, "check", "rules", str(tmp_path / "queries.yaml")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

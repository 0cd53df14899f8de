"""promtool (Debian `prometheus`) checks every generated rule, and a unit test per alert proves it fires on
the series it is meant for and stays quiet on healthy ones.

The unit tests run on a copy of the rules without annotations: promtool compares annotations verbatim
and they are templates for people; expressions, `for` and labels - what decides firing - are unchanged.
Every alert of the PrometheusRule must have a case below, so a new alert cannot go unproven.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from bootlib import program

from genai_gitops.model.traffic import PLATFORM_NAMESPACE

pytestmark = pytest.mark.boot

NS = PLATFORM_NAMESPACE


@dataclass(frozen=True)
class Case:
    #: series -> promtool expanding notation, for the firing and for the healthy run
    firing: dict[str, str]
    healthy: dict[str, str]
    #: when to evaluate (after the rule's `for`)
    at: str
    #: labels the alert carries from its expression (the rule's own labels are added from the file)
    labels: dict[str, str]


TEAM = '{team="acme",team_alias="acme"}'
CASES: dict[str, Case] = {
    "LiteLLMHighErrorRate": Case(
        firing={"litellm_proxy_total_requests_metric_total": "0+60x30",
                'litellm_proxy_failed_requests_metric_total{exception_status="500"}': "0+6x30"},
        # tenants hitting their own rate limit (429) are not errors
        healthy={"litellm_proxy_total_requests_metric_total": "0+60x30",
                 'litellm_proxy_failed_requests_metric_total{exception_status="429"}': "0+30x30"},
        at="20m", labels={}),
    "LiteLLMHighLatencyP95": Case(
        firing={f'litellm_request_total_latency_metric_bucket{{le="{le}",requested_model="gpt-4o"}}': values
                for le, values in (("1", "0x40"), ("10", "0x40"), ("30", "0+10x40"), ("+Inf", "0+10x40"))},
        healthy={f'litellm_request_total_latency_metric_bucket{{le="{le}",requested_model="gpt-4o"}}': "0+10x40"
                 for le in ("1", "10", "30", "+Inf")},
        at="30m", labels={"requested_model": "gpt-4o"}),
    "LiteLLMRedisCacheHitRateLow": Case(
        firing={"litellm_cache_hits_metric_total": "0+10x80", "litellm_cache_misses_metric_total": "0+50x80"},
        healthy={"litellm_cache_hits_metric_total": "0+50x80", "litellm_cache_misses_metric_total": "0+10x80"},
        at="70m", labels={}),
    "LiteLLMProviderSpendHigh": Case(
        firing={'litellm_spend_metric_total{api_provider="openai"}': "0+100x120"},
        healthy={'litellm_spend_metric_total{api_provider="openai"}': "0+0.01x120"},
        at="100m", labels={"api_provider": "openai"}),
    "TenantBudgetNearlyUsed": Case(
        firing={f"litellm_team_max_budget_metric{TEAM}": "100x40",
                f"litellm_remaining_team_budget_metric{TEAM}": "5x40"},
        healthy={f"litellm_team_max_budget_metric{TEAM}": "100x40",
                 f"litellm_remaining_team_budget_metric{TEAM}": "50x40"},
        at="30m", labels={"team": "acme", "team_alias": "acme"}),
    "RedisMemoryHigh": Case(
        firing={f'redis_memory_used_bytes{{namespace="{NS}",pod="redis-0"}}': "950x30",
                f'redis_memory_max_bytes{{namespace="{NS}",pod="redis-0"}}': "1000x30"},
        healthy={f'redis_memory_used_bytes{{namespace="{NS}",pod="redis-0"}}': "100x30",
                 f'redis_memory_max_bytes{{namespace="{NS}",pod="redis-0"}}': "1000x30"},
        at="20m", labels={"pod": "redis-0"}),
    "PodRestartingOften": Case(
        firing={'kube_pod_container_status_restarts_total{namespace="tenant-acme",pod="open-webui-0",'
                'container="open-webui"}': "0+1x70"},
        healthy={'kube_pod_container_status_restarts_total{namespace="tenant-acme",pod="open-webui-0",'
                 'container="open-webui"}': "3x70"},
        at="65m", labels={"namespace": "tenant-acme", "pod": "open-webui-0", "container": "open-webui"}),
}


@pytest.fixture(scope="module")
def rules(central: Any) -> list[dict[str, Any]]:
    found = central.of_kind("PrometheusRule")
    assert found, "no PrometheusRule in the central stack"
    return [group for rule in found for group in rule.obj["spec"]["groups"]]


def alerts(groups: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for group in groups for rule in group["rules"] if "alert" in rule}


def test_promtool_accepts_every_rule(rules: list[dict[str, Any]], tmp_path: Path) -> None:
    promtool = program("promtool")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rules}, sort_keys=False))
    done = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_has_a_case(rules: list[dict[str, Any]]) -> None:
    assert set(alerts(rules)) == set(CASES)


def test_each_alert_fires_on_its_series_and_not_on_healthy_ones(rules: list[dict[str, Any]], tmp_path: Path) -> None:
    promtool = program("promtool")
    quiet = [{**group, "rules": [{k: v for k, v in rule.items() if k != "annotations"} for rule in group["rules"]]}
             for group in rules]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": quiet}, sort_keys=False))
    by_name = alerts(rules)
    tests = []
    for name, case in sorted(CASES.items()):
        expected = {**by_name[name].get("labels", {}), **case.labels}
        for series, fires in ((case.firing, True), (case.healthy, False)):
            tests.append({
                "name": f"{name} {'fires' if fires else 'stays quiet'}",
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in series.items()],
                "alert_rule_test": [{"eval_time": case.at, "alertname": name,
                                     "exp_alerts": [{"exp_labels": expected}] if fires else []}],
            })
    spec = tmp_path / "tests.yaml"
    spec.write_text(yaml.safe_dump({"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests},
                                   sort_keys=False))
    done = subprocess.run([promtool, "test", "rules", str(spec)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr

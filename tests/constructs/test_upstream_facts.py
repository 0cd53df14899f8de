"""Contract facts: what the constructs emit is what the pinned upstream version reads and serves.

The facts live in constructs/genai_gitops_constructs/upstream_facts.yaml with the upstream file and tag
each came from. A renamed variable, a flag the pinned version lacks, a probe path it does not serve
or an alert on a metric nothing scrapes fails here, before a cluster finds out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops.manifests.pods import pod_spec
from genai_gitops_constructs.components.observability import central_scrape_targets
from genai_gitops_constructs.versions import CHARTS, IMAGES

REPO = Path(__file__).resolve().parents[2]
FACTS_FILE = REPO / "constructs" / "genai_gitops_constructs" / "upstream_facts.yaml"
FACTS: dict[str, dict[str, Any]] = yaml.safe_load(FACTS_FILE.read_text())["components"]
#: the scrape target (Service) -> the component whose metrics it serves
SCRAPED_COMPONENT = {"litellm": "litellm", "redis": "redis-exporter", "postgres": "postgres-exporter"}
#: PromQL words that are not metric names
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
                "offset", "inf", "nan"}


def apps(example_dist: Any) -> Iterator[Any]:
    for folder in sorted(p for p in example_dist.root.glob("*/*") if p.is_dir()):
        yield example_dist.app(folder.parent.name, folder.name)


def containers(example_dist: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, container) for every container of every workload in every app of the example output."""
    for app in apps(example_dist):
        for resource in app.resources:
            if resource.kind not in ("Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet"):
                continue
            pod = pod_spec(resource)
            assert pod is not None, resource.describe()
            for container in pod.get("initContainers", []) + pod["containers"]:
                yield f"{app.path.name}/{resource.kind}/{resource.name}/{container['name']}", container


def component_of(image: str) -> str | None:
    for name, facts in FACTS.items():
        pinned = IMAGES.get(facts.get("image", ""))
        if pinned is not None and image == str(pinned):
            return name
    return None


def allowed_env(facts: dict[str, Any], name: str) -> bool:
    if name in facts["env"]:
        return True
    return any(name == key or (key.endswith("*") and name.startswith(key[:-1])) for key in facts["platform_env"])


@pytest.mark.parametrize("component", sorted(n for n, f in FACTS.items() if "image" in f))
def test_facts_are_for_the_pinned_tag(component: str) -> None:
    facts = FACTS[component]
    pinned = IMAGES[facts["image"]]
    assert facts["tag"] == pinned.tag, (
        f"{component}: versions.py pins {pinned} but upstream_facts.yaml was checked at {facts['tag']}: "
        f"re-read {', '.join(s.split(' ')[0] for s in facts['sources'])} at {pinned.tag}, then update the facts")
    assert facts["sources"], component


def test_every_emitted_name_is_an_upstream_fact(example_dist: Any) -> None:
    problems, seen = [], set()
    for where, container in containers(example_dist):
        component = component_of(container["image"])
        if component is None:
            continue
        seen.add(component)
        facts = FACTS[component]
        for var in container.get("env", []):
            if not allowed_env(facts, var["name"]):
                problems.append(f"{where}: env {var['name']} is not read by {component} {facts['tag']}")
        for arg in container.get("args", []) + container.get("command", []):
            if arg.startswith("--") and arg.split("=")[0] not in facts["args"]:
                problems.append(f"{where}: flag {arg} is not a {component} {facts['tag']} option")
        for port in container.get("ports", []):
            if port["containerPort"] not in facts["ports"]:
                problems.append(f"{where}: port {port['containerPort']} is not served by {component}")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            path = container.get(probe, {}).get("httpGet", {}).get("path")
            if path is not None and path not in facts["probes"]:
                problems.append(f"{where}: {probe} {path} is not served by {component} {facts['tag']}")
    assert problems == []
    # the example output exercises every component with facts (otherwise this test proves nothing for it)
    assert seen == {n for n, f in FACTS.items() if "image" in f}


def test_lago_migration_runs_the_upstream_tasks_except_db_create(example_dist: Any) -> None:
    for where, container in containers(example_dist):
        if "/Job/lago-migrate/" in where:
            script = container["command"][-1]
            tasks = re.findall(r"bundle exec rails ([^\s;]+)", script)
            assert tasks == FACTS["lago-api"]["tasks"]
            assert "db:create" not in script
            return
    pytest.fail("no lago-migrate Job in the example output")


# -- alerts: every metric comes from something Prometheus scrapes ---------------------------------------

def metric_names(expr: str) -> set[str]:
    """The metric names of a PromQL expression (label matchers, strings, groupings and functions removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # string literals
    text = re.sub(r"\{[^}]*\}", "", text)                      # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                     # range selectors
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group(0)
        following = text[match.end():].lstrip()[:1]
        if following == "(" or word.lower() in PROMQL_WORDS:
            continue  # a function or an operator keyword
        names.add(word)
    return names


def test_metric_names_parser() -> None:
    expr = ('(sum(rate(a_total{x!="1"}[5m])) / sum by (le) (rate(b_bucket[5m]))) > 0.05 '
            'and on() histogram_quantile(0.95, c) > 10 unless max by (pod) (d{ns="x"} > 0)')
    assert metric_names(expr) == {"a_total", "b_bucket", "c", "d"}


def scraped_metrics(has_gpu: bool) -> dict[str, str]:
    """metric -> the component that serves it, for every component Prometheus scrapes in the central stack."""
    from types import SimpleNamespace

    targets = central_scrape_targets(SimpleNamespace(has_gpu=has_gpu))  # type: ignore[arg-type]
    served: dict[str, str] = {}
    for target in targets:
        component = SCRAPED_COMPONENT.get(target.service)
        for metric in FACTS.get(component or "", {}).get("metrics", []):
            served[metric] = component or target.service
    # charts whose exporters are scraped through the chart's own ServiceMonitors (kube-state-metrics and the
    # kubelet by kube-prometheus-stack, the DCGM exporter on GPU clusters)
    for component in ("kube-state-metrics", "kubelet", "dcgm-exporter"):
        assert FACTS[component]["chart"] in CHARTS
        for metric in FACTS[component]["metrics"]:
            served[metric] = component
    served["up"] = "prometheus"  # a series Prometheus writes for every target it scrapes
    return served


def test_every_alert_metric_is_scraped(example_dist: Any) -> None:
    served = scraped_metrics(has_gpu=False)
    rules = [r for app in apps(example_dist) for r in app.resources if r.kind == "PrometheusRule"]
    assert rules
    missing = []
    for rule in rules:
        for group in rule.obj["spec"]["groups"]:
            for alert in group["rules"]:
                names = metric_names(alert["expr"])
                assert names, alert.get("alert")
                missing += [f"{alert.get('alert')}: {name}" for name in sorted(names) if name not in served]
    assert missing == [], "alert metrics no declared scrape target's exporter produces"


def test_litellm_facts_against_the_booted_package() -> None:
    """Where the pinned LiteLLM is installed (.venv-litellm), its source names every fact."""
    packages = sorted((REPO / ".venv-litellm" / "lib").glob("python3*/site-packages/litellm"))
    if not packages:
        pytest.skip(".venv-litellm is missing: run `make .venv-litellm/.installed` (CI installs it)")
    root = packages[0]
    source = "\n".join(p.read_text(errors="replace") for p in root.rglob("*.py"))
    facts = FACTS["litellm"]
    missing = [f"env {n}" for n in facts["env"] if n != "HOME" and f'"{n}"' not in source and f"'{n}'" not in source]
    cli = (root / "proxy" / "proxy_cli.py").read_text()
    missing += [f"flag {flag}" for flag in facts["args"] if f'"{flag}"' not in cli]
    prometheus = (root / "integrations" / "prometheus.py").read_text()
    for metric in facts["metrics"]:
        base = re.sub(r"_(total|bucket)$", "", metric)
        if f'"{base}"' not in prometheus:
            missing.append(f"metric {metric}")
    assert missing == []

"""Monitoring that reaches someone, on every cluster (central and customer): kube-prometheus-stack's
storage and Alertmanager routing, the receivers' credentials and Grafana's admin password by reference,
and the alerts and dashboard of what runs there (tenant workloads, quotas, volumes, GPUs).

Receivers' credentials are mounted into Alertmanager as files from an ExternalSecret
(`alertmanagerSpec.secrets`) and named by `*_file` settings, so the Alertmanager configuration in Git
holds no secret. The central stack's own alerts and LiteLLM dashboards live in components/observability.py.
"""

from __future__ import annotations

import json
from typing import Any

from cdk8s import ApiObject, JsonPatch
from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import AlertReceiver, ClusterSpec, ReceiverType
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import MONITORING_NAMESPACE, PLATFORM_NAMESPACE, PORTS
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.meta import object_meta

RECEIVERS_SECRET = "alertmanager-receivers"  # noqa: S105 - a Secret's name
GRAFANA_ADMIN_SECRET = "grafana-admin"  # noqa: S105 - a Secret's name
#: where the operator mounts `alertmanagerSpec.secrets`
SECRETS_DIR = f"/etc/alertmanager/secrets/{RECEIVERS_SECRET}"
#: the sizes and retention of the design documents
PROMETHEUS_STORAGE, PROMETHEUS_RETENTION = "50Gi", "15d"
GRAFANA_STORAGE, ALERTMANAGER_STORAGE = "10Gi", "5Gi"
PROMETHEUS_SELECTOR_LABELS = {"release": "kube-prometheus-stack"}
DASHBOARD_LABELS = {"grafana_dashboard": "1"}
TENANT_NAMESPACES = "tenant-.*"


def grafana_admin_ref(cluster: ClusterSpec) -> SecretRef:
    return SecretRef(key=f"genai/clusters/{cluster.name}/grafana", property="admin_password")


def _claim(cluster: ClusterSpec, size: str) -> dict[str, Any]:
    return {"volumeClaimTemplate": {"spec": {
        "storageClassName": cluster.capabilities.storage_class, "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}}}}}


def _receiver(receiver: AlertReceiver) -> dict[str, Any]:
    path = f"{SECRETS_DIR}/{receiver.name}"
    if receiver.type is ReceiverType.SLACK:
        slack: dict[str, Any] = {"api_url_file": path, "send_resolved": True}
        if receiver.channel:
            slack["channel"] = receiver.channel
        return {"name": receiver.name, "slack_configs": [slack]}
    if receiver.type is ReceiverType.PAGERDUTY:
        return {"name": receiver.name, "pagerduty_configs": [{"routing_key_file": path, "send_resolved": True}]}
    return {"name": receiver.name, "webhook_configs": [{"url_file": path, "send_resolved": True}]}


def alertmanager_config(cluster: ClusterSpec) -> dict[str, Any]:
    """Every alert goes to each receiver whose severities include it; the first receiver takes the rest.
    The always-firing Watchdog goes nowhere (it proves the pipeline works, not that something broke)."""
    receivers = cluster.alerting.receivers if cluster.alerting else []
    routes: list[dict[str, Any]] = [{"receiver": "null", "matchers": ['alertname = "Watchdog"']}]
    routes += [{"receiver": r.name, "matchers": [f'severity =~ "{"|".join(r.severities)}"'], "continue": True}
               for r in receivers]
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {"receiver": receivers[0].name if receivers else "null", "group_by": ["alertname", "namespace"],
                  "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h", "routes": routes},
        "receivers": [{"name": "null"}, *(_receiver(r) for r in receivers)],
        "inhibit_rules": [{"source_matchers": ['severity = "critical"'], "target_matchers": ['severity = "warning"'],
                           "equal": ["alertname", "namespace"]}],
    }


def prometheus_stack_values(cluster: ClusterSpec) -> dict[str, Any]:
    alertmanager_spec: dict[str, Any] = {"storage": _claim(cluster, ALERTMANAGER_STORAGE)}
    if cluster.alerting:
        alertmanager_spec["secrets"] = [RECEIVERS_SECRET]
    grafana: dict[str, Any] = {
        "sidecar": {"dashboards": {"enabled": True, "label": "grafana_dashboard", "searchNamespace": "ALL"}},
        "persistence": {"enabled": True, "size": GRAFANA_STORAGE,
                        "storageClassName": cluster.capabilities.storage_class},
        # the admin password comes from the secret store (cluster-config's ExternalSecret), never the chart
        "admin": {"existingSecret": GRAFANA_ADMIN_SECRET, "userKey": "admin-user", "passwordKey": "admin-password"},
    }
    if cluster.role.value == "central":
        # traces next to the metrics (LiteLLM sends its spans to Jaeger)
        grafana["additionalDataSources"] = [{
            "name": "Jaeger", "uid": "jaeger", "type": "jaeger", "access": "proxy",
            "url": f"http://jaeger.{PLATFORM_NAMESPACE}.svc.cluster.local:{PORTS['jaeger-ui']}"}]
    return {
        "grafana": grafana,
        "prometheus": {"prometheusSpec": {
            "serviceMonitorSelectorNilUsesHelmValues": False, "ruleSelectorNilUsesHelmValues": False,
            "retention": PROMETHEUS_RETENTION, "storageSpec": _claim(cluster, PROMETHEUS_STORAGE)}},
        "alertmanager": {"config": alertmanager_config(cluster), "alertmanagerSpec": alertmanager_spec},
    }


# -- alerts and the dashboard of every cluster ---------------------------------------------------------------

def _alert(name: str, expr: str, duration: str, severity: str, summary: str, environment: str) -> dict[str, Any]:
    return {"alert": name, "expr": expr, "for": duration,
            "labels": {"severity": severity, "environment": environment},
            "annotations": {"summary": summary}}


def alert_groups(cluster: ClusterSpec) -> list[dict[str, Any]]:
    env = cluster.environment.value
    ns = f'namespace=~"{TENANT_NAMESPACES}"'
    groups = [
        {"name": "genai-cluster.tenants", "rules": [
            _alert("OpenWebUIDown", f'kube_deployment_status_replicas_available{{{ns},deployment="open-webui"}} == 0',
                   "5m", "critical", "Open WebUI of {{ $labels.namespace }} has no available replica", env),
            _alert("OllamaDown", f'kube_deployment_status_replicas_available{{{ns},deployment="ollama"}} == 0',
                   "10m", "critical", "Ollama of {{ $labels.namespace }} has no available replica", env),
            _alert("QdrantDown", f'kube_statefulset_status_replicas_ready{{{ns},statefulset="qdrant"}} == 0',
                   "5m", "critical", "Qdrant of {{ $labels.namespace }} has no ready replica", env),
            _alert("TenantPodRestarting",
                   f"increase(kube_pod_container_status_restarts_total{{{ns}}}[1h]) > 3", "0m", "warning",
                   "{{ $labels.namespace }}/{{ $labels.pod }} restarted more than 3 times in an hour", env),
        ]},
        {"name": "genai-cluster.quotas", "rules": [
            _alert("TenantQuotaNearlyUsed",
                   f'kube_resourcequota{{{ns},type="used"}} / ignoring(type) kube_resourcequota{{{ns},type="hard"}} '
                   "> 0.9 and ignoring(type) kube_resourcequota{type=\"hard\"} > 0", "15m", "warning",
                   "{{ $labels.namespace }} uses over 90% of its {{ $labels.resource }} quota", env),
        ]},
        {"name": "genai-cluster.storage", "rules": [
            _alert("VolumeNearlyFull",
                   "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.85", "15m", "warning",
                   "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 85% full", env),
        ]},
    ]
    if cluster.has_gpu:
        groups.append({"name": "genai-cluster.gpu", "rules": [
            _alert("GpuTooHot", "DCGM_FI_DEV_GPU_TEMP > 85", "10m", "warning",
                   "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is above 85 C", env),
            _alert("GpuMemoryNearlyFull", "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.95",
                   "15m", "warning", "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has under 5% memory free", env),
            _alert("GpuExporterDown", 'up{job=~".*dcgm-exporter.*"} == 0', "10m", "critical",
                   "The DCGM exporter on {{ $labels.instance }} is down: GPU health is not watched", env),
        ]})
    return groups


def _panel(index: int, title: str, expr: str, legend: str, unit: str) -> dict[str, Any]:
    source = {"type": "prometheus", "uid": "${datasource}"}
    return {"id": index + 1, "type": "timeseries", "title": title, "datasource": source,
            "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "targets": [{"refId": "A", "datasource": source, "expr": expr, "legendFormat": legend}]}


def cluster_dashboard(cluster: ClusterSpec) -> str:
    ns = f'namespace=~"{TENANT_NAMESPACES}"'
    panels = [
        ("Open WebUI available replicas", f'kube_deployment_status_replicas_available{{{ns},deployment="open-webui"}}',
         "{{namespace}}", "short"),
        ("Ollama available replicas", f'kube_deployment_status_replicas_available{{{ns},deployment="ollama"}}',
         "{{namespace}}", "short"),
        ("Qdrant ready replicas", f'kube_statefulset_status_replicas_ready{{{ns},statefulset="qdrant"}}',
         "{{namespace}}", "short"),
        ("Quota used (share of hard)",
         f'kube_resourcequota{{{ns},type="used"}} / ignoring(type) kube_resourcequota{{{ns},type="hard"}}',
         "{{namespace}} {{resource}}", "percentunit"),
        ("Container restarts (1h)",
         f"sum by (namespace) (increase(kube_pod_container_status_restarts_total{{{ns}}}[1h]))",
         "{{namespace}}", "short"),
        ("Volume use", "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes",
         "{{namespace}}/{{persistentvolumeclaim}}", "percentunit"),
    ]
    if cluster.has_gpu:
        panels += [("GPU utilisation", "DCGM_FI_DEV_GPU_UTIL", "{{Hostname}} gpu{{gpu}}", "percent"),
                   ("GPU memory used", "DCGM_FI_DEV_FB_USED", "{{Hostname}} gpu{{gpu}}", "decmbytes")]
    model = {
        "uid": f"genai-cluster-{cluster.name}", "title": f"GenAI cluster {cluster.name}: tenants, quotas, GPUs",
        "tags": ["genai-platform"], "schemaVersion": 39, "version": 1, "editable": False, "refresh": "1m",
        "time": {"from": "now-24h", "to": "now"},
        "templating": {"list": [{"name": "datasource", "label": "Prometheus", "type": "datasource",
                                 "query": "prometheus", "current": {}, "hide": 0}]},
        "panels": [_panel(i, *p) for i, p in enumerate(panels)],
    }
    return json.dumps(model, indent=2, sort_keys=True) + "\n"


class ClusterMonitoring(Construct):
    """In the monitoring namespace: the receivers' and Grafana's ExternalSecrets, the cluster's alerts and
    dashboard (kube-prometheus-stack's Prometheus picks up every PrometheusRule)."""

    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec, labels: dict[str, str]) -> None:
        super().__init__(scope, id)
        ns = MONITORING_NAMESPACE
        if cluster.alerting:
            ExternalSecret(self, "receivers", ExternalSecretProps(
                name=RECEIVERS_SECRET, namespace=ns, labels=labels,
                data={r.name: r.secret for r in cluster.alerting.receivers}))
        ExternalSecret(self, "grafana-admin", ExternalSecretProps(
            name=GRAFANA_ADMIN_SECRET, namespace=ns, labels=labels,
            data={"admin-password": grafana_admin_ref(cluster)}, template_data={"admin-user": "admin"}))
        rule = ApiObject(self, "alerts", api_version="monitoring.coreos.com/v1", kind="PrometheusRule", metadata={
            "name": "genai-cluster-alerts", "namespace": ns, "labels": {**labels, **PROMETHEUS_SELECTOR_LABELS},
            "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"}})
        rule.add_json_patch(JsonPatch.add("/spec", {"groups": alert_groups(cluster)}))
        uid = "genai-cluster"
        k8s.KubeConfigMap(self, "dashboard", metadata=object_meta(
            f"grafana-dashboard-{uid}", ns, {**labels, **DASHBOARD_LABELS}),
            data={f"{uid}.json": cluster_dashboard(cluster)})

"""Which cluster gets which foundation add-on, and its chart values (issue 13: created -> operated).

A freshly created EKS cluster has no metrics API (every HPA shows `<unknown>`) and no GPU device
plugin (GPU pods never schedule). The rules here are read from the data alone: metrics-server
where some app renders an HPA, the NVIDIA device plugin and DCGM exporter where GPU pools exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from genai_gitops.model.cluster import ClusterRole, ClusterSpec, GpuNodePool

if TYPE_CHECKING:
    from genai_gitops.model.loader import Platform

GPU_ADDONS = ("nvidia-device-plugin", "dcgm-exporter")
FOUNDATION_ADDONS = ("metrics-server", "aws-for-fluent-bit", *GPU_ADDONS)
#: days CloudWatch keeps container logs
LOG_RETENTION_DAYS = 30


def renders_hpa(cluster: ClusterSpec, platform: Platform | None) -> bool:
    """The central stack (LiteLLM, Langfuse) and every tenant (Open WebUI) scale with an HPA."""
    if cluster.role is ClusterRole.CENTRAL:
        return True
    return platform is None or bool(platform.tenants_on(cluster.name))


def wanted(addon: str, cluster: ClusterSpec, platform: Platform | None) -> bool:
    if addon == "metrics-server":
        return renders_hpa(cluster, platform)
    if addon in GPU_ADDONS:
        return cluster.has_gpu
    return True


def _gpu_placement(pools: list[GpuNodePool]) -> dict[str, Any]:
    """Run on the nodes of every GPU pool (one node-selector term per pool: terms are ORed) and tolerate
    the pools' taints; nowhere else, since a node without a GPU has nothing to advertise or measure."""
    terms = [{"matchExpressions": [{"key": k, "operator": "In", "values": [v]} for k, v in sorted(p.labels.items())]}
             for p in pools]
    tolerations: list[dict[str, str]] = [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    seen: set[tuple[str, str, str]] = set()
    for pool in pools:
        for taint in pool.taints:
            if (taint.key, taint.value, taint.effect) in seen:
                continue
            seen.add((taint.key, taint.value, taint.effect))
            tolerations.append({"key": taint.key, "operator": "Equal", "value": taint.value, "effect": taint.effect}
                               if taint.value else {"key": taint.key, "operator": "Exists", "effect": taint.effect})
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": terms}}}, "tolerations": tolerations}


def foundation_values(addon: str, cluster: ClusterSpec) -> dict[str, Any]:
    if addon == "metrics-server":
        # two replicas and a PDB: HPAs of every app stop scaling while the metrics API is down
        return {"replicas": 2, "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
                "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}, "limits": {"memory": "200Mi"}}}
    pools = cluster.capabilities.gpu_node_pools
    if addon == "nvidia-device-plugin":
        return {**_gpu_placement(pools),
                "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}}
    if addon == "dcgm-exporter":
        # GPU utilisation, memory and temperature per GPU, scraped by kube-prometheus-stack's Prometheus
        return {**_gpu_placement(pools), "serviceMonitor": {"enabled": True, "interval": "30s"}}
    if addon == "aws-for-fluent-bit":
        # every container's log to CloudWatch Logs in the cluster's region, one log group per namespace (a
        # tenant's logs stay apart); JSON lines are parsed into fields (mergeLog); IRSA, no keys
        return {
            "serviceAccount": {"annotations": {
                "eks.amazonaws.com/role-arn": f"arn:aws:iam::{cluster.aws_account_id}:role/genai-fluent-bit"}},
            "cloudWatchLogs": {"enabled": True, "region": cluster.region,
                               "logGroupName": f"/genai/{cluster.name}/containers",
                               "logGroupTemplate": f"/genai/{cluster.name}/$kubernetes['namespace_name']",
                               "logStreamTemplate": "$kubernetes['pod_name'].$kubernetes['container_name']",
                               "logRetentionDays": LOG_RETENTION_DAYS, "autoCreateGroup": True},
            # every node, GPU pools included
            "tolerations": [{"operator": "Exists"}],
        }
    raise KeyError(addon)

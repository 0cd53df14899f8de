"""ResourceQuota: which quota keys the check counts, and which workloads a scoped quota counts."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from genai_gitops.validators.capacity.demand import WorkloadDemand
from genai_gitops.validators.capacity.quantities import Quantities
from genai_gitops.validators.workloads import LabelSelector, as_dict, as_dicts

COUNTED_KINDS = {"Deployment": "count/deployments.apps", "StatefulSet": "count/statefulsets.apps",
                  "DaemonSet": "count/daemonsets.apps", "Job": "count/jobs.batch", "CronJob": "count/cronjobs.batch",
                  "Ingress": "count/ingresses.networking.k8s.io",
                  "HorizontalPodAutoscaler": "count/horizontalpodautoscalers.autoscaling",
                  "ServiceAccount": "count/serviceaccounts", "ConfigMap": "configmaps",
                  "ReplicationController": "replicationcontrollers"}
_OBJECT_KEYS = {"services", "services.loadbalancers", "services.nodeports", "configmaps", "secrets",
                "persistentvolumeclaims", "requests.storage", "pods", *COUNTED_KINDS.values(),
                "count/configmaps", "count/secrets", "count/services", "count/persistentvolumeclaims"}


def tracked(resource: str) -> bool:
    """Quota keys this check computes even when nothing uses them (so the table shows 0 used)."""
    if resource in _OBJECT_KEYS or resource in ("cpu", "memory", "ephemeral-storage"):
        return True
    return resource.startswith(("requests.", "limits.")) or resource.endswith(".storageclass.storage.k8s.io/"
                                                                              "requests.storage")


def add_claim(usage: Quantities, storage_class: str, size: Decimal, count: int) -> None:
    usage["persistentvolumeclaims"] += count
    usage["requests.storage"] += size * count
    if storage_class:
        usage[f"{storage_class}.storageclass.storage.k8s.io/persistentvolumeclaims"] += count
        usage[f"{storage_class}.storageclass.storage.k8s.io/requests.storage"] += size * count


def in_scope(quota_spec: Mapping[str, Any], demand: WorkloadDemand) -> bool:
    """Whether a (possibly scoped) quota counts this workload's pods."""
    scopes = [(str(s), "Exists", ()) for s in quota_spec.get("scopes") or ()]
    scopes += [(str(e.get("scopeName", "")), str(e.get("operator", "")), tuple(e.get("values") or ()))
               for e in as_dicts(as_dict(quota_spec.get("scopeSelector")).get("matchExpressions"))]
    spec = demand.template.spec
    for scope, operator, values in scopes:
        if scope in ("Terminating", "NotTerminating"):
            terminating = spec.get("activeDeadlineSeconds") is not None
            if terminating != (scope == "Terminating"):
                return False
        elif scope in ("BestEffort", "NotBestEffort"):
            if demand.best_effort != (scope == "BestEffort"):
                return False
        elif scope == "PriorityClass":
            priority = spec.get("priorityClassName")
            selector = LabelSelector.from_label_selector(
                {"matchExpressions": [{"key": "p", "operator": operator, "values": list(values)}]})
            if not selector.matches({"p": str(priority)} if priority else {}):
                return False
    return True

"""What one workload asks for: per-pod requests and limits (init containers, sidecars and overhead
included), how many pods at the fewest and the most (HPA, rollout surge), and the claims per pod."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.validators.capacity.quantities import Quantities
from genai_gitops.validators.workloads import REPLICATED_KINDS, PodTemplate, as_dict


@dataclass
class WorkloadDemand:
    template: PodTemplate
    #: effective per-pod requests/limits (init containers, sidecars and overhead included)
    requests: Quantities
    limits: Quantities
    #: pods at the low end (HPA minReplicas, or spec.replicas) and the high end (HPA maxReplicas), surge included
    pods_low: int
    pods_high: int
    surge_low: int
    surge_high: int
    hpa: Resource | None
    #: (storage class, size) of each PVC created per pod: volumeClaimTemplates and ephemeral volumes
    claims_per_pod: list[tuple[str, Decimal]]
    #: volumeClaimTemplates claims stay after scale-down and surge pods reuse them: counted per replica
    template_claims: bool
    #: each container with its requests and limits after LimitRange defaults
    containers: list[tuple[dict[str, Any], Quantities, Quantities]]

    @property
    def best_effort(self) -> bool:
        return not any(requests or limits for _, requests, limits in self.containers)

    @property
    def workload(self) -> Resource:
        return self.template.workload

    def pods(self, high: bool) -> int:
        return self.pods_high if high else self.pods_low

    def replicas(self, high: bool) -> int:
        """Pods without the surge."""
        return self.pods_high - self.surge_high if high else self.pods_low - self.surge_low


def rollout_surge(workload: Resource, replicas: int) -> int:
    """Extra pods a rollout may add: Deployment maxSurge (default 25%, rounded up, like the controller)."""
    spec = as_dict(workload.obj.get("spec"))
    if workload.kind == "Deployment":
        strategy = as_dict(spec.get("strategy"))
        if strategy.get("type") == "Recreate":
            return 0
        surge = as_dict(strategy.get("rollingUpdate")).get("maxSurge", "25%")
    elif workload.kind == "DaemonSet":
        surge = as_dict(as_dict(spec.get("updateStrategy")).get("rollingUpdate")).get("maxSurge", 0)
    else:
        return 0  # StatefulSets replace pods one by one; Jobs and bare pods do not roll
    if isinstance(surge, str) and surge.endswith("%") and surge[:-1].isdigit():
        return math.ceil(int(surge[:-1]) * replicas / 100)
    return surge if isinstance(surge, int) and not isinstance(surge, bool) and surge > 0 else 0


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def replica_range(workload: Resource, hpa: Resource | None) -> tuple[int, int]:
    """(fewest, most) pods the workload keeps running, before surge."""
    spec = as_dict(workload.obj.get("spec"))
    if workload.kind in REPLICATED_KINDS:
        replicas = _int(spec.get("replicas"), 1)
        if hpa is None:
            return replicas, replicas
        hpa_spec = as_dict(hpa.obj.get("spec"))
        low = _int(hpa_spec.get("minReplicas"), 1)
        return low, max(low, _int(hpa_spec.get("maxReplicas"), low))
    if workload.kind in ("Job", "CronJob"):
        job = spec if workload.kind == "Job" else as_dict(as_dict(spec.get("jobTemplate")).get("spec"))
        parallelism = _int(job.get("parallelism"), 1)
        completions = job.get("completions")
        pods = min(parallelism, completions) if isinstance(completions, int) else parallelism
        return pods, pods
    # a Pod; a DaemonSet runs one per node and the node count is not in the manifests: count one
    return 1, 1


def pod_totals(template: PodTemplate,
                resolved: list[tuple[dict[str, Any], Quantities, Quantities]]) -> tuple[Quantities, Quantities]:
    """A pod's effective (requests, limits), as the scheduler and the quota count them."""
    init_count = len(template.init_containers)
    init = [(container, requests) for container, requests, _ in resolved[:init_count]]
    app = [requests for _, requests, _ in resolved[init_count:]]
    requests = _effective(init, app, bounded=False)
    init = [(container, limits) for container, _, limits in resolved[:init_count]]
    app = [limits for _, _, limits in resolved[init_count:]]
    return requests, _effective(init, app, bounded=True)


def _effective(init: list[tuple[dict[str, Any], Quantities]], app: list[Quantities], *,
               bounded: bool) -> Quantities:
    """Per resource: max(each init container plus the sidecars started before it, all app containers plus
    all sidecars). Sidecars are init containers with restartPolicy Always: they keep running beside the app.

    With `bounded` (limits), a resource some long-running container leaves unlimited has no pod total.
    """
    sidecars = [values for container, values in init if container.get("restartPolicy") == "Always"]
    total: Quantities = {}
    for resource in {name for _, values in init for name in values} | {name for values in app for name in values}:
        running = [values.get(resource) for values in app + sidecars]
        if bounded and any(value is None for value in running):
            continue
        steady = sum((value for value in running if value is not None), Decimal(0))
        peak = started = Decimal(0)
        for container, values in init:
            value = values.get(resource, Decimal(0))
            if container.get("restartPolicy") == "Always":
                started += value
            else:
                peak = max(peak, value + started)
        total[resource] = max(peak, steady)
    return total

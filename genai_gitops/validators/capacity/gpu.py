"""GPU pods: what they request, and whether a GPU node pool of the cluster takes them (taints
tolerated, the pool's nodes selected)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from genai_gitops.model.quantity import parse_quantity
from genai_gitops.validators.capacity.quantities import Quantities
from genai_gitops.validators.workloads import LabelSelector, PodTemplate, as_dict, as_dicts

if TYPE_CHECKING:
    from genai_gitops.model.cluster import ClusterSpec, GpuNodePool


def gpu_requests(template: PodTemplate, pool_resources: set[str]) -> Quantities:
    wanted: Quantities = {}
    for container in template.all_containers:
        resources = as_dict(container.get("resources"))
        for values in (as_dict(resources.get("limits")), as_dict(resources.get("requests"))):
            for name, value in values.items():
                if name in pool_resources or str(name).endswith("/gpu") or str(name).startswith("nvidia.com/mig-"):
                    try:
                        amount = parse_quantity(value)
                    except ValueError:
                        continue
                    if amount > 0:
                        wanted[str(name)] = max(wanted.get(str(name), Decimal(0)), amount)
    return wanted


def gpu_placement_problem(template: PodTemplate, wanted: set[str], cluster: ClusterSpec) -> str | None:
    """None if some GPU pool offering the resource takes the pod; else what to change, for the first such pool."""
    pools = [p for p in cluster.capabilities.gpu_node_pools if p.gpu_resource in wanted]
    if not pools:
        offered = ", ".join(sorted({p.gpu_resource for p in cluster.capabilities.gpu_node_pools}))
        return (f"no GPU pool of cluster {cluster.name} offers it (pools offer {offered}); request "
                f"{offered} instead")
    problems = [_pool_problems(template, pool) for pool in pools]
    if any(not p for p in problems):
        return None
    return f"it cannot land on GPU pool {pools[0].name} of cluster {cluster.name}: " + "; ".join(problems[0])


def _pool_problems(template: PodTemplate, pool: GpuNodePool) -> list[str]:
    spec = template.spec
    problems = []
    tolerations = as_dicts(spec.get("tolerations"))
    missing = [t for t in pool.taints if t.effect != "PreferNoSchedule"
               and not any(_tolerates(tol, t.key, t.value, t.effect) for tol in tolerations)]
    if missing:
        shown = ", ".join(f"{t.key}={t.value}:{t.effect}" if t.value else f"{t.key}:{t.effect}" for t in missing)
        problems.append(f"add tolerations for the pool's taints {shown}")
    if not _pins_to_pool(spec, pool.labels):
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(pool.labels.items()))
        problems.append(f"select the pool's nodes with nodeSelector {{{shown}}} or a required nodeAffinity")
    return problems


def _tolerates(toleration: Mapping[str, Any], key: str, value: str, effect: str) -> bool:
    operator = toleration.get("operator") or "Equal"
    tol_key = toleration.get("key") or ""
    if tol_key == "" and operator != "Exists":
        return False
    if tol_key and tol_key != key:
        return False
    if toleration.get("effect") and toleration.get("effect") != effect:
        return False
    return operator == "Exists" or str(toleration.get("value") or "") == value


def _pins_to_pool(spec: Mapping[str, Any], pool_labels: Mapping[str, str]) -> bool:
    """The pod can run on the pool's nodes and is kept to them by at least one of the pool's labels.

    Labels the pool does not declare (zone, hostname) are given the benefit of the doubt.
    """
    node_selector = {str(k): str(v) for k, v in as_dict(spec.get("nodeSelector")).items()}
    if any(k in pool_labels and pool_labels[k] != v for k, v in node_selector.items()):
        return False
    pinned = any(pool_labels.get(k) == v for k, v in node_selector.items())
    required = as_dict(as_dict(as_dict(spec.get("affinity")).get("nodeAffinity")).get(
        "requiredDuringSchedulingIgnoredDuringExecution"))
    terms = as_dicts(required.get("nodeSelectorTerms"))
    if not terms:
        return pinned
    verdicts = [_term_verdict(term, pool_labels) for term in terms]
    if not any(fits for fits, _ in verdicts):
        return False
    return pinned or all(fits and pins for fits, pins in verdicts)


def _term_verdict(term: Mapping[str, Any], pool_labels: Mapping[str, str]) -> tuple[bool, bool]:
    """(the pool's nodes can satisfy the term, the term requires one of the pool's labels)."""
    fits, pins = True, False
    for expression in as_dicts(term.get("matchExpressions")):
        key, operator = str(expression.get("key", "")), str(expression.get("operator", ""))
        if key not in pool_labels:
            continue
        values = {str(v) for v in expression.get("values") or ()}
        requirement = LabelSelector.from_label_selector(
            {"matchExpressions": [{"key": key, "operator": operator, "values": sorted(values)}]})
        if operator in ("Gt", "Lt"):
            continue  # numeric comparisons on pool labels: not worth guessing
        if not requirement.matches(pool_labels):
            fits = False
        elif operator in ("In", "Exists"):
            pins = True
    return fits, pins

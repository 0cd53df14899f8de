"""Do a namespace's workloads fit its ResourceQuota and LimitRange, and can its GPU pods reach GPU nodes?

The worst case is what the API server must admit at the busiest moment the manifests allow: every
HPA at maxReplicas, every Deployment mid-rollout with its surge pods, every container defaulted by
the namespace's LimitRange exactly as the LimitRanger admission plugin would. A quota that only
fails at HPA max is reported apart (`quota-exceeded-at-hpa-max`): the tenant works until load
arrives, then the HPA cannot scale, which is a different fix (lower maxReplicas or raise the quota)
from a quota that rejects the rollout today.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.model.quantity import parse_quantity
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.section import Section
from genai_gitops.validators.base import Target, Validator, findings_of, sections_of
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.workloads import (
    REPLICATED_KINDS,
    LabelSelector,
    ObjectIndex,
    PodTemplate,
    as_dict,
    as_dicts,
)

if TYPE_CHECKING:
    from genai_gitops.model.cluster import ClusterSpec, GpuNodePool

VALIDATOR = "capacity"
QUOTA_EXCEEDED = "quota-exceeded"
QUOTA_EXCEEDED_AT_HPA_MAX = "quota-exceeded-at-hpa-max"
QUOTA_REQUIRES_RESOURCES = "quota-requires-resources"
LIMITRANGE_VIOLATION = "limitrange-violation"
GPU_WITHOUT_GPU_POOL = "gpu-without-gpu-pool"
GPU_POD_NOT_SCHEDULED_ON_POOL = "gpu-pod-not-scheduled-on-pool"
INVALID_QUANTITY = "invalid-quantity"

Quantities = dict[str, Decimal]

# -- quantities -------------------------------------------------------------------------------------------

_GI = Decimal(2) ** 30


def _is_bytes(resource: str) -> bool:
    base = resource.rpartition("/")[2].removeprefix("requests.").removeprefix("limits.")
    return base in ("memory", "storage", "ephemeral-storage") or base.startswith("hugepages-")


def _is_cores(resource: str) -> bool:
    return resource.removeprefix("requests.").removeprefix("limits.") == "cpu"


def format_quantity(resource: str, value: Decimal) -> str:
    """Human units: cores for CPU, Gi for bytes, plain numbers for counts and devices."""
    if _is_bytes(resource):
        return f"{_trim(value / _GI, 2)}Gi"
    return _trim(value, 3 if _is_cores(resource) else 2)


def _trim(value: Decimal, places: int) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# -- LimitRange -------------------------------------------------------------------------------------------

@dataclass
class LimitItem:
    """One `spec.limits[]` entry, with the defaults the API server fills in for Container items."""

    source: Resource
    type: str
    min: Quantities = field(default_factory=dict)
    max: Quantities = field(default_factory=dict)
    default: Quantities = field(default_factory=dict)
    default_request: Quantities = field(default_factory=dict)
    ratio: Quantities = field(default_factory=dict)


class LimitPolicy:
    """The LimitRanges of one namespace: container defaults, and min/max/ratio bounds to check."""

    def __init__(self, items: Sequence[LimitItem]) -> None:
        self.items = items

    def of_type(self, kind: str) -> list[LimitItem]:
        return [i for i in self.items if i.type == kind]

    def default_container(self, requests: Quantities, limits: Quantities) -> tuple[Quantities, Quantities, set[str]]:
        """(requests, limits, names of limits that came from a LimitRange default) as admitted.

        Order matters and mirrors the API server: first a limit without a request becomes the request
        (defaulting on create), then LimitRanger fills what is still unset from `default`/`defaultRequest`.
        """
        requests, limits = dict(requests), dict(limits)
        for resource, value in limits.items():
            requests.setdefault(resource, value)
        defaulted: set[str] = set()
        for item in self.of_type("Container"):
            for resource, value in item.default.items():
                if resource not in limits:
                    limits[resource] = value
                    defaulted.add(resource)
            for resource, value in item.default_request.items():
                requests.setdefault(resource, value)
        return requests, limits, defaulted

    def violations(self, kind: str, requests: Quantities, limits: Quantities) -> Iterator[str]:
        """What the LimitRanger would reject, as sentences naming the bound and the LimitRange."""
        for item in self.of_type(kind):
            where = f"LimitRange {item.source.name}"
            for resource, bound in item.min.items():
                for field_name, values in (("requests", requests), ("limits", limits)):
                    value = values.get(resource)
                    if value is not None and value < bound:
                        yield (f"{field_name}.{resource} {format_quantity(resource, value)} is below the "
                               f"{where} minimum {format_quantity(resource, bound)} per {kind}; raise it")
            for resource, bound in item.max.items():
                for field_name, values in (("requests", requests), ("limits", limits)):
                    value = values.get(resource)
                    if value is not None and value > bound:
                        yield (f"{field_name}.{resource} {format_quantity(resource, value)} exceeds the "
                               f"{where} maximum {format_quantity(resource, bound)} per {kind}; lower it or "
                               "raise the LimitRange max")
                if kind != "PersistentVolumeClaim" and resource not in limits:
                    yield (f"limits.{resource} is not set and {where} has a maximum for it; set "
                           f"limits.{resource} (at most {format_quantity(resource, bound)})")
            for resource, ratio in item.ratio.items():
                request, limit = requests.get(resource), limits.get(resource)
                if request and limit is not None and limit / request > ratio:
                    yield (f"limits.{resource}/requests.{resource} is {_trim(limit / request, 2)}, above the "
                           f"{where} maxLimitRequestRatio {_trim(ratio, 2)}; raise the request or lower the limit")


# -- what one workload asks for ---------------------------------------------------------------------------

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


def _surge(workload: Resource, replicas: int) -> int:
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


# -- one namespace under quota ----------------------------------------------------------------------------

class CapacityAnalysis:
    """Everything the findings and the headroom table need, computed once per target."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.index = ObjectIndex(target.resources)
        self.findings: list[Finding] = []
        self.rows: list[tuple[str, ...]] = []
        self._policies: dict[str, LimitPolicy] = {}
        self._hpas = self._index_hpas()
        self.demands: dict[str, list[WorkloadDemand]] = defaultdict(list)
        for template in self.index.pods:
            self.demands[template.namespace].append(self._demand(template))
        for quota in self.index.of_kind("ResourceQuota"):
            self._check_quota(quota)
        self._check_claims()
        self._check_gpus()

    # -- parsing ----------------------------------------------------------------------------------------

    def _quantities(self, resource: Resource, where: str, raw: Any) -> Quantities:
        parsed: Quantities = {}
        for name, value in as_dict(raw).items():
            try:
                parsed[str(name)] = parse_quantity(value)
            except ValueError as exc:
                self._report(resource, INVALID_QUANTITY, f"{where}.{name}: {exc}")
        return parsed

    def _report(self, resource: Resource, rule: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(Finding.about(resource, validator=VALIDATOR, rule=rule, message=message,
                                           severity=severity))

    def policy(self, namespace: str) -> LimitPolicy:
        if namespace not in self._policies:
            items = []
            for limit_range in self.index.named("LimitRange", namespace).values():
                for i, raw in enumerate(as_dicts(as_dict(limit_range.obj.get("spec")).get("limits"))):
                    bounds = {key: self._quantities(limit_range, f"spec.limits[{i}].{key}", raw.get(key))
                              for key in ("min", "max", "default", "defaultRequest", "maxLimitRequestRatio")}
                    item = LimitItem(limit_range, str(raw.get("type", "")), min=bounds["min"], max=bounds["max"],
                                     default=bounds["default"], default_request=bounds["defaultRequest"],
                                     ratio=bounds["maxLimitRequestRatio"])
                    if item.type == "Container":  # the API server's defaults for a LimitRange item
                        for key, value in item.max.items():
                            item.default.setdefault(key, value)
                        for source in (item.default, item.min):
                            for key, value in source.items():
                                item.default_request.setdefault(key, value)
                    items.append(item)
            self._policies[namespace] = LimitPolicy(items)
        return self._policies[namespace]

    def _index_hpas(self) -> dict[tuple[str, str, str], Resource]:
        hpas: dict[tuple[str, str, str], Resource] = {}
        for hpa in self.index.of_kind("HorizontalPodAutoscaler"):
            ref = as_dict(as_dict(hpa.obj.get("spec")).get("scaleTargetRef"))
            hpas.setdefault((hpa.namespace, str(ref.get("kind", "")), str(ref.get("name", ""))), hpa)
        return hpas

    # -- per workload -----------------------------------------------------------------------------------

    def _demand(self, template: PodTemplate) -> WorkloadDemand:
        workload = template.workload
        policy = self.policy(template.namespace)
        resolved: list[tuple[dict[str, Any], Quantities, Quantities]] = []
        for container in template.all_containers:
            label = f'container "{container.get("name", "?")}"'
            resources = as_dict(container.get("resources"))
            requests = self._quantities(workload, f"{label} resources.requests", resources.get("requests"))
            limits = self._quantities(workload, f"{label} resources.limits", resources.get("limits"))
            requests, limits, defaulted = policy.default_container(requests, limits)
            for problem in policy.violations("Container", requests, limits):
                self._report(workload, LIMITRANGE_VIOLATION, f"{label}: {problem}")
            for resource in sorted(defaulted):
                if requests.get(resource, Decimal(0)) > limits[resource]:
                    self._report(workload, LIMITRANGE_VIOLATION,
                                 f"{label}: requests.{resource} {format_quantity(resource, requests[resource])} "
                                 f"exceeds the LimitRange default limit {format_quantity(resource, limits[resource])}"
                                 f"; the API server rejects the pod: set limits.{resource}")
            resolved.append((container, requests, limits))
        requests, limits = _pod_totals(template, resolved)
        overhead = self._quantities(workload, "spec.overhead", template.spec.get("overhead"))
        for resource, value in overhead.items():
            requests[resource] = requests.get(resource, Decimal(0)) + value
            if resource in limits:
                limits[resource] += value
        for problem in policy.violations("Pod", requests, limits):
            self._report(workload, LIMITRANGE_VIOLATION, f"pod: {problem}")

        hpa = self._hpas.get((template.namespace, workload.kind, workload.name))
        low, high = replica_range(workload, hpa)
        surge_low, surge_high = _surge(workload, low), _surge(workload, high)
        claims, template_claims = self._claims(template)
        return WorkloadDemand(template=template, requests=requests, limits=limits, pods_low=low + surge_low,
                              pods_high=high + surge_high, surge_low=surge_low, surge_high=surge_high, hpa=hpa,
                              claims_per_pod=claims, template_claims=template_claims, containers=resolved)

    def _claims(self, template: PodTemplate) -> tuple[list[tuple[str, Decimal]], bool]:
        workload = template.workload
        claims = []
        templates = as_dicts(as_dict(workload.obj.get("spec")).get("volumeClaimTemplates"))
        for i, claim in enumerate(templates):
            claims.append(self._claim_size(workload, f"spec.volumeClaimTemplates[{i}]", as_dict(claim.get("spec"))))
        for volume in template.volumes:
            claim_template = as_dict(as_dict(volume.get("ephemeral")).get("volumeClaimTemplate"))
            if claim_template:
                claims.append(self._claim_size(workload, f'volume "{volume.get("name", "?")}"',
                                               as_dict(claim_template.get("spec"))))
        return claims, bool(templates)

    def _claim_size(self, owner: Resource, where: str, spec: Mapping[str, Any]) -> tuple[str, Decimal]:
        requests = self._quantities(owner, f"{where} resources.requests",
                                    as_dict(spec.get("resources")).get("requests"))
        limits = self._quantities(owner, f"{where} resources.limits", as_dict(spec.get("resources")).get("limits"))
        storage = requests.get("storage", limits.get("storage", Decimal(0)))
        for problem in self.policy(owner.namespace).violations("PersistentVolumeClaim", {"storage": storage}, {}):
            self._report(owner, LIMITRANGE_VIOLATION, f"{where}: {problem}")
        return self._storage_class(spec), storage

    def _storage_class(self, claim_spec: Mapping[str, Any]) -> str:
        name = claim_spec.get("storageClassName")
        if isinstance(name, str):
            return name
        cluster = self.target.cluster
        return cluster.capabilities.storage_class if cluster is not None else ""

    def _check_claims(self) -> None:
        for claim in self.index.of_kind("PersistentVolumeClaim"):
            self._claim_size(claim, "spec", as_dict(claim.obj.get("spec")))

    # -- quotas -----------------------------------------------------------------------------------------

    def _check_quota(self, quota: Resource) -> None:
        spec = as_dict(quota.obj.get("spec"))
        hard = self._quantities(quota, "spec.hard", spec.get("hard"))
        namespace = quota.namespace
        scoped = bool(spec.get("scopes") or spec.get("scopeSelector"))
        demands = [d for d in self.demands.get(namespace, ()) if _in_scope(spec, d)]
        self._check_required(quota, hard, demands)
        low, _ = self._usage(namespace, demands, high=False, with_objects=not scoped)
        high, contributions = self._usage(namespace, demands, high=True, with_objects=not scoped)
        several = len(self.index.named("ResourceQuota", namespace)) > 1
        for resource in sorted(hard):
            if resource not in high and not _tracked(resource):
                continue  # a resource this check cannot count (e.g. count/ of a kind we do not know)
            limit, worst, least = hard[resource], high.get(resource, Decimal(0)), low.get(resource, Decimal(0))
            label = f"{namespace} ({quota.name})" if several else namespace
            self.rows.append((label, resource, format_quantity(resource, limit), format_quantity(resource, worst),
                              format_quantity(resource, limit - worst)))
            if worst <= limit:
                continue
            self._report_exceeded(quota, resource, limit, worst, least, contributions.get(resource, []))

    def _report_exceeded(self, quota: Resource, resource: str, limit: Decimal, worst: Decimal, least: Decimal,
                         contributions: list[tuple[WorkloadDemand, Decimal]]) -> None:
        contributors = [(d, amount) for d, amount in contributions if amount > 0]
        conditions = [c for c, present in (("at HPA max", any(d.hpa for d, _ in contributors)),
                                           ("with surge", any(d.surge_high for d, _ in contributors))) if present]
        when = f" ({', '.join(conditions)})" if conditions else ""
        fmt = format_quantity
        head = f"{resource}: worst case {fmt(resource, worst)}{when} exceeds quota {fmt(resource, limit)}"
        largest = sorted(contributors, key=lambda c: (-c[1], c[0].workload.describe()))[:3]
        shown = ", ".join(f"{d.workload.kind} {d.workload.name} {fmt(resource, amount)} "
                          f"({d.pods_high} pod{'s' if d.pods_high != 1 else ''})" for d, amount in largest)
        if least <= limit and any(d.hpa for d, _ in contributors):
            hpas = ", ".join(f"{d.hpa.name} (max {d.replicas(True)})" for d, _ in contributors if d.hpa is not None)
            self._report(quota, QUOTA_EXCEEDED_AT_HPA_MAX,
                         f"{head}; at HPA min it is {fmt(resource, least)}, so it fits until the autoscaler "
                         f"scales up; largest: {shown}: lower maxReplicas of HorizontalPodAutoscaler {hpas} or "
                         "raise the quota", Severity.WARNING)
            return
        self._report(quota, QUOTA_EXCEEDED,
                     f"{head}{'; largest: ' + shown if shown else ''}; lower replicas or requests, or raise the "
                     "tenant's quota")

    def _check_required(self, quota: Resource, hard: Quantities, demands: Iterable[WorkloadDemand]) -> None:
        """Quota on cpu/memory makes every container state it (after LimitRange defaults), or the pod is refused."""
        required = [(r, "requests" if r in ("cpu", "memory") else r.partition(".")[0], r.rpartition(".")[2])
                    for r in sorted(hard) if r in ("cpu", "memory", "requests.cpu", "requests.memory",
                                                   "limits.cpu", "limits.memory")]
        if not required:
            return
        for demand in demands:
            for container, requests, limits in demand.containers:
                values = {"requests": requests, "limits": limits}
                missing = sorted({f"{kind}.{name}" for _, kind, name in required if name not in values[kind]})
                if missing:
                    self._report(demand.workload, QUOTA_REQUIRES_RESOURCES,
                                 f'container "{container.get("name", "?")}" sets no {", ".join(missing)} and no '
                                 f"LimitRange gives a default, but ResourceQuota {quota.name} tracks it: the API "
                                 f"server rejects the pod; set resources {', '.join(missing)}")

    def _usage(self, namespace: str, demands: Iterable[WorkloadDemand], *, high: bool,
               with_objects: bool) -> tuple[Quantities, dict[str, list[tuple[WorkloadDemand, Decimal]]]]:
        usage: Quantities = defaultdict(Decimal)
        contributions: dict[str, list[tuple[WorkloadDemand, Decimal]]] = defaultdict(list)
        for demand in demands:
            pods = demand.pods(high)
            added: Quantities = defaultdict(Decimal)
            added["pods"] += pods
            for resource, value in demand.requests.items():
                added[f"requests.{resource}"] += value * pods
                if resource in ("cpu", "memory", "ephemeral-storage"):
                    added[resource] += value * pods
            for resource, value in demand.limits.items():
                added[f"limits.{resource}"] += value * pods
            # StatefulSet claims are per ordinal and survive rollouts; ephemeral ones come and go with each pod
            claim_count = demand.replicas(high) if demand.template_claims else pods
            for storage_class, size in demand.claims_per_pod:
                _add_claim(added, storage_class, size, claim_count)
            for resource, value in added.items():
                usage[resource] += value
                contributions[resource].append((demand, value))
        if with_objects:
            for claim in self.index.named("PersistentVolumeClaim", namespace).values():
                spec = as_dict(claim.obj.get("spec"))
                requests = as_dict(as_dict(spec.get("resources")).get("requests"))
                try:
                    size = parse_quantity(requests.get("storage", 0))
                except ValueError:
                    size = Decimal(0)  # reported by _check_claims
                _add_claim(usage, self._storage_class(spec), size, 1)
            for kind, count_key in _COUNTED_KINDS.items():
                usage[count_key] += len(self.index.named(kind, namespace))
            services = self.index.named("Service", namespace).values()
            usage["services"] += len(services)
            for service in services:
                spec = as_dict(service.obj.get("spec"))
                if spec.get("type") == "LoadBalancer":
                    usage["services.loadbalancers"] += 1
                if spec.get("type") in ("NodePort", "LoadBalancer"):
                    usage["services.nodeports"] += len(as_dicts(spec.get("ports")))
            usage["configmaps"] += 1  # kube-root-ca.crt, which Kubernetes puts in every namespace
            usage["secrets"] = Decimal(len(self._secret_names(namespace)))
            for alias, key in (("configmaps", "count/configmaps"), ("secrets", "count/secrets"),
                               ("services", "count/services"), ("persistentvolumeclaims",
                                                                "count/persistentvolumeclaims")):
                usage[key] = usage[alias]
        return dict(usage), contributions

    def _secret_names(self, namespace: str) -> set[str]:
        """Secrets that will exist: declared ones and those ExternalSecrets create (target name, default own)."""
        names = set(self.index.named("Secret", namespace))
        for external in self.index.named("ExternalSecret", namespace).values():
            target = as_dict(as_dict(external.obj.get("spec")).get("target"))
            if target.get("creationPolicy", "Owner") not in ("None", "Merge"):
                names.add(str(target.get("name") or external.name))
        return names

    # -- GPUs -------------------------------------------------------------------------------------------

    def _check_gpus(self) -> None:
        cluster = self.target.cluster
        if cluster is None:
            return  # ad-hoc manifests: no inventory says what nodes exist
        pool_resources = {p.gpu_resource for p in cluster.capabilities.gpu_node_pools}
        for template in self.index.pods:
            wanted = _gpu_requests(template, pool_resources)
            if not wanted:
                continue
            shown = ", ".join(f"{r}: {_trim(v, 2)}" for r, v in sorted(wanted.items()))
            if not cluster.capabilities.gpu_node_pools:
                self._report(template.workload, GPU_WITHOUT_GPU_POOL,
                             f"requests {shown}, but cluster {cluster.name} has no GPU node pool, so the pod "
                             "stays Pending: run it on a cluster with a GPU pool or drop the GPU request "
                             "(usage_mode external)")
                continue
            problem = _gpu_placement_problem(template, set(wanted), cluster)
            if problem:
                self._report(template.workload, GPU_POD_NOT_SCHEDULED_ON_POOL, f"requests {shown}; {problem}")


_COUNTED_KINDS = {"Deployment": "count/deployments.apps", "StatefulSet": "count/statefulsets.apps",
                  "DaemonSet": "count/daemonsets.apps", "Job": "count/jobs.batch", "CronJob": "count/cronjobs.batch",
                  "Ingress": "count/ingresses.networking.k8s.io",
                  "HorizontalPodAutoscaler": "count/horizontalpodautoscalers.autoscaling",
                  "ServiceAccount": "count/serviceaccounts", "ConfigMap": "configmaps",
                  "ReplicationController": "replicationcontrollers"}
_OBJECT_KEYS = {"services", "services.loadbalancers", "services.nodeports", "configmaps", "secrets",
                "persistentvolumeclaims", "requests.storage", "pods", *_COUNTED_KINDS.values(),
                "count/configmaps", "count/secrets", "count/services", "count/persistentvolumeclaims"}


def _tracked(resource: str) -> bool:
    """Quota keys this check computes even when nothing uses them (so the table shows 0 used)."""
    if resource in _OBJECT_KEYS or resource in ("cpu", "memory", "ephemeral-storage"):
        return True
    return resource.startswith(("requests.", "limits.")) or resource.endswith(".storageclass.storage.k8s.io/"
                                                                              "requests.storage")


def _add_claim(usage: Quantities, storage_class: str, size: Decimal, count: int) -> None:
    usage["persistentvolumeclaims"] += count
    usage["requests.storage"] += size * count
    if storage_class:
        usage[f"{storage_class}.storageclass.storage.k8s.io/persistentvolumeclaims"] += count
        usage[f"{storage_class}.storageclass.storage.k8s.io/requests.storage"] += size * count


def _pod_totals(template: PodTemplate,
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


def _in_scope(quota_spec: Mapping[str, Any], demand: WorkloadDemand) -> bool:
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


def _gpu_requests(template: PodTemplate, pool_resources: set[str]) -> Quantities:
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


def _gpu_placement_problem(template: PodTemplate, wanted: set[str], cluster: ClusterSpec) -> str | None:
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


# -- the validator ----------------------------------------------------------------------------------------

HEADROOM_HEADERS = ("namespace", "resource", "quota", "worst case", "headroom")


class CapacityValidator(Validator):
    """ResourceQuota and LimitRange fit at the worst case, and GPU pods placed on GPU pools."""

    name = VALIDATOR

    def __init__(self, options: ValidatorOptions) -> None:
        self.options = options

    def cache_context(self, target: Target) -> str:
        """Results depend on the target's objects and cluster data only (both in the runner's key)."""
        return ""

    def validate(self, target: Target) -> Iterator[Finding]:
        return findings_of(self.run(target))

    def sections(self, target: Target) -> list[Section]:
        return sections_of(self.run(target))

    def run(self, target: Target) -> Iterator[Finding | Section]:
        """The findings and the headroom table, from one analysis of the target."""
        analysis = CapacityAnalysis(target)
        yield from analysis.findings
        rows = analysis.rows
        if rows:
            yield Section(title="Quota headroom", headers=HEADROOM_HEADERS, rows=tuple(sorted(rows)))

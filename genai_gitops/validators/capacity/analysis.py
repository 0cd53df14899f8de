"""CapacityAnalysis: one target's namespaces under quota at the worst case, its LimitRange
violations and GPU placement, as findings and headroom rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.model.quantity import parse_quantity
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target
from genai_gitops.validators.capacity.demand import WorkloadDemand, pod_totals, replica_range, rollout_surge
from genai_gitops.validators.capacity.gpu import gpu_placement_problem, gpu_requests
from genai_gitops.validators.capacity.limits import LimitItem, LimitPolicy
from genai_gitops.validators.capacity.quantities import Quantities, format_quantity, trim
from genai_gitops.validators.capacity.quota import COUNTED_KINDS, add_claim, in_scope, tracked
from genai_gitops.validators.workloads import ObjectIndex, PodTemplate, as_dict, as_dicts

VALIDATOR = "capacity"
QUOTA_EXCEEDED = "quota-exceeded"
QUOTA_EXCEEDED_AT_HPA_MAX = "quota-exceeded-at-hpa-max"
QUOTA_REQUIRES_RESOURCES = "quota-requires-resources"
LIMITRANGE_VIOLATION = "limitrange-violation"
GPU_WITHOUT_GPU_POOL = "gpu-without-gpu-pool"
GPU_POD_NOT_SCHEDULED_ON_POOL = "gpu-pod-not-scheduled-on-pool"
INVALID_QUANTITY = "invalid-quantity"


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
        requests, limits = pod_totals(template, resolved)
        overhead = self._quantities(workload, "spec.overhead", template.spec.get("overhead"))
        for resource, value in overhead.items():
            requests[resource] = requests.get(resource, Decimal(0)) + value
            if resource in limits:
                limits[resource] += value
        for problem in policy.violations("Pod", requests, limits):
            self._report(workload, LIMITRANGE_VIOLATION, f"pod: {problem}")

        hpa = self._hpas.get((template.namespace, workload.kind, workload.name))
        low, high = replica_range(workload, hpa)
        surge_low, surge_high = rollout_surge(workload, low), rollout_surge(workload, high)
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
        demands = [d for d in self.demands.get(namespace, ()) if in_scope(spec, d)]
        self._check_required(quota, hard, demands)
        low, _ = self._usage(namespace, demands, high=False, with_objects=not scoped)
        high, contributions = self._usage(namespace, demands, high=True, with_objects=not scoped)
        several = len(self.index.named("ResourceQuota", namespace)) > 1
        for resource in sorted(hard):
            if resource not in high and not tracked(resource):
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
                add_claim(added, storage_class, size, claim_count)
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
                add_claim(usage, self._storage_class(spec), size, 1)
            for kind, count_key in COUNTED_KINDS.items():
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
            wanted = gpu_requests(template, pool_resources)
            if not wanted:
                continue
            shown = ", ".join(f"{r}: {trim(v, 2)}" for r, v in sorted(wanted.items()))
            if not cluster.capabilities.gpu_node_pools:
                self._report(template.workload, GPU_WITHOUT_GPU_POOL,
                             f"requests {shown}, but cluster {cluster.name} has no GPU node pool, so the pod "
                             "stays Pending: run it on a cluster with a GPU pool or drop the GPU request "
                             "(usage_mode external)")
                continue
            problem = gpu_placement_problem(template, set(wanted), cluster)
            if problem:
                self._report(template.workload, GPU_POD_NOT_SCHEDULED_ON_POOL, f"requests {shown}; {problem}")

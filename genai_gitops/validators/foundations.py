"""A cluster's tree brings what its own objects need from the cluster (issue 13: created -> operated).

A fresh EKS cluster has no StorageClass the claims name, no metrics API and no GPU device plugin;
each of these shows up only after deployment (a Pending claim, an HPA at `<unknown>`, a GPU pod that
never schedules). Here they are found offline, over all folders of one cluster:

- every claim (PersistentVolumeClaim, StatefulSet volumeClaimTemplates) names a StorageClass the
  tree creates, or the tree creates a default class for claims that name none;
- HorizontalPodAutoscalers have a metrics API (metrics-server Application, or the APIService);
- a cluster with GPU node pools, or pods that request GPUs, runs a device plugin (the NVIDIA device
  plugin or GPU operator chart);
- no retired component ships (an Application of a chart whose project no longer publishes fixes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from genai_gitops.manifests.pods import pod_spec
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.registry import ValidatorOptions

VALIDATOR = "foundations"
MISSING_STORAGE_CLASS = "missing-storage-class"
NO_METRICS_API = "no-metrics-api"
NO_GPU_DEVICE_PLUGIN = "no-gpu-device-plugin"
RETIRED_COMPONENT = "retired-component"

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
#: charts that serve metrics.k8s.io (what an HPA's Resource metrics read)
METRICS_API_CHARTS = frozenset({"metrics-server", "prometheus-adapter"})
#: charts that advertise nvidia.com/gpu on nodes
GPU_PLUGIN_CHARTS = frozenset({"nvidia-device-plugin", "gpu-operator"})
#: charts (by repository or chart name) whose project is retired: why, and what replaces them
RETIRED: Mapping[str, str] = {
    "https://kubernetes.github.io/ingress-nginx": "community ingress-nginx was retired in March 2026 (no releases or "
                                                  "security fixes since); use a maintained Gateway API implementation",
    "ingress-nginx": "community ingress-nginx was retired in March 2026 (no releases or security fixes since); use a "
                     "maintained Gateway API implementation",
}
GPU_RESOURCE_PREFIX = "nvidia.com/"
POD_OWNERS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"})


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _chart_sources(app: Resource) -> Iterator[tuple[str, str]]:
    """(repoURL, chart name) of each source of an Application; an OCI chart is named by its last path part."""
    spec = _mapping(app.obj.get("spec"))
    sources = [spec.get("source"), *(spec.get("sources") or [])]
    for source in sources:
        source = _mapping(source)
        url = str(source.get("repoURL") or "")
        chart = str(source.get("chart") or "")
        if not chart and url.startswith("oci://"):
            chart = url.rstrip("/").rsplit("/", 1)[-1]
        if url or chart:
            yield url, chart


def _requests_gpu(resource: Resource) -> bool:
    pod = pod_spec(resource) or {}
    for container in [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]:
        resources = _mapping(_mapping(container).get("resources"))
        for section in ("limits", "requests"):
            if any(str(k).startswith(GPU_RESOURCE_PREFIX) for k in _mapping(resources.get(section))):
                return True
    return False


def _claims(resource: Resource) -> Iterator[tuple[str, str | None]]:
    """(claim name, storageClassName or None) of a PVC or a StatefulSet's claim templates."""
    if resource.kind == "PersistentVolumeClaim":
        yield resource.name, _mapping(resource.obj.get("spec")).get("storageClassName")
    elif resource.kind == "StatefulSet":
        for template in _mapping(resource.obj.get("spec")).get("volumeClaimTemplates") or []:
            template = _mapping(template)
            yield (str(_mapping(template.get("metadata")).get("name") or ""),
                   _mapping(template.get("spec")).get("storageClassName"))


class FoundationsValidator(Validator):
    name = VALIDATOR
    data_used = ("cluster",)

    def __init__(self, options: ValidatorOptions) -> None:
        self.options = options

    def cache_context(self, target: Target) -> str:
        """Results depend on the target's objects and cluster data only."""
        return ""

    def validate(self, target: Target) -> Iterator[Finding]:
        classes: set[str] = set()
        default_classes: list[str] = []
        charts: set[str] = set()
        metrics_api_service = False
        hpas: list[Resource] = []
        gpu_pods: list[Resource] = []
        claimants: list[Resource] = []
        for resource in target.resources:
            kind = resource.kind
            if kind == "StorageClass":
                classes.add(resource.name)
                if resource.annotations.get(DEFAULT_CLASS_ANNOTATION) == "true":
                    default_classes.append(resource.name)
            elif kind == "Application" and resource.group == "argoproj.io":
                for url, chart in _chart_sources(resource):
                    charts.add(chart)
                    reason = RETIRED.get(url) or RETIRED.get(chart)
                    if reason:
                        yield self._finding(resource, RETIRED_COMPONENT,
                                            f"Application {resource.name} installs {chart or url}: {reason}")
            elif kind == "APIService" and resource.name == "v1beta1.metrics.k8s.io":
                metrics_api_service = True
            elif kind == "HorizontalPodAutoscaler":
                hpas.append(resource)
            if kind in ("PersistentVolumeClaim", "StatefulSet"):
                claimants.append(resource)
            if kind in POD_OWNERS and _requests_gpu(resource):
                gpu_pods.append(resource)

        known = ", ".join(sorted(classes)) or "none"
        for resource in claimants:
            for claim, storage_class in _claims(resource):
                if storage_class is None:
                    if not default_classes:
                        yield self._finding(resource, MISSING_STORAGE_CLASS, (
                            f"claim {claim} names no StorageClass and the tree creates no default class "
                            f"({DEFAULT_CLASS_ANNOTATION}: \"true\"): on a fresh EKS cluster it stays Pending"))
                elif storage_class and storage_class not in classes:
                    yield self._finding(resource, MISSING_STORAGE_CLASS, (
                        f"claim {claim} names StorageClass {storage_class}, which this cluster's tree does not "
                        f"create (StorageClasses here: {known}): on a fresh EKS cluster the claim stays Pending; "
                        "set capabilities.storage_class in clusters.yaml to the class the cluster-config app creates"))

        if hpas and not (metrics_api_service or charts & METRICS_API_CHARTS):
            yield self._finding(hpas[0], NO_METRICS_API, (
                f"{len(hpas)} HorizontalPodAutoscaler(s) on this cluster but nothing serves the metrics API "
                "(metrics.k8s.io): they never scale; install metrics-server (stacks/foundations.py)"))

        gpu_pools = bool(target.cluster is not None and target.cluster.has_gpu)
        if (gpu_pools or gpu_pods) and not charts & GPU_PLUGIN_CHARTS:
            anchor = gpu_pods[0] if gpu_pods else None
            why = (f"cluster {target.cluster.name} has GPU node pools" if gpu_pools and target.cluster is not None
                   else f"{len(gpu_pods)} workload(s) request GPUs")
            message = (f"{why} but no device plugin Application (charts: {', '.join(sorted(GPU_PLUGIN_CHARTS))}): "
                       "nodes advertise no nvidia.com/gpu and GPU pods never schedule")
            if anchor is not None:
                yield self._finding(anchor, NO_GPU_DEVICE_PLUGIN, message)
            else:
                yield Finding(file=target.name, line=None, api_version="", kind="", namespace="", name="",
                              validator=VALIDATOR, rule=NO_GPU_DEVICE_PLUGIN, severity=Severity.ERROR, message=message)

    @staticmethod
    def _finding(resource: Resource, rule: str, message: str) -> Finding:
        return Finding.about(resource, validator=VALIDATOR, rule=rule, message=message)

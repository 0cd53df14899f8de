"""Where a workload object keeps its pod template: the one walker every layer uses.

Kubernetes puts the pod template at `spec.template` in Deployments, StatefulSets, DaemonSets,
ReplicaSets, ReplicationControllers and Jobs, and at `spec.jobTemplate.spec.template` in CronJobs;
a Pod is its own template. Manifests are user input: a field of the wrong type means "no pod
template", never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_gitops.manifests.resource import Resource

#: each kind whose objects carry (or are) a pod template -> the keys that lead to it (none: the object itself)
POD_TEMPLATE_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
#: kinds whose objects carry (or are) a pod template
WORKLOAD_KINDS = frozenset(POD_TEMPLATE_PATHS)


def pod_template_body(resource: Resource) -> dict[str, Any] | None:
    """The `{metadata, spec}` pod template of a workload object (the object itself for a Pod); None
    for another kind, or when a field on the way is missing or not a mapping."""
    path = POD_TEMPLATE_PATHS.get(resource.kind)
    if path is None:
        return None
    current: Any = resource.obj
    for key in path:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else None


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    """The pod spec of a workload object (a Pod's `spec`, else its template's `spec`), or None."""
    body = pod_template_body(resource)
    spec = body.get("spec") if body is not None else None
    return spec if isinstance(spec, dict) else None


def pod_spec_path(kind: str) -> str:
    """Where `pod_spec` sits in an object of `kind`, as a field path for messages."""
    return ".".join((*POD_TEMPLATE_PATHS.get(kind, ("spec", "template")), "spec"))

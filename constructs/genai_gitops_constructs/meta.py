"""Labels and names every object carries."""

from __future__ import annotations

from cdk8s_plus_28 import k8s

from genai_gitops.model.tenant import TENANT_LABEL

__all__ = ["MANAGED_BY", "PART_OF", "TENANT_LABEL", "labels", "object_meta", "selector"]

PART_OF = "genai-platform"
MANAGED_BY = "genai-gitops"


def labels(name: str, *, instance: str, component: str, tenant: str | None = None) -> dict[str, str]:
    """The standard app.kubernetes.io labels, plus the tenant label on every tenant object."""
    out = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    if tenant is not None:
        out[TENANT_LABEL] = tenant
    return out


def selector(name: str, instance: str) -> dict[str, str]:
    """The immutable subset used by selectors (name + instance): never add to it after first deploy."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance}


def object_meta(name: str, namespace: str | None, obj_labels: dict[str, str],
                annotations: dict[str, str] | None = None) -> k8s.ObjectMeta:
    return k8s.ObjectMeta(name=name, namespace=namespace, labels=obj_labels, annotations=annotations)

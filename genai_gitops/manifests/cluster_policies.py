"""The Gatekeeper policy objects one cluster runs, derived from policies/ and the cluster's data.

The synth deploys exactly these to `dist/<cluster>/cluster-config/`, and the PR check compares that
folder with them: a template or constraint missing, switched to dryrun/warn or otherwise changed by a
hand edit is a finding even when drift checks are off. One derivation serves both, so they cannot
disagree. The only per-cluster part: each K8sTrustedImages constraint trusts every tenant's own
`image_repositories` in that tenant's namespace (parameter `tenantRepositories`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genai_gitops.model.tenant import TenantSpec

TRUSTED_IMAGES_KIND = "K8sTrustedImages"
TENANT_REPOSITORIES = "tenantRepositories"
#: kinds the Gatekeeper Config must replicate into data.inventory for the referential policies
#: (unique hosts, tenant guard rails and ownership, wildcard roles behind tenant bindings)
SYNCED_KINDS: tuple[tuple[str, str, str], ...] = (
    ("", "v1", "Namespace"), ("networking.k8s.io", "v1", "Ingress"),
    ("networking.k8s.io", "v1", "NetworkPolicy"), ("", "v1", "ResourceQuota"),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole"), ("rbac.authorization.k8s.io", "v1", "Role"),
)


def tenant_repositories(tenants: Iterable[TenantSpec]) -> list[dict[str, Any]]:
    """`tenantRepositories` for these tenants: their namespace and declared prefixes, by namespace."""
    return [{"namespace": t.namespace, "repositories": list(t.image_repositories)}
            for t in sorted(tenants, key=lambda t: t.namespace) if t.image_repositories]


def cluster_policy_objects(objects: Sequence[dict[str, Any]], tenants: Iterable[TenantSpec]) -> list[dict[str, Any]]:
    """`objects` (templates and constraints of policies/) as one cluster with `tenants` runs them."""
    entries = tenant_repositories(tenants)
    out = []
    for obj in objects:
        if entries and obj.get("kind") == TRUSTED_IMAGES_KIND and str(obj.get("apiVersion", "")).startswith(
                "constraints."):
            obj = copy.deepcopy(obj)
            spec = obj.setdefault("spec", {})
            parameters = spec.setdefault("parameters", {})
            parameters[TENANT_REPOSITORIES] = [*(parameters.get(TENANT_REPOSITORIES) or []), *entries]
        out.append(obj)
    return out

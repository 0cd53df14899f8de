"""Stacks: one cdk8s Chart per Argo CD Application. They compose components and hold no
Kubernetes detail of their own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdk8s import App, Chart

from genai_gitops.manifests.cluster_policies import cluster_policy_objects
from genai_gitops.model.apps import AppKind, AppSpec
from genai_gitops.model.loader import Platform
from genai_gitops.model.tenant import TenantSpec
from genai_gitops_constructs.stacks.addons import AddonsStack
from genai_gitops_constructs.stacks.central import CentralStack
from genai_gitops_constructs.stacks.cluster_config import ClusterConfigStack
from genai_gitops_constructs.stacks.guardrails import GuardrailsStack
from genai_gitops_constructs.stacks.projects import ProjectsStack
from genai_gitops_constructs.stacks.tenant import TenantStack

#: the platform last indexed and its tenants by id: a stack per tenant app, 2,000 apps at 1,000 tenants,
#: each scanning the tuple was ~0.5 s of a render
_tenants_by_id: tuple[Platform, dict[str, TenantSpec]] | None = None


def _tenant(platform: Platform, tenant_id: str | None) -> TenantSpec:
    global _tenants_by_id
    if _tenants_by_id is None or _tenants_by_id[0] is not platform:
        index: dict[str, TenantSpec] = {}
        for t in platform.tenants:
            index.setdefault(t.id, t)  # the first, as a scan would find
        _tenants_by_id = (platform, index)
    assert tenant_id is not None, "a tenant app names its tenant (model.apps.plan_apps)"
    return _tenants_by_id[1][tenant_id]


def build_stack(app: App, spec: AppSpec, platform: Platform, policy_objects: Sequence[dict[str, Any]]) -> Chart:
    chart_id = f"{spec.cluster}--{spec.name}"
    cluster = platform.cluster(spec.cluster)
    if spec.kind is AppKind.PROJECTS:
        return ProjectsStack(app, chart_id, cluster=cluster, platform=platform)
    if spec.kind is AppKind.ADDONS:
        return AddonsStack(app, chart_id, cluster=cluster, platform=platform)
    if spec.kind is AppKind.CLUSTER_CONFIG:
        deployed = cluster_policy_objects(policy_objects, platform.tenants_on(spec.cluster))
        return ClusterConfigStack(app, chart_id, cluster=cluster, policy_objects=deployed,
                                  inventory=platform.inventory)
    if spec.kind is AppKind.CENTRAL:
        return CentralStack(app, chart_id, cluster=cluster, platform=platform)
    tenant = _tenant(platform, spec.tenant)
    if spec.kind is AppKind.GUARDRAILS:
        return GuardrailsStack(app, chart_id, tenant=tenant, platform=platform)
    return TenantStack(app, chart_id, tenant=tenant, platform=platform)

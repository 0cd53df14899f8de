"""Ordering between Applications: an object whose CRD or Namespace another Application delivers
must sit in a strictly later sync wave than that Application (`sync-wave-order`); a CRD group
nothing delivers is `crd-not-provided`.

Argo CD honours waves between Applications only when a parent Application syncs them (app of apps)
and only with the Application health check restored in argocd-cm; for ApplicationSet-generated apps
the wave states intent, and this rule keeps the intent consistent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from genai_gitops.validators.delivery.applications import AppView, chart_of, creates_namespace, destination_of
from genai_gitops.validators.delivery.clusters import ClusterDirectory, Destination
from genai_gitops.validators.delivery.facts import AppFacts
from genai_gitops.validators.delivery.findings import ARGOCD_GROUP, Located, describe, finding_at
from genai_gitops.validators.delivery.scopes import KindScopes

#: API groups every cluster serves without a CRD
BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "apiregistration.k8s.io",
    "scheduling.k8s.io", "node.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    "resource.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
})
#: the add-on (Helm chart of an Application in dist/<cluster>/addons) that brings each CRD group
ADDON_CRD_GROUPS: Mapping[str, tuple[str, ...]] = {
    "external-secrets": ("external-secrets.io", "generators.external-secrets.io"),
    "kube-prometheus-stack": ("monitoring.coreos.com",),
    "gatekeeper": ("templates.gatekeeper.sh", "constraints.gatekeeper.sh", "config.gatekeeper.sh",
                   "status.gatekeeper.sh", "mutations.gatekeeper.sh", "expansion.gatekeeper.sh",
                   "externaldata.gatekeeper.sh", "syncset.gatekeeper.sh"),
    "cert-manager": ("cert-manager.io", "acme.cert-manager.io"),
    # Envoy Gateway's chart bundles the Gateway API CRDs (standard channel)
    "gateway-helm": ("gateway.networking.k8s.io", "gateway.envoyproxy.io"),
}


def sync_wave_findings(views: Sequence[AppView], facts: Mapping[str, AppFacts],
                       children: Sequence[tuple[AppView, AppView]], clusters: ClusterDirectory,
                       scopes: KindScopes) -> list[Located]:
    """`sync-wave-order` and `crd-not-provided` over every Application (and the add-ons' children)."""
    providers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    waves = {v.name: v.wave for v in views}
    dests: dict[str, Destination | None] = {}
    #: each Application's destination namespace as written (asked by both loops below)
    namespaces: dict[str, str] = {}
    for view in views:
        destination = destination_of(view.spec)
        own_namespace = namespaces[view.name] = str(destination.get("namespace") or "")
        dest = dests[view.name] = clusters.resolve(destination)
        if dest is None:
            continue
        for what, value in facts[view.name].provides:
            providers[(dest.server, what, value)].add(view.name)
        if own_namespace and creates_namespace(view.spec):
            providers[(dest.server, "namespace", own_namespace)].add(view.name)
    for parent, child in children:
        dest = clusters.resolve(destination_of(child.spec))
        if dest is None:
            continue
        for group in ADDON_CRD_GROUPS.get(chart_of(child), ()):
            providers[(dest.server, "group", group)].add(parent.name)
        namespace = destination_of(child.spec).get("namespace")
        if namespace and creates_namespace(child.spec):
            providers[(dest.server, "namespace", str(namespace))].add(parent.name)

    out: list[Located] = []
    for view in views:
        dest = dests[view.name]
        if dest is None:
            continue
        dest_ns = namespaces[view.name]
        # what the app's objects need, with the first object needing it and how many do
        needs: dict[tuple[str, str], list[Any]] = {}
        for use in facts[view.name].uses:
            wanted = []
            if use.group not in BUILTIN_GROUPS and use.group != ARGOCD_GROUP:
                wanted.append(("group", use.group))
            if scopes.of(use.group, use.kind) and (use.namespace or dest_ns):
                wanted.append(("namespace", use.namespace or dest_ns))
            for need in wanted:
                if need in needs:
                    needs[need][1] += use.objects
                else:
                    needs[need] = [use, use.objects]
        for (what, value), (use, users) in needs.items():
            found = providers.get((dest.server, what, value), set())
            if view.name in found:
                continue
            first = use.first
            count = f" (and {users - 1} more object(s))" if users > 1 else ""
            thing = f"CRD group {value}" if what == "group" else f"Namespace {value}"
            if not found:
                if what == "group":
                    out.append(Located(view.owner, finding_at(
                        first, rule="crd-not-provided", message=(
                        f"{describe(first)}{count} in Application {view.name} needs {thing} on "
                        f"{dest.label}, which no Application delivers (no add-on and no "
                        "CustomResourceDefinition provides it)"))))
                continue
            for provider in sorted(found):
                if waves[view.name] > waves[provider]:
                    continue
                out.append(Located(view.owner, finding_at(
                    first, rule="sync-wave-order", message=(
                    f"{describe(first)}{count} in Application {view.name} (sync wave "
                    f"{waves[view.name]}) needs {thing}, which Application {provider} delivers in "
                    f"sync wave {waves[provider]}: {view.name} must sync in a later wave"))))
    return out

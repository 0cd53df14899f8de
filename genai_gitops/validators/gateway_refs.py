"""References of Gateway API routes and Envoy Gateway policies inside one cluster's tree (part of `refs`).

An HTTPRoute whose Gateway, listener or Service does not exist is accepted by the API server and then
serves nothing (its status says `BackendNotFound` or `NoMatchingParent`, which nobody reads); a policy
whose target is missing silently protects nothing. Both are found here, before deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.validators.workloads import ObjectIndex, as_dict, as_dicts

DANGLING_HTTPROUTE = "dangling-httproute"
DANGLING_POLICY_TARGET = "dangling-policy-target"
GATEWAY_GROUP = "gateway.networking.k8s.io"

Report = Callable[[Resource, str, str], Any]


def _names(index: ObjectIndex, kind: str, namespace: str) -> str:
    names = sorted(index.named(kind, namespace))
    return ", ".join(names) if names else "none"


def check_http_route(index: ObjectIndex, route: Resource, report: Report) -> Iterator[Any]:
    spec = as_dict(route.obj.get("spec"))
    hostnames = [str(h) for h in spec.get("hostnames") or []]
    for i, parent in enumerate(as_dicts(spec.get("parentRefs"))):
        if parent.get("kind", "Gateway") != "Gateway" or parent.get("group", GATEWAY_GROUP) != GATEWAY_GROUP:
            continue
        namespace = str(parent.get("namespace") or route.namespace)
        name = str(parent.get("name", ""))
        gateway = index.get("Gateway", namespace, name)
        where = f"spec.parentRefs[{i}]"
        if gateway is None:
            yield report(route, DANGLING_HTTPROUTE,
                         f"{where}: Gateway {namespace}/{name} not found (Gateways there: "
                         f"{_names(index, 'Gateway', namespace)}); the route would serve nothing")
            continue
        gateway_spec = as_dict(gateway.obj.get("spec"))
        listeners = {str(item.get("name")): item for item in as_dicts(gateway_spec.get("listeners"))}
        section = parent.get("sectionName")
        if section is None:
            continue
        listener = listeners.get(str(section))
        if listener is None:
            yield report(route, DANGLING_HTTPROUTE,
                         f"{where}: Gateway {namespace}/{name} has no listener {section!r} (listeners: "
                         f"{', '.join(sorted(listeners)) or 'none'})")
            continue
        host = listener.get("hostname")
        if host and hostnames and str(host) not in hostnames:
            yield report(route, DANGLING_HTTPROUTE,
                         f"{where}: listener {section!r} serves host {host} but the route's hostnames are "
                         f"{', '.join(hostnames)}: no request would match")
    for r, rule in enumerate(as_dicts(spec.get("rules"))):
        for b, backend in enumerate(as_dicts(rule.get("backendRefs"))):
            if backend.get("kind", "Service") != "Service" or backend.get("group", "") != "":
                continue
            namespace = str(backend.get("namespace") or route.namespace)
            name = str(backend.get("name", ""))
            where = f"spec.rules[{r}].backendRefs[{b}]"
            service = index.get("Service", namespace, name)
            if service is None:
                yield report(route, DANGLING_HTTPROUTE,
                             f'{where}: backend Service "{name}" not found in namespace {namespace} (Services '
                             f"there: {_names(index, 'Service', namespace)}); fix the name or add the Service")
                continue
            ports = [p.get("port") for p in as_dicts(as_dict(service.obj.get("spec")).get("ports"))]
            if backend.get("port") not in ports:
                yield report(route, DANGLING_HTTPROUTE,
                             f"{where}: port {backend.get('port')!r} is not a port of Service {namespace}/{name} "
                             f"(ports: {', '.join(map(str, ports)) or 'none'}); a Service backend names its port "
                             "by number")


def check_policy_targets(index: ObjectIndex, policy: Resource, report: Report) -> Iterator[Any]:
    spec = as_dict(policy.obj.get("spec"))
    for i, target in enumerate(as_dicts(spec.get("targetRefs"))):
        kind, name = str(target.get("kind", "")), str(target.get("name", ""))
        if target.get("group", GATEWAY_GROUP) != GATEWAY_GROUP or kind not in ("Gateway", "HTTPRoute"):
            continue
        if index.get(kind, policy.namespace, name) is None:
            yield report(policy, DANGLING_POLICY_TARGET,
                         f"spec.targetRefs[{i}]: {kind} {policy.namespace}/{name} not found ({kind}s there: "
                         f"{_names(index, kind, policy.namespace)}); the policy would apply to nothing")


POLICY_KINDS = ("ClientTrafficPolicy", "BackendTrafficPolicy", "SecurityPolicy")

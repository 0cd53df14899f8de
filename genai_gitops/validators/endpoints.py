"""Wiring: every in-cluster endpoint a configuration names resolves to a Service and port of the cluster.

Scanned: container env values, ConfigMap data and ExternalSecret templates (the URLs that become Secret
values, e.g. DATABASE_URL). An endpoint is a cluster DNS name - `<service>.<namespace>.svc[.cluster.local]`
or a pod under a headless Service, `<pod>.<service>.<namespace>.svc...` - with an optional `:port`
(without one, the scheme's default: 80 for http, 443 for https). Rule `endpoint-unresolved`: no such
Service in the cluster, or the Service does not expose that port. Names outside the cluster (public
hosts) are not endpoints of this check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from genai_gitops.manifests import Resource
from genai_gitops.manifests.pods import pod_spec
from genai_gitops.report.finding import Finding, Severity

RULE = "endpoint-unresolved"
_ENDPOINT = re.compile(
    r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^@/\s]*@)?)?"
    r"(?<![A-Za-z0-9.-])(?:[a-z0-9-]+\.)?(?P<service>[a-z0-9]([a-z0-9-]*[a-z0-9])?)\.(?P<namespace>[a-z0-9-]+)"
    r"\.svc(?:\.cluster\.local)?\b(?::(?P<port>[0-9]{1,5}))?")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _texts(res: Resource) -> Iterator[str]:
    """The configuration strings of one object that can name endpoints."""
    if res.kind == "ConfigMap":
        yield from _strings(res.obj.get("data"))
    elif res.kind == "ExternalSecret":
        spec = res.obj.get("spec") or {}
        yield from _strings(((spec.get("target") or {}).get("template") or {}).get("data"))
    pod = pod_spec(res)
    if pod is None:
        return
    for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        for var in container.get("env") or []:
            if isinstance(var, Mapping) and isinstance(var.get("value"), str):
                yield var["value"]


def _matches(text: str) -> Iterator[re.Match[str]]:
    """`_ENDPOINT.finditer(text)`, tried only on the lines that hold `.svc`: no part of an endpoint matches a
    newline (and a line's start or end bounds a match as the newline did), so the matches are the same, in the
    same order, without trying the pattern at every character of a long configuration."""
    if ".svc" not in text:
        return
    for line in text.split("\n"):
        if ".svc" in line:
            yield from _ENDPOINT.finditer(line)


def endpoint_findings(resources: Sequence[Resource], validator: str) -> Iterator[Finding]:
    services: dict[tuple[str, str], set[int]] = {}
    for res in resources:
        if res.kind == "Service":
            ports = (res.obj.get("spec") or {}).get("ports") or []
            services[(res.namespace, res.name)] = {int(p["port"]) for p in ports
                                                   if isinstance(p, Mapping) and isinstance(p.get("port"), int)}
    reported: set[tuple[str, str, str]] = set()
    for res in resources:
        for text in _texts(res):
            for match in _matches(text):
                service, namespace = match.group("service"), match.group("namespace")
                port_text = match.group("port")
                port = int(port_text) if port_text else _DEFAULT_PORTS.get(match.group("scheme") or "")
                if port is None:
                    continue  # no port and no scheme to infer one from: nothing to resolve
                endpoint = f"{service}.{namespace}:{port}"
                if (res.describe(), endpoint, text) in reported:
                    continue
                ports = services.get((namespace, service))
                if ports is None:
                    problem = f"the cluster has no Service {namespace}/{service}"
                elif port not in ports:
                    listed = ", ".join(str(p) for p in sorted(ports)) or "none"
                    problem = f"Service {namespace}/{service} does not expose port {port} (ports: {listed})"
                else:
                    continue
                reported.add((res.describe(), endpoint, text))
                yield Finding.about(res, validator=validator, rule=RULE, severity=Severity.ERROR,
                                    message=f"{res.describe()} points at {service}.{namespace}.svc port {port}, but "
                                            f"{problem}: fix the host or port, or deploy the Service")

"""ReferenceCheck: one run over one target; the index is built once, then each object is checked
against it (pod_checks.py for workloads, object_checks.py for what names or selects other objects,
gateway_refs for Gateway API routes and policies, endpoints for in-cluster URLs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding
from genai_gitops.validators import gateway_refs
from genai_gitops.validators.endpoints import endpoint_findings
from genai_gitops.validators.refs.index import ReferenceIndex
from genai_gitops.validators.refs.object_checks import (
    check_external_secret,
    check_hpa,
    check_ingress,
    check_network_policy,
    check_pdb,
    check_service,
    check_service_monitor,
)
from genai_gitops.validators.refs.pod_checks import check_workload
from genai_gitops.validators.refs.rules import VALIDATOR


class ReferenceCheck:
    """One run over one target: the index is built once, then each object is checked against it."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources
        self.refs = refs = ReferenceIndex(resources)
        self._checks: dict[str, Callable[[Resource], Iterable[Finding]]] = {
            "Service": partial(check_service, refs),
            "Ingress": partial(check_ingress, refs),
            "HorizontalPodAutoscaler": partial(check_hpa, refs),
            "NetworkPolicy": partial(check_network_policy, refs),
            "ServiceMonitor": partial(check_service_monitor, refs),
            "PodDisruptionBudget": partial(check_pdb, refs),
            "ExternalSecret": partial(check_external_secret, refs),
            "HTTPRoute": lambda route: gateway_refs.check_http_route(refs.index, route, refs.finding),
            **{kind: (lambda policy: gateway_refs.check_policy_targets(refs.index, policy, refs.finding))
               for kind in gateway_refs.POLICY_KINDS},
        }

    def findings(self) -> Iterator[Finding]:
        for template in self.refs.index.pods:
            yield from check_workload(self.refs, template)
        # wiring: every in-cluster endpoint in env values, ConfigMaps and secret templates has its Service
        yield from endpoint_findings(self.resources, VALIDATOR)
        for resource in self.resources:
            check = self._checks.get(resource.kind)
            if check is not None:
                yield from check(resource)

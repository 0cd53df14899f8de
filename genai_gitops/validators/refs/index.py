"""One target's objects, indexed once: where every reference check looks a name up."""

from __future__ import annotations

from collections.abc import Sequence

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.refs.data_sources import DataSources
from genai_gitops.validators.refs.rules import VALIDATOR
from genai_gitops.validators.workloads import LabelSelector, ObjectIndex


class ReferenceIndex:
    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources
        self.index = ObjectIndex(resources)
        self.data = DataSources(self.index)

    @staticmethod
    def finding(resource: Resource, rule: str, message: str,
                severity: Severity = Severity.ERROR) -> Finding:
        return Finding.about(resource, validator=VALIDATOR, rule=rule, message=message, severity=severity)

    def workloads_here(self, namespace: str) -> list[str]:
        return [t.describe() for t in self.index.pods.in_namespace(namespace)]

    def dangling_pods(self, resource: Resource, selector: LabelSelector) -> bool:
        return not selector.is_empty and not self.index.pods.any_selected(resource.namespace, selector)

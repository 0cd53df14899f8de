"""Pod templates of workload objects, label selectors, and an index of pods by namespace.

Shared by the referential validators (refs, capacity, isolation): each needs "which pods does this
selector pick in that namespace" and "what does this workload run", and all must agree on the answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genai_gitops.manifests.pods import pod_template_body
from genai_gitops.manifests.resource import Resource
from genai_gitops.manifests.scope import is_cluster_scoped
from genai_gitops.manifests.selectors import Requirement

#: kinds whose controller keeps `spec.replicas` pods running (and an HPA may scale)
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is a mapping, else {}: manifests are user input and may be malformed anywhere."""
    return value if isinstance(value, dict) else {}


def as_dicts(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list, skipping anything else."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """What one workload object runs: its pod template's labels and pod spec."""

    workload: Resource
    labels: Mapping[str, str]
    spec: Mapping[str, Any]

    @property
    def namespace(self) -> str:
        return self.workload.namespace

    @property
    def containers(self) -> list[dict[str, Any]]:
        return as_dicts(self.spec.get("containers"))

    @property
    def init_containers(self) -> list[dict[str, Any]]:
        return as_dicts(self.spec.get("initContainers"))

    @property
    def all_containers(self) -> list[dict[str, Any]]:
        """Init containers first, then app containers: every container that references ports, env, volumes."""
        return self.init_containers + self.containers

    @property
    def volumes(self) -> list[dict[str, Any]]:
        return as_dicts(self.spec.get("volumes"))

    def describe(self) -> str:
        return self.workload.describe()


def pod_template(resource: Resource) -> PodTemplate | None:
    body = pod_template_body(resource)
    if body is None:
        return None
    labels = as_dict(as_dict(body.get("metadata")).get("labels"))
    return PodTemplate(workload=resource, labels={str(k): str(v) for k, v in labels.items()},
                       spec=as_dict(body.get("spec")))


def iter_pod_templates(resources: Iterable[Resource]) -> Iterator[PodTemplate]:
    for resource in resources:
        template = pod_template(resource)
        if template is not None:
            yield template


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A compiled selector. `None` in a manifest selects nothing; `{}` selects everything.

    Build it with `from_label_selector` for `metav1.LabelSelector` fields (Deployment, NetworkPolicy,
    PDB, ServiceMonitor) or `from_map` for the plain maps of Service selectors and nodeSelectors.
    """

    match_labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[Requirement, ...] = ()
    selects_nothing: bool = False

    @classmethod
    def from_label_selector(cls, value: Any) -> LabelSelector:
        if not isinstance(value, dict):
            return cls(selects_nothing=True)
        expressions = tuple(
            Requirement(key=str(e.get("key", "")), operator=str(e.get("operator", "")),
                        values=frozenset(str(v) for v in e.get("values") or () if v is not None))
            for e in as_dicts(value.get("matchExpressions")))
        return cls(match_labels=_pairs(value.get("matchLabels")), expressions=expressions)

    @classmethod
    def from_map(cls, value: Any) -> LabelSelector:
        if not isinstance(value, dict):
            return cls(selects_nothing=True)
        return cls(match_labels=_pairs(value))

    @property
    def is_empty(self) -> bool:
        """True for `{}`: selects every object (in scope)."""
        return not self.selects_nothing and not self.match_labels and not self.expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.selects_nothing:
            return False
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        return all(e.matches(labels) for e in self.expressions)

    def describe(self) -> str:
        if self.selects_nothing:
            return "<none>"
        parts = [f"{k}={v}" for k, v in self.match_labels] + [e.describe() for e in self.expressions]
        return ",".join(parts) or "<all>"


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in as_dict(value).items()))


class PodIndex:
    """Pod templates grouped by namespace, so selector lookups scan one namespace, never the cluster."""

    def __init__(self, templates: Iterable[PodTemplate]) -> None:
        self._by_namespace: dict[str, list[PodTemplate]] = defaultdict(list)
        for template in templates:
            self._by_namespace[template.namespace].append(template)

    @classmethod
    def of(cls, resources: Iterable[Resource]) -> PodIndex:
        return cls(iter_pod_templates(resources))

    def in_namespace(self, namespace: str) -> Sequence[PodTemplate]:
        return self._by_namespace.get(namespace, ())

    def selected(self, namespace: str, selector: LabelSelector) -> list[PodTemplate]:
        """The pod templates in `namespace` whose labels the selector matches."""
        return [t for t in self.in_namespace(namespace) if selector.matches(t.labels)]

    def any_selected(self, namespace: str, selector: LabelSelector) -> bool:
        return any(selector.matches(t.labels) for t in self.in_namespace(namespace))

    def __iter__(self) -> Iterator[PodTemplate]:
        for templates in self._by_namespace.values():
            yield from templates


class ObjectIndex:
    """Every object of a target by kind, namespace and name, plus its pods: built once, looked up in O(1).

    Cluster-scoped kinds are filed under namespace ''.

    A later duplicate of the same (kind, namespace, name) does not replace the first: duplicates are
    another validator's finding, and the first definition is the one a reader sees first.
    """

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._objects: dict[str, dict[str, dict[str, Resource]]] = defaultdict(lambda: defaultdict(dict))
        templates: list[PodTemplate] = []
        for resource in resources:
            namespace = "" if is_cluster_scoped(resource.api_version, resource.kind) else resource.namespace
            self._objects[resource.kind][namespace].setdefault(resource.name, resource)
            template = pod_template(resource)
            if template is not None:
                templates.append(template)
        self.pods = PodIndex(templates)

    def get(self, kind: str, namespace: str, name: str) -> Resource | None:
        by_namespace = self._objects.get(kind)
        if by_namespace is None:
            return None
        return by_namespace.get(namespace, {}).get(name)

    def named(self, kind: str, namespace: str) -> Mapping[str, Resource]:
        """Objects of `kind` in `namespace` by name ('' is the namespace of cluster-scoped objects)."""
        by_namespace = self._objects.get(kind)
        return by_namespace.get(namespace, {}) if by_namespace is not None else {}

    def of_kind(self, kind: str) -> Iterator[Resource]:
        for by_name in self._objects.get(kind, {}).values():
            yield from by_name.values()

    def namespaces_of(self, kind: str) -> list[str]:
        return sorted(self._objects.get(kind, {}))

"""`AppFacts`: what the repository-wide delivery rules need from an Application's objects.

Beyond the per-object checks, CRD scopes and sync-wave ordering look at every Application at once,
but only at a few facts of each: the CRDs, Namespaces and ConstraintTemplates it ships, the
Applications it ships (add-ons), and which (group, kind, namespace) shapes its objects have (with
the first object of each shape, where a finding would point). Small enough to cache per folder
content, so that an unchanged repository is never parsed again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from genai_gitops.manifests import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.delivery.applications import mapping
from genai_gitops.validators.delivery.findings import ARGOCD_GROUP, NAME, anchor

SYNC_WAVE = "argocd.argoproj.io/sync-wave"


def _anchor_json(found: Finding) -> list[Any]:
    return [found.file, found.line, found.api_version, found.kind, found.namespace, found.name]


def _anchor_from(data: Sequence[Any]) -> Finding:
    file, line, api_version, kind, namespace, name = data
    return Finding(file=file, line=line, api_version=api_version, kind=kind, namespace=namespace, name=name,
                   validator=NAME, rule="", severity=Severity.ERROR, message="")


class Use(NamedTuple):
    """Objects of one (group, kind, namespace) shape: how many, and the first of them. (A tuple: many
    are restored from the cache on every run.)"""

    group: str
    kind: str
    namespace: str
    objects: int
    #: the first object, as `_anchor_json` writes it: made a Finding only when a rule points at it (few
    #: do), not for each of the many shapes restored from the cache on every run
    at: Sequence[Any]

    @property
    def first(self) -> Finding:
        return _anchor_from(self.at)


@dataclass(frozen=True)
class Child:
    """An Application shipped as an object (an add-on), as the checks see it."""

    name: str
    project: str
    spec: Mapping[str, Any]
    wave: int
    anchor: Finding


@dataclass(frozen=True)
class AppFacts:
    #: (group, kind, namespaced) of each CustomResourceDefinition, in object order
    crds: tuple[tuple[str, str, bool], ...]
    #: ("namespace", name) / ("group", group) this app delivers to its destination
    provides: tuple[tuple[str, str], ...]
    children: tuple[Child, ...]
    #: the objects with a kind, by shape, in the order each shape first occurs
    uses: tuple[Use, ...]

    @classmethod
    def of(cls, objects: Sequence[Resource]) -> AppFacts:
        crds: list[tuple[str, str, bool]] = []
        provides: dict[tuple[str, str], None] = {}
        children: list[Child] = []
        uses: dict[tuple[str, str, str], list[Any]] = {}
        for res in objects:
            kind, group = res.kind, res.group
            if kind == "CustomResourceDefinition":
                spec = mapping(res.obj.get("spec"))
                names = mapping(spec.get("names"))
                if spec.get("group") and names.get("kind"):
                    crds.append((str(spec["group"]), str(names["kind"]), spec.get("scope") != "Cluster"))
            if kind == "Namespace" and not group:
                provides[("namespace", res.name)] = None
            elif kind == "CustomResourceDefinition":
                provides[("group", str(mapping(res.obj.get("spec")).get("group", "")))] = None
            elif kind == "ConstraintTemplate":
                provides[("group", "constraints.gatekeeper.sh")] = None
            if kind == "Application" and group == ARGOCD_GROUP:
                children.append(_child(res))
            if kind:
                shape = (group, kind, res.namespace)
                if shape in uses:
                    uses[shape][0] += 1
                else:
                    uses[shape] = [1, anchor(res)]
        return cls(tuple(crds), tuple(provides), tuple(children),
                   tuple(Use(g, k, ns, count, _anchor_json(first))
                         for (g, k, ns), (count, first) in uses.items()))

    def to_json(self) -> dict[str, Any]:
        return {"crds": [list(c) for c in self.crds], "provides": [list(p) for p in self.provides],
                "children": [[c.name, c.project, c.spec, c.wave, _anchor_json(c.anchor)] for c in self.children],
                "uses": [[u.group, u.kind, u.namespace, u.objects, list(u.at)] for u in self.uses]}

    @classmethod
    def from_json(cls, data: Any) -> AppFacts:
        """The facts `to_json` wrote; ValueError (or KeyError/TypeError) when `data` has another shape.
        (The cache already rejects entries of another tool version or with a wrong checksum.)"""
        crds = tuple((g, k, ns) for g, k, ns in data["crds"])
        provides = tuple((what, value) for what, value in data["provides"])
        children = tuple(Child(name, project, _dict(spec), wave, _anchor_from(at))
                         for name, project, spec, wave, at in data["children"])
        uses = tuple(Use(g, k, ns, count, first) for g, k, ns, count, first in data["uses"])
        # the anchors' shape only: `_anchor_from` makes them Findings when a rule points at one
        if not all(type(use.at) is list and len(use.at) == 6 for use in uses):
            raise ValueError("expected anchors of 6 fields")
        return cls(crds, provides, children, uses)


def _child(res: Resource) -> Child:
    spec = mapping(res.obj.get("spec"))
    try:
        wave = int(res.annotations.get(SYNC_WAVE, "0"))
    except ValueError:
        wave = 0
    return Child(res.name, str(spec.get("project") or "default"), spec, wave, anchor(res))


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, not {type(value).__name__}")
    return value


"""ExpansionTemplates: the objects Gatekeeper derives from a workload (e.g. the Pod of a Deployment).

A template whose `applyTo` lists the object's group, version and kind turns the map at
`templateSource` (`spec.template`) into an object of `generatedGVK`, named
`<parent name>-<kind>` in lower case, in the parent's namespace, owned by the parent; expansion
recurses into what it generates. Constraints see the result with source `Generated`; gator prefixes
their messages with `[Implied by <template>]` and applies the template's `enforcementAction`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from genai_gitops.validators.gatekeeper.objects import group_version_kind, mapping, name_of, namespace_of, nested

EXPANSION_GROUP = "expansion.gatekeeper.sh"
_MAX_DEPTH = 30


class ExpansionError(ValueError):
    """An ExpansionTemplate gator would refuse, or an object it cannot expand."""


def is_expansion_template(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "ExpansionTemplate" and str(obj.get("apiVersion", "")).startswith(
        EXPANSION_GROUP + "/")


@dataclass(frozen=True)
class ExpansionTemplate:
    name: str
    #: (groups, versions, kinds) entries; an object matches an entry listing all three of its own
    apply_to: tuple[tuple[frozenset[str], frozenset[str], frozenset[str]], ...]
    template_source: str
    generated: tuple[str, str, str]  # group, version, kind
    enforcement_action: str = ""

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> ExpansionTemplate:
        if not is_expansion_template(obj):
            raise ExpansionError("not an Expansion Template")
        name = name_of(obj)
        spec = mapping(obj.get("spec"))
        if not name:
            raise ExpansionError("ExpansionTemplate has empty name field")
        source = str(spec.get("templateSource") or "")
        if not source:
            raise ExpansionError(f"ExpansionTemplate {name} has empty source field")
        gvk = mapping(spec.get("generatedGVK"))
        generated = (str(gvk.get("group") or ""), str(gvk.get("version") or ""), str(gvk.get("kind") or ""))
        if generated == ("", "", ""):
            raise ExpansionError(f"ExpansionTemplate {name} has empty generatedGVK field")
        apply_to = tuple(
            (frozenset(a.get("groups") or ()), frozenset(a.get("versions") or ()), frozenset(a.get("kinds") or ()))
            for a in spec.get("applyTo") or () if isinstance(a, Mapping))
        if not apply_to:
            raise ExpansionError(f"ExpansionTemplate {name} must specify ApplyTo")
        template = cls(name, apply_to, source, generated, str(spec.get("enforcementAction") or ""))
        if template.applies_to(*generated):
            raise ExpansionError(f"ExpansionTemplate {name} generates GVK {generated}, but also applies to that "
                                 "same GVK")
        return template

    def applies_to(self, group: str, version: str, kind: str) -> bool:
        return any(group in g and version in v and kind in k for g, v, k in self.apply_to)


@dataclass(frozen=True)
class Resultant:
    obj: dict[str, Any]
    template_name: str
    enforcement_action: str


class Expander:
    def __init__(self, templates: Iterable[ExpansionTemplate]) -> None:
        self.templates = tuple(templates)

    def expand(self, obj: Mapping[str, Any]) -> list[Resultant]:
        """Every object generated from `obj`, recursively (deepest last, as gator lists them)."""
        results: list[Resultant] = []
        self._expand(obj, results, 0)
        return results

    def _expand(self, obj: Mapping[str, Any], results: list[Resultant], depth: int) -> None:
        if depth >= _MAX_DEPTH:
            raise ExpansionError(f"maximum recursion depth of {_MAX_DEPTH} reached")
        gvk = group_version_kind(obj)
        if gvk == ("", "", ""):
            raise ExpansionError("cannot expand resource with empty GVK")
        produced = [Resultant(self._generate(obj, t), t.name, t.enforcement_action)
                    for t in self.templates if t.applies_to(*gvk)]
        for resultant in produced:
            self._expand(resultant.obj, results, depth + 1)
        results.extend(produced)

    @staticmethod
    def _generate(parent: Mapping[str, Any], template: ExpansionTemplate) -> dict[str, Any]:
        parent_name = name_of(parent)
        node = nested(parent, *template.template_source.split("."))
        if not isinstance(node, Mapping):
            raise ExpansionError(f"could not find source field {template.template_source!r} in resource "
                                 f"{parent_name}")
        child: dict[str, Any] = copy.deepcopy(dict(node))
        group, version, kind = template.generated
        child["apiVersion"] = f"{group}/{version}" if group else version
        child["kind"] = kind
        child_meta = dict(mapping(child.get("metadata")))
        if namespace_of(parent):
            child_meta["namespace"] = namespace_of(parent)
        child_meta["name"] = (parent_name + ("-" + kind if kind else "")).lower()
        owner = {"apiVersion": parent.get("apiVersion", ""), "kind": parent.get("kind", ""), "name": parent_name}
        refs = list(child_meta.get("ownerReferences") or [])
        complete = all(owner.values())
        if complete and not any(isinstance(r, Mapping) and all(r.get(k) == v for k, v in owner.items())
                                for r in refs):
            refs.append(owner)
            child_meta["ownerReferences"] = refs
        child["metadata"] = child_meta
        return child

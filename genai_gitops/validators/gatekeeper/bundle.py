"""A policy bundle: the ConstraintTemplates, constraints and ExpansionTemplates to evaluate.

Bundles come from policy folders laid out like the public Gatekeeper library
(`policies/<template>/template.yaml`, constraints, `suite.yaml`, `samples/`) or from the objects of
a rendered tree. In a folder, `samples` directories (test objects) and Suite files are skipped, and
any other file that holds no template, constraint or ExpansionTemplate is ignored.

Objects are keyed as Gatekeeper keys them: a template by its name (the lower-case kind), a
constraint by (kind, name), an ExpansionTemplate by name. `overlay` merges two bundles; the overlay
wins, and an object present in both with different content is reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from genai_gitops.manifests import Resource, read_paths
from genai_gitops.manifests.policies import policy_files
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.gatekeeper.engine import is_constraint
from genai_gitops.validators.gatekeeper.expansion import is_expansion_template
from genai_gitops.validators.gatekeeper.objects import name_of
from genai_gitops.validators.gatekeeper.suite import is_suite
from genai_gitops.validators.gatekeeper.template import is_template


def _template_kind(obj: Mapping[str, Any]) -> str:
    crd = ((obj.get("spec") or {}).get("crd") or {}) if isinstance(obj.get("spec"), dict) else {}
    names = ((crd.get("spec") or {}).get("names") or {}) if isinstance(crd, dict) else {}
    kind = names.get("kind") if isinstance(names, dict) else None
    return kind if isinstance(kind, str) else ""


def _comparable(obj: Mapping[str, Any]) -> Any:
    """The content that matters for evaluation: kind and spec (metadata and status do not)."""
    return obj.get("kind"), obj.get("spec")


@dataclass
class PolicyBundle:
    templates: dict[str, Resource] = field(default_factory=dict)
    constraints: dict[tuple[str, str], Resource] = field(default_factory=dict)
    expansions: dict[str, Resource] = field(default_factory=dict)
    #: files of the bundle that could not be read (YAML errors), as findings
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def from_resources(cls, resources: Iterable[Resource]) -> PolicyBundle:
        bundle = cls()
        for resource in resources:
            bundle.add(resource)
        return bundle

    def add(self, resource: Resource) -> bool:
        """Keep the resource if it is a policy object; True when it was one."""
        obj = resource.obj
        if is_template(obj):
            name, kind = name_of(obj).lower(), _template_kind(obj)
            other = self.templates.get(name) or next(
                (t for t in self.templates.values() if kind and _template_kind(t.obj) == kind), None)
            if other is not None:
                self._conflict(resource, other, f"ConstraintTemplate {name_of(obj)} defines constraint kind "
                                                f"{kind or '(none)'}, as does the ConstraintTemplate")
            self.templates[name] = resource
        elif is_constraint(obj):
            known = self.constraints.get((resource.kind, resource.name))
            if known is not None:
                self._conflict(resource, known, f"constraint {resource.kind}/{resource.name} is defined twice; "
                                                "the other copy is")
            self.constraints[(resource.kind, resource.name)] = resource
        elif is_expansion_template(obj):
            self.expansions[name_of(obj)] = resource
        else:
            return False
        return True

    def _conflict(self, resource: Resource, other: Resource, what: str) -> None:
        # the API server keeps one object per name and Gatekeeper one template per kind: which copy
        # wins depends on apply order, so neither may be trusted to be the one enforced
        self.findings.append(Finding.about(
            resource, validator="policy", rule="policy-conflict", severity=Severity.ERROR,
            message=f"{what} at {other.file}:{other.line}; only one would be enforced, and which one depends on "
                    "apply order: remove one copy or give it its own kind"))

    def __len__(self) -> int:
        return len(self.templates) + len(self.constraints) + len(self.expansions)

    def overlay(self, other: PolicyBundle, *, validator: str = "policy") -> tuple[PolicyBundle, list[Finding]]:
        """This bundle with `other`'s objects on top, and a warning for every object both hold differently."""
        merged = PolicyBundle(dict(self.templates), dict(self.constraints), dict(self.expansions),
                              [*self.findings, *other.findings])
        notes: list[Finding] = []
        parts: tuple[tuple[Mapping[Any, Resource], Mapping[Any, Resource], dict[Any, Resource], str], ...] = (
            (self.templates, other.templates, merged.templates, "ConstraintTemplate"),
            (self.constraints, other.constraints, merged.constraints, "constraint"),
            (self.expansions, other.expansions, merged.expansions, "ExpansionTemplate"))
        for mine, theirs, into, what in parts:
            for key, resource in theirs.items():
                original = mine.get(key)
                if original is not None and _comparable(original.obj) != _comparable(resource.obj):
                    notes.append(Finding.about(
                        resource, validator=validator, rule=f"{resource.kind}/{resource.name}",
                        severity=Severity.WARNING,
                        message=f"{what} {resource.name} differs from {original.file}:{original.line}; "
                                "this copy is the one evaluated"))
            into.update(theirs)
        return merged, notes


def load_policy_bundle(paths: Iterable[str | os.PathLike[str]]) -> PolicyBundle:
    """The templates, constraints and ExpansionTemplates under policy folders (Suite files skipped)."""
    manifests = read_paths(policy_files(paths))
    bundle = PolicyBundle(findings=list(manifests.findings))
    for resource in manifests.resources:
        if not is_suite(resource.obj):
            bundle.add(resource)
    return bundle

"""Schemas for Gatekeeper constraints, built from the ConstraintTemplates that define them.

Gatekeeper turns each template into a CRD whose kind is `spec.crd.spec.names.kind`: a fixed shape
(`spec.match`, `spec.enforcementAction`, `spec.scopedEnforcementActions`) plus `spec.parameters`,
which is the template's `spec.crd.spec.validation.openAPIV3Schema`. The fixed shape lives in
`schemas/crds/constraints.gatekeeper.sh_constraint-shape.json`; this module adds the parameters.

Templates are looked up in the target's own resources first (what the cluster will run), then in
the policy folders (`policies/<template>/template.yaml`), skipping `samples` folders and suites.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genai_gitops.manifests.policies import policy_files
from genai_gitops.manifests.reader import read_file
from genai_gitops.manifests.resource import Resource
from genai_gitops.validators.schema.openapi import add_preserve_unknown_fields, to_json_schema

CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
TEMPLATE_GROUP = "templates.gatekeeper.sh"
#: the versions Gatekeeper 3.23 serves constraint CRDs at (frameworks' CreateCRD): v1beta1 is the
#: storage version; there is no constraints.gatekeeper.sh/v1
SERVED_CONSTRAINT_VERSIONS = ("v1beta1", "v1alpha1")
SHAPE_ID = "https://genai-gitops.invalid/schemas/crds/constraints.gatekeeper.sh_constraint-shape.json"


@dataclass(frozen=True)
class TemplateSchema:
    """What a ConstraintTemplate says about its constraints' schema."""

    kind: str
    #: the OpenAPI v3 schema of spec.parameters, or None when the template gives none
    parameters: dict[str, Any] | None
    #: `legacySchema`: Gatekeeper keeps unknown parameters (default true for v1beta1/v1alpha1 templates)
    legacy: bool
    #: file:line of the template, for messages
    origin: str


def template_schema(resource: Resource) -> TemplateSchema | None:
    """Read a ConstraintTemplate resource; None for anything else or a template without a kind."""
    if resource.kind != "ConstraintTemplate" or resource.group != TEMPLATE_GROUP:
        return None
    spec = _mapping(resource.obj.get("spec"))
    crd_spec = _mapping(_mapping(spec.get("crd")).get("spec"))
    kind = _mapping(crd_spec.get("names")).get("kind")
    if not isinstance(kind, str) or not kind:
        return None
    validation = _mapping(crd_spec.get("validation"))
    legacy = validation.get("legacySchema")
    if not isinstance(legacy, bool):
        # the CRD defaults legacySchema to false for v1 and to true for the older versions
        legacy = not resource.api_version.endswith("/v1")
    parameters = validation.get("openAPIV3Schema")
    return TemplateSchema(kind=kind, parameters=parameters if isinstance(parameters, dict) else None,
                          legacy=legacy, origin=f"{resource.file}:{resource.line}")


def constraint_schema(template: TemplateSchema) -> dict[str, Any]:
    """The JSON Schema of the template's constraint kind (strict, like the CRD Gatekeeper creates)."""
    spec_properties: dict[str, Any] = {
        "match": {"$ref": f"{SHAPE_ID}#/$defs/match"},
        "enforcementAction": {"$ref": f"{SHAPE_ID}#/$defs/enforcementAction"},
        "scopedEnforcementActions": {"$ref": f"{SHAPE_ID}#/$defs/scopedEnforcementActions"},
    }
    parameters = template.parameters
    if parameters is None and template.legacy:
        parameters = {}
    if parameters is not None:
        if template.legacy:
            parameters = add_preserve_unknown_fields(parameters)
        spec_properties["parameters"] = to_json_schema(parameters)
    # the id names the kind and the parameter schema, so two templates with one kind but different
    # schemas (a target's and a policy folder's) never share a compiled validator
    digest = hashlib.sha256(json.dumps(spec_properties, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://genai-gitops.invalid/schemas/constraints/{template.kind}-{digest}.json",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"type": "string", "enum": [f"{CONSTRAINT_GROUP}/{v}" for v in SERVED_CONSTRAINT_VERSIONS]},
            "kind": {"type": "string", "enum": [template.kind]},
            "metadata": {"$ref": f"{SHAPE_ID}#/$defs/metadata"},
            "spec": {"type": "object", "additionalProperties": False, "properties": spec_properties},
            "status": {},
        },
    }


class ConstraintTemplates:
    """Finds the template of a constraint kind: the target's own templates, then the policy folders."""

    def __init__(self, policy_paths: Sequence[Path]) -> None:
        self.policy_paths = tuple(policy_paths)
        self._from_policies: dict[str, TemplateSchema] | None = None

    def for_target(self, resources: Iterable[Resource]) -> dict[str, TemplateSchema]:
        found = dict(self.from_policies())
        own: dict[str, TemplateSchema] = {}
        for resource in resources:
            template = template_schema(resource)
            if template is not None:
                own.setdefault(template.kind, template)
        found.update(own)
        return found

    def from_policies(self) -> dict[str, TemplateSchema]:
        if self._from_policies is None:
            found: dict[str, TemplateSchema] = {}
            for file in self._policy_files():
                # the policy validator reports unreadable or refused policy files
                for resource in read_file(file).resources:
                    template = template_schema(resource)
                    if template is not None:
                        found.setdefault(template.kind, template)
            self._from_policies = found
        return self._from_policies

    def describe_sources(self) -> str:
        if not self.policy_paths:
            return "this target (no policy folders were given)"
        return f"this target and {', '.join(str(p) for p in self.policy_paths)}"

    def _policy_files(self) -> list[str]:
        # samples hold example objects for suites (some deliberately invalid), not templates
        return [str(p) for p in policy_files(self.policy_paths)]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}

"""SchemaValidator: every object against the strict schema of its apiVersion and kind (like kubeconform).

Rules:
- `schema-missing-kind`: the object has no apiVersion or kind;
- `schema-missing`: no schema exists for its apiVersion/kind in the target's Kubernetes version, in
  the project's CRD schemas, or (for Gatekeeper constraints) in any ConstraintTemplate — never
  silently passed;
- `schema-invalid`: one finding per error, message `<dotted.path>: <what is wrong; what to do>`.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import jsonschema_rs

from genai_gitops import cache_keys
from genai_gitops.cache import files_digest
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target, Validator, WorkUnit, group_by_folder, resources_digest
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.schema.constraints import (
    CONSTRAINT_GROUP,
    SERVED_CONSTRAINT_VERSIONS,
    ConstraintTemplates,
    TemplateSchema,
    constraint_schema,
    template_schema,
)
from genai_gitops.validators.schema.messages import ErrorExplainer
from genai_gitops.validators.schema.registry import (
    K8S_DEFINITIONS_URI,
    CompiledSchema,
    MissingSchema,
    SchemaLookup,
    SchemaRegistry,
    minor_version,
    split_api_version,
)
from genai_gitops.validators.schema.structural import Memo, Shape

VALIDATOR_NAME = "schema"
_SECRET_STORE_KINDS = frozenset({"SecretStore", "ClusterSecretStore"})
_SECRET_STORE_SCHEMA = "https://genai-gitops.invalid/schemas/crds/external-secrets.io_secretstores.json"  # noqa: S105


class SchemaValidator(Validator):
    name = VALIDATOR_NAME
    options_used = ("policy_paths",)
    data_used = ("k8s_version", "cluster")

    def __init__(self, options: ValidatorOptions, registry: SchemaRegistry | None = None) -> None:
        self.options = options
        self.registry = registry or SchemaRegistry()
        self.templates = ConstraintTemplates(options.policy_paths)
        self._explainers: dict[int, ErrorExplainer] = {}
        self._policy_digest: str | None = None
        self._shapes: dict[int, Shape] = {}
        #: one memo per Kubernetes version (by its definitions document, kept alive with it): the CRD documents
        #: are shared by all versions, and their `$ref`s into the definitions resolve per version
        self._shape_memos: dict[int, tuple[object, Memo]] = {}
        self._checked_providers: frozenset[str] | None = None

    def cache_context(self, target: Target) -> str:
        return self._policies_digest()

    def plan(self, target: Target) -> list[WorkUnit]:
        """One unit per app folder: an object's verdict depends only on itself, the Kubernetes version
        and the ConstraintTemplates (of the whole target and the policy folders)."""
        sources = [r for r in target.resources if template_schema(r) is not None]
        context = cache_keys.unit_context(VALIDATOR_NAME, k8s_version=target.k8s_version,
                                          templates=resources_digest(sources), policies=self._policies_digest())
        return [WorkUnit(label=f"schema {folder}",
                         key=cache_keys.work_unit(context=context, objects=resources_digest(resources)),
                         run=partial(self._unit, target, resources, sources))
                for folder, resources in group_by_folder(target.resources).items()]

    def _unit(self, target: Target, resources: list[Resource], sources: list[Resource]) -> list[Finding]:
        return list(self.validate(replace(target, resources=resources), template_sources=sources))

    def _unsupported_version(self, target: Target) -> Finding | None:
        minor = minor_version(target.k8s_version)
        if minor is None or minor in self.registry.bundled_versions():
            return None  # a malformed version is reported per object, with what it should look like
        fix = (f"set kubernetes_version of cluster {target.cluster.name} in clusters.yaml to one of them"
               if target.cluster is not None else "validate against one of them (--k8s-version)")
        # identical for every work unit of the target, so the report keeps it once
        return Finding(file="clusters.yaml" if target.cluster is not None else "", line=None, api_version="",
                       kind="", namespace="", name="", validator=VALIDATOR_NAME, rule="schema-missing",
                       severity=Severity.ERROR,
                       message=f"no schemas are bundled for Kubernetes {minor[0]}.{minor[1]} (bundled: "
                               f"{self.registry.bundled_range()}); {fix}, or upgrade kubernetes-validate")

    def _policies_digest(self) -> str:
        if self._policy_digest is None:
            self._policy_digest = files_digest(self.options.policy_paths)
        return self._policy_digest

    def validate(self, target: Target, template_sources: Sequence[Resource] | None = None) -> Iterator[Finding]:
        """`template_sources`: where constraint kinds find their templates (default: the target itself)."""
        if target.resources and (unsupported := self._unsupported_version(target)) is not None:
            # one finding for the target, not one per object: the version is wrong, not the objects
            yield unsupported
            return
        lookups: dict[tuple[str, str], SchemaLookup] = {}
        templates: dict[str, TemplateSchema] | None = None
        for resource in target.resources:
            obj = resource.obj
            api_version, kind = obj.get("apiVersion"), obj.get("kind")
            if not api_version or not kind or not isinstance(api_version, str) or not isinstance(kind, str):
                yield self._missing_kind(resource)
                continue
            found = lookups.get((api_version, kind))
            if found is None:
                if templates is None and api_version.startswith(f"{CONSTRAINT_GROUP}/"):
                    templates = self.templates.for_target(
                        target.resources if template_sources is None else template_sources)
                found = self.schema_for(target, api_version, kind, templates)
                lookups[(api_version, kind)] = found
            if isinstance(found, MissingSchema):
                yield Finding.about(resource, validator=VALIDATOR_NAME, rule="schema-missing", message=found.reason)
                continue
            shape = self._shape(found)
            candidate, errors = self._errors(found, obj)
            if errors is None:
                yield Finding.about(resource, validator=VALIDATOR_NAME, rule="schema-invalid",
                                    message="(object): cannot be checked: a value has no JSON type")
                continue
            if errors:
                # the API server drops non-nullable nulls and applies defaults before it validates
                normalised, changed = shape.normalise(candidate)
                if changed:
                    retried, again = self._errors(found, normalised)
                    if again is not None:
                        candidate, errors = retried, again
            if errors:
                yield from self._invalid(resource, errors, found, target.k8s_version)
                continue
            for duplicate in shape.duplicates(candidate):
                yield Finding.about(resource, validator=VALIDATOR_NAME, rule="schema-invalid",
                                    message=duplicate.message)
            if kind in _SECRET_STORE_KINDS and api_version.startswith("external-secrets.io/"):
                yield from self._unchecked_providers(resource)

    def _unchecked_providers(self, resource: Resource) -> Iterator[Finding]:
        """A secret-store provider whose fields the project's schema leaves open is said so, not passed
        silently: a typo in its fields would only show when the store fails to sync."""
        if self._checked_providers is None:
            document = self.registry.crd_documents().get(_SECRET_STORE_SCHEMA, {})
            providers = (((document.get("$defs") or {}).get("SecretStoreSpec") or {}).get("properties") or {})
            nodes = (providers.get("provider") or {}).get("properties") or {}
            self._checked_providers = frozenset(name for name, node in nodes.items()
                                                if isinstance(node, dict) and node.get("additionalProperties") is False)
        spec = resource.obj.get("spec")
        provider = spec.get("provider") if isinstance(spec, dict) else None
        for name in sorted(provider) if isinstance(provider, dict) else ():
            if name not in self._checked_providers:
                checked = ", ".join(sorted(self._checked_providers)) or "none"
                yield Finding.about(resource, validator=VALIDATOR_NAME, rule="schema-unchecked-provider",
                                    severity=Severity.WARNING,
                                    message=f"spec.provider.{name}: the fields of this provider are not checked "
                                            f"(checked field by field: {checked}); review them against the External "
                                            "Secrets Operator documentation of the pinned version")

    @staticmethod
    def _errors(found: CompiledSchema, obj: Any) -> tuple[Any, list[jsonschema_rs.ValidationError] | None]:
        """(what was validated, its errors); None when the object cannot be given to the validator."""
        try:
            return obj, [] if found.validator.is_valid(obj) else list(found.validator.iter_errors(obj))
        except ValueError:
            # YAML gave a value JSON has no type for (a timestamp, a date, a non-string key);
            # Kubernetes reads such YAML as JSON strings, so validate what it would see
            converted = json_compatible(obj)
            try:
                return converted, list(found.validator.iter_errors(converted))
            except ValueError:
                return obj, None

    def _shape(self, found: CompiledSchema) -> Shape:
        shape = self._shapes.get(id(found))
        if shape is None:
            definitions = found.documents.get(K8S_DEFINITIONS_URI)
            _, memo = self._shape_memos.setdefault(id(definitions), (definitions, {}))
            shape = self._shapes[id(found)] = Shape(found.schema, found.documents, memo)
        return shape

    def schema_for(self, target: Target, api_version: str, kind: str,
                   templates: dict[str, TemplateSchema] | None = None) -> SchemaLookup:
        """The compiled schema objects of this apiVersion/kind are checked against in this target.

        `templates` (constraint kind -> template) is found from the target and the policy folders
        when not given.
        """
        if api_version.startswith(f"{CONSTRAINT_GROUP}/"):
            if templates is None:
                templates = self.templates.for_target(target.resources)
            return self._constraint_lookup(target.k8s_version, api_version, kind, templates)
        return self.registry.lookup(target.k8s_version, api_version, kind)

    # ----------------------------------------------------------------- helpers
    def _constraint_lookup(self, k8s_version: str, api_version: str, kind: str,
                           templates: dict[str, TemplateSchema]) -> SchemaLookup:
        _, version = split_api_version(api_version)
        if version not in SERVED_CONSTRAINT_VERSIONS:
            served = " and ".join(f"{CONSTRAINT_GROUP}/{v}" for v in SERVED_CONSTRAINT_VERSIONS)
            return MissingSchema(f"{api_version} is not served by Gatekeeper (it serves constraints as {served}); "
                                 f"use {CONSTRAINT_GROUP}/{SERVED_CONSTRAINT_VERSIONS[0]}")
        template = templates.get(kind)
        if template is None:
            return MissingSchema(f"no ConstraintTemplate defines the constraint kind {kind} "
                                 f"(looked in {self.templates.describe_sources()}); add the template or fix the kind")
        return self.registry.compile(k8s_version, constraint_schema(template),
                                     source=f"ConstraintTemplate at {template.origin}")

    def _invalid(self, resource: Resource, errors: list[jsonschema_rs.ValidationError],
                 compiled: CompiledSchema, k8s_version: str) -> Iterator[Finding]:
        explainer = self._explainers.get(id(compiled))
        if explainer is None:
            registry = self.registry

            def field_history(definition: str, field: str) -> str | None:
                return registry.field_history(k8s_version, definition, field)

            explainer = ErrorExplainer(compiled.schema, compiled.documents, field_history,
                                       version_label=f"Kubernetes {k8s_version}")
            self._explainers[id(compiled)] = explainer
        seen: set[str] = set()
        for error in errors:
            for message in explainer.explain(error):
                if message not in seen:
                    seen.add(message)
                    yield Finding.about(resource, validator=VALIDATOR_NAME, rule="schema-invalid", message=message)

    @staticmethod
    def _missing_kind(resource: Resource) -> Finding:
        obj = resource.obj
        absent = [f for f in ("apiVersion", "kind") if not obj.get(f)]
        wrong = [f for f in ("apiVersion", "kind") if obj.get(f) and not isinstance(obj.get(f), str)]
        if absent:
            verb = "are" if len(absent) > 1 else "is"
            message = f"{' and '.join(absent)} {verb} missing; every Kubernetes object needs both"
        else:
            message = f"{' and '.join(wrong)} must be {'strings' if len(wrong) > 1 else 'a string'}"
        return Finding(file=resource.file, line=resource.line, api_version=str(obj.get("apiVersion") or ""),
                       kind=str(obj.get("kind") or ""), namespace=resource.namespace, name=resource.name,
                       validator=VALIDATOR_NAME, rule="schema-missing-kind", severity=Severity.ERROR,
                       message=message)


def json_compatible(value: Any) -> Any:
    """A copy with YAML-only values turned into what Kubernetes' YAML-to-JSON step makes of them."""
    if isinstance(value, dict):
        return {_json_key(k): json_compatible(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_compatible(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted((json_compatible(v) for v in value), key=str)
    return value


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(json_compatible(key))


__all__ = ["SchemaValidator", "json_compatible"]

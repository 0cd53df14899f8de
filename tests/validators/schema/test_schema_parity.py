"""Verdicts must not depend on the engine: jsonschema-rs (what the validator runs) must agree with the
pure-Python `jsonschema` on the same schemas, and with kubernetes-validate's strict mode on built-in
kinds. Checked over the fixtures and over mutants of them (a field's type changed, an unknown field
added, a field removed, a string replaced), so both valid and invalid objects are compared.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import referencing
import referencing.jsonschema

from genai_gitops.manifests import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.schema import CompiledSchema, SchemaRegistry, SchemaValidator

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FOLDERS = ("valid", "invalid", "versions")
VERSIONS = ("1.25", "1.30", "1.37")


def mutants(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(description, mutated copy of the root) for every field: type swaps, unknown keys, removals."""
    root = obj

    def replaced(at: tuple[Any, ...], value: Any, remove: bool = False) -> Any:
        clone = copy.deepcopy(root)
        node = clone
        for step in at[:-1]:
            node = node[step]
        if remove:
            del node[at[-1]]
        else:
            node[at[-1]] = value
        return clone

    def walk(node: Any, at: tuple[Any, ...]) -> Iterator[tuple[str, Any]]:
        if at and at[0] in ("apiVersion", "kind"):
            return
        if isinstance(node, dict):
            if at:
                yield f"{at} + unknown field", replaced((*at, "zzUnknownField"), 1)
            for key, child in node.items():
                if at:
                    yield f"{(*at, key)} removed", replaced((*at, key), None, remove=True)
                yield from walk(child, (*at, key))
        elif isinstance(node, list):
            if at:
                yield f"{at} -> object", replaced(at, {"a": 1})
            for index, child in enumerate(node):
                yield from walk(child, (*at, index))
        elif isinstance(node, bool):
            yield f"{at} -> string", replaced(at, "true")
        elif isinstance(node, int | float):
            yield f"{at} -> string", replaced(at, str(node))
            yield f"{at} -> null", replaced(at, None)
        elif isinstance(node, str):
            yield f"{at} -> number", replaced(at, 7)
            yield f"{at} -> other string", replaced(at, "Not-A-Known-Value")
            yield f"{at} -> list", replaced(at, [node])

    yield "unchanged", copy.deepcopy(root)
    yield from walk(root, path)


def cases(registry: SchemaRegistry) -> Iterator[tuple[str, str, dict[str, Any], CompiledSchema]]:
    """(k8s version, description, object, compiled schema) for every fixture object and mutant."""
    validator = SchemaValidator(ValidatorOptions(policy_paths=(FIXTURES / "policies",)), registry=registry)
    manifests = read_paths([FIXTURES / folder for folder in FIXTURE_FOLDERS])
    for version in VERSIONS:
        target = Target(name="parity", k8s_version=version, resources=manifests.resources)
        for resource in manifests.resources:
            found = validator.schema_for(target, resource.api_version, resource.kind) if resource.kind else None
            if not isinstance(found, CompiledSchema):
                continue
            for description, mutant in mutants(resource.obj):
                yield version, f"{Path(resource.file).name} {resource.kind} {description}", mutant, found


@pytest.fixture(scope="module")
def all_cases(schema_registry: SchemaRegistry) -> list[tuple[str, str, dict[str, Any], CompiledSchema]]:
    return list(cases(schema_registry))


def python_validator(compiled: CompiledSchema, memo: dict[int, Any]) -> jsonschema.protocols.Validator:
    found = memo.get(id(compiled))
    if found is None:
        resources = [(uri, referencing.Resource.from_contents(doc)) for uri, doc in compiled.documents.items()]
        registry: referencing.Registry[Any] = referencing.Registry().with_resources(resources)
        found = jsonschema.Draft202012Validator(compiled.schema, registry=registry)
        memo[id(compiled)] = found
    return found


def test_there_are_enough_cases_of_both_kinds(all_cases):
    verdicts = [compiled.validator.is_valid(obj) for _, _, obj, compiled in all_cases]
    assert verdicts.count(True) >= 100
    assert verdicts.count(False) >= 1000
    kinds = {obj["kind"] for _, _, obj, _ in all_cases}
    assert {"Deployment", "ExternalSecret", "Application", "ApplicationSet", "GenaiRequiredLabels",
            "ServiceMonitor", "Certificate", "ClusterIssuer", "ConstraintTemplate"} <= kinds


def test_jsonschema_rs_and_python_jsonschema_agree(all_cases):
    memo: dict[int, Any] = {}
    disagreements = []
    for version, description, obj, compiled in all_cases:
        rust = compiled.validator.is_valid(obj)
        python = python_validator(compiled, memo).is_valid(obj)
        if rust != python:
            disagreements.append(f"{version} {description}: jsonschema-rs={rust} jsonschema={python}")
    assert disagreements == []


def test_builtin_kinds_agree_with_kubernetes_validate_strict(all_cases):
    # kubernetes-validate takes ~8 ms per object (it re-reads its definitions every call): every
    # mutant for one version, the unchanged fixtures for the others
    builtin = [case for case in all_cases if case[3].source.startswith("Kubernetes ")
               and (case[0] == "1.30" or case[1].endswith(" unchanged"))]
    assert len(builtin) > 300
    disagreements = []
    for version, description, obj, compiled in builtin:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
            reference = True
        except kubernetes_validate.ValidationError:
            reference = False
        ours = compiled.validator.is_valid(obj)
        if ours != reference:
            disagreements.append(f"{version} {description}: ours={ours} kubernetes-validate={reference}")
    assert disagreements == []

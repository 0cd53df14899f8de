"""Shared fixtures for the schema validator tests: one SchemaRegistry for the session (it caches
compiled schemas, as a real run does) and a helper that validates fixture files as one target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from genai_gitops.manifests import read_paths
from genai_gitops.report.finding import Finding
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.schema import SchemaRegistry, SchemaValidator

FIXTURES = Path(__file__).parent / "fixtures"
POLICIES = FIXTURES / "policies"

Validate = Callable[..., list[Finding]]


@pytest.fixture(scope="session")
def schema_registry() -> SchemaRegistry:
    return SchemaRegistry()


@pytest.fixture
def validate(schema_registry: SchemaRegistry) -> Validate:
    """validate(*fixture paths, k8s_version="1.30", policy_paths=(POLICIES,)) -> findings."""

    def run(*paths: str | Path, k8s_version: str = "1.30",
            policy_paths: Sequence[Path] = (POLICIES,)) -> list[Finding]:
        manifests = read_paths([FIXTURES / p for p in paths])
        assert not manifests.findings, manifests.findings
        assert manifests.resources, f"no resources in {paths}"
        validator = SchemaValidator(ValidatorOptions(policy_paths=tuple(policy_paths)), registry=schema_registry)
        return list(validator.validate(Target(name="test", k8s_version=k8s_version, resources=manifests.resources)))

    return run

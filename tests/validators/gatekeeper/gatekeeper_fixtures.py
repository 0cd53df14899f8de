"""Objects and paths the Gatekeeper engine tests build on (imported by the tests; not a conftest,
so the name never collides with another folder's conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
POLICIES = FIXTURES / "policies"


def load_one(relative: str) -> dict[str, Any]:
    """The single object of a fixture file."""
    [doc] = [d for d in yaml.safe_load_all((FIXTURES / relative).read_text()) if d]
    return doc


def constraint(kind: str, name: str = "test", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": kind, "metadata": {"name": name},
            "spec": spec}


def pod(name: str = "web", namespace: str | None = "tenant-a", labels: dict[str, str] | None = None,
        **spec: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    if labels is not None:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def namespace(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def template(kind: str, rego: str, *, version: str | None = None, libs: list[str] | None = None,
             schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ConstraintTemplate object; `version` puts the Rego in a `code:` block."""
    target: dict[str, Any] = {"target": "admission.k8s.gatekeeper.sh"}
    if version is None:
        target["rego"] = rego
        if libs:
            target["libs"] = libs
    else:
        source: dict[str, Any] = {"rego": rego, "version": version}
        if libs:
            source["libs"] = libs
        target["code"] = [{"engine": "Rego", "source": source}]
    crd: dict[str, Any] = {"names": {"kind": kind}}
    if schema is not None:
        crd["validation"] = {"openAPIV3Schema": schema}
    return {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate",
            "metadata": {"name": kind.lower()}, "spec": {"crd": {"spec": crd}, "targets": [target]}}

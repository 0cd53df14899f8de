"""An Application as the delivery checks see it, and the fields of its spec they read.

Manifests are user input and may be malformed anywhere: every accessor answers something empty
rather than fail on a field of the wrong type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genai_gitops.report.finding import Finding


@dataclass
class AppView:
    """A previewed Application, or an Application shipped as an object, with what the checks need."""

    name: str
    project: str
    spec: Mapping[str, Any]
    wave: int
    #: where findings about the Application itself point
    anchor: Finding
    #: the inventory cluster its folder belongs to (dist/<cluster>/...), if any
    owner: str | None


def mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else {}: manifests are user input and may be malformed anywhere."""
    return value if isinstance(value, Mapping) else {}


def sources_of(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An Application's `spec.sources`, or its `spec.source`."""
    if isinstance(spec.get("sources"), list):
        return [s for s in spec["sources"] if isinstance(s, Mapping)]
    return [spec["source"]] if isinstance(spec.get("source"), Mapping) else []


def destination_of(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(spec.get("destination"))


def creates_namespace(spec: Mapping[str, Any]) -> bool:
    policy = mapping(spec.get("syncPolicy"))
    return "CreateNamespace=true" in (policy.get("syncOptions") or [])


def chart_of(view: AppView) -> str:
    source = mapping(view.spec.get("source"))
    url = str(source.get("repoURL") or "")
    if not source.get("chart") and url.startswith("oci://"):
        return url.rstrip("/").rsplit("/", 1)[-1]  # Argo CD's OCI source: the artifact is the chart
    return str(source.get("chart") or "")

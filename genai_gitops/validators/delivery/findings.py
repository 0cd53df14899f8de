"""Where a delivery finding points, and which inventory cluster it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from genai_gitops.manifests import Resource
from genai_gitops.report.finding import Finding, Severity

NAME = "delivery"
#: Argo CD's own CRDs: installed with Argo CD, where its Applications and AppProjects live
ARGOCD_GROUP = "argoproj.io"


@dataclass(frozen=True)
class Located:
    """A finding and the inventory cluster it belongs to (None: the repository as a whole)."""

    cluster: str | None
    finding: Finding


def anchor(res: Resource) -> Finding:
    """Where a finding about `res` points (rule and message to be filled in)."""
    return Finding.about(res, validator=NAME, rule="", message="")


def describe(anchor: Finding) -> str:
    """`Resource.describe()` of the object an anchor points to."""
    return f"{anchor.kind} {anchor.namespace}/{anchor.name}" if anchor.namespace else f"{anchor.kind} {anchor.name}"


def file_finding(file: str, rule: str, message: str) -> Finding:
    """A finding about a file or folder as a whole (no object, no line)."""
    return Finding(file=file, line=None, api_version="", kind="", namespace="", name="", validator=NAME,
                   rule=rule, severity=Severity.ERROR, message=message)


def finding_at(anchor: Finding, rule: str, message: str) -> Finding:
    """A finding pointing where `anchor` points."""
    return Finding(file=anchor.file, line=anchor.line, api_version=anchor.api_version, kind=anchor.kind,
                   namespace=anchor.namespace, name=anchor.name, validator=NAME, rule=rule,
                   severity=Severity.ERROR, message=message)

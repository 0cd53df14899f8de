"""A small report with one of everything the writers must present."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.run import CheckedObject, Report, ValidatorRun
from genai_gitops.report.section import Section


def finding(file: str = "dist/eu-1/acme/deploy.yaml", line: int | None = 12, *, kind: str = "Deployment",
            namespace: str = "tenant-acme", name: str = "litellm", validator: str = "schema",
            rule: str = "required", severity: Severity = Severity.ERROR,
            message: str = "spec.template is required", source: str = "", suppressed: str = "") -> Finding:
    return Finding(file=file, line=line, api_version="apps/v1" if kind else "", kind=kind, namespace=namespace,
                   name=name, validator=validator, rule=rule, severity=severity, message=message, source=source,
                   suppressed=suppressed)


@pytest.fixture
def make_finding() -> Callable[..., Finding]:
    """finding(...) with defaults for every field: tests spell out only what they are about."""
    return finding


@pytest.fixture
def sample_report() -> Report:
    return Report(
        findings=(
            finding(),
            finding(line=30, kind="Service", rule="enum", message="spec.type must be one of ClusterIP"),
            finding(file="dist/eu-1/acme/svc.yaml", line=4, kind="Service", validator="policy",
                    rule="k8srequiredlabels", severity=Severity.WARNING, message="missing label team"),
            finding(file="dist/eu-1/ns.yaml", line=1, kind="Namespace", namespace="", name="tenant-acme",
                    validator="capacity", rule="headroom", severity=Severity.INFO, message="GPU quota 50% used"),
            finding(file="dist/broken.yaml", line=3, kind="", namespace="", name="", validator="parse",
                    rule="yaml-syntax", message="invalid YAML: did not find expected ',' or ']'"),
        ),
        sections=(Section(title="Quota headroom", headers=("tenant", "cpu", "gpu"),
                          rows=(("acme", "4", "1"), ("globex-long-name", "16", "0"))),),
        runs=(ValidatorRun("parse", 0.01, resources=5), ValidatorRun("schema", 0.25, resources=5),
              ValidatorRun("policy", 1.5, resources=5), ValidatorRun("capacity", 0.002, resources=5)),
        files=("dist/eu-1/acme/deploy.yaml", "dist/eu-1/acme/svc.yaml", "dist/eu-1/ns.yaml", "dist/broken.yaml",
               "dist/eu-1/clean.yaml"),
        resources=5,
        seconds=1.8,
        targets=("dist",),
        objects=(CheckedObject("dist/eu-1/acme/deploy.yaml", 1, "Deployment", "tenant-acme", "litellm"),
                 CheckedObject("dist/eu-1/acme/deploy.yaml", 25, "Service", "tenant-acme", "litellm"),
                 CheckedObject("dist/eu-1/acme/svc.yaml", 1, "Service", "tenant-acme", "litellm"),
                 CheckedObject("dist/eu-1/ns.yaml", 1, "Namespace", "", "tenant-acme"),
                 CheckedObject("dist/eu-1/clean.yaml", 1, "ConfigMap", "tenant-acme", "settings")),
    )

"""Inline suppression: an ignore-check annotation with a reason, counted apart in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genai_gitops.cli import main
from genai_gitops.report.rules import RuleRegistry
from genai_gitops.report.suppression import Suppressions, annotation_name, rule_id_of
from genai_gitops.validation import validate_paths

SERVICES = """\
apiVersion: v1
kind: Service
metadata:
  name: legacy
  namespace: tenant-acme
  annotations:
    ignore-check.genai-gitops.io/refs.dangling-service: "endpoints come from a manual EndpointSlice (PLAT-7)"
spec:
  selector: {app: ghost}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: lazy
  namespace: tenant-acme
  annotations:
    ignore-check.genai-gitops.io/refs.dangling-service: " "
    ignore-check.genai-gitops.io/refs.no-such-rule: "typo"
    ignore-check.genai-gitops.io/isolation.cross-tenant-flow: "we share a cache"
    ignore-check.genai-gitops.io/policy.K8sNoInlineSecrets.no-inline-secrets: "just this once"
    ignore-check.genai-gitops.io/refs.missing-secret: "nothing to silence"
    ignore-check.genai-gitops.io/capacity.quota-exceeded: "capacity did not run"
spec:
  selector: {app: ghost}
  ports: [{port: 80}]
"""
DANGLING = ("selector app=ghost matches no pod template in namespace tenant-acme, so the Service has no endpoints; "
            "match the labels of one of: none")


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    (tmp_path / "svc.yaml").write_text(SERVICES)
    return tmp_path


def test_rule_ids_and_annotation_names() -> None:
    assert rule_id_of("capacity.quota-exceeded") == "capacity/quota-exceeded"
    assert rule_id_of("policy.K8sTrustedImages.trusted-images") == "policy/K8sTrustedImages/trusted-images"
    assert rule_id_of("checkov.CKV_K8S_21") == "checkov/CKV_K8S_21"
    assert annotation_name("policy/K8sTrustedImages/trusted-images") == \
        "ignore-check.genai-gitops.io/policy.K8sTrustedImages.trusted-images"


def test_a_reasoned_annotation_suppresses_and_bad_ones_are_findings(manifests: Path) -> None:
    report = validate_paths([manifests], k8s_version="1.30", validator_names=["refs"])
    file = str(manifests / "svc.yaml")
    got = [(f.line, f.name, f"{f.validator}/{f.rule}", f.severity.value, f.suppressed, f.message)
           for f in report.findings]
    assert got == [
        (1, "legacy", "refs/dangling-service", "error", "endpoints come from a manual EndpointSlice (PLAT-7)",
         DANGLING),
        (12, "lazy", "refs/dangling-service", "error", "", DANGLING),
        (12, "lazy", "suppression/missing-reason", "error", "",
         "annotation ignore-check.genai-gitops.io/refs.dangling-service gives no reason; write why the rule does "
         "not apply here as its value"),
        (12, "lazy", "suppression/not-suppressible", "error", "",
         "annotation ignore-check.genai-gitops.io/isolation.cross-tenant-flow: isolation/cross-tenant-flow cannot "
         "be suppressed (it protects every tenant); fix the finding instead"),
        (12, "lazy", "suppression/not-suppressible", "error", "",
         "annotation ignore-check.genai-gitops.io/policy.K8sNoInlineSecrets.no-inline-secrets: "
         "policy/K8sNoInlineSecrets/no-inline-secrets cannot be suppressed (it protects every tenant); fix the "
         "finding instead"),
        (12, "lazy", "suppression/unknown-rule", "error", "",
         "annotation ignore-check.genai-gitops.io/refs.no-such-rule: no rule refs/no-such-rule; "
         "`genai-gitops rules list` shows the ids (write `/` as `.`)"),
        # capacity did not run: its suppression is not called unused
        (12, "lazy", "suppression/unused", "warning", "",
         "annotation ignore-check.genai-gitops.io/refs.missing-secret suppresses nothing: refs/missing-secret "
         "reports no finding on this object; remove it"),
    ]
    assert all(f.file == file for f in report.findings)
    counts = report.counts
    assert (counts.errors, counts.warnings, counts.suppressed) == (5, 1, 1)
    assert report.summary().startswith("5 errors, 1 warning, 1 suppressed in 1 file (2 resources)")


def test_a_run_whose_only_finding_is_suppressed_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "svc.yaml").write_text(SERVICES.split("---\n")[0])
    assert main(["validate", str(tmp_path), "--only", "refs", "--output", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["errors"] == 0 and data["summary"]["suppressed"] == 1
    assert data["findings"][0]["suppressed"] == "endpoints come from a manual EndpointSlice (PLAT-7)"
    assert main(["validate", str(tmp_path), "--only", "refs"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[2] == "     suppressed: endpoints come from a manual EndpointSlice (PLAT-7)"
    assert text[-1].startswith("0 errors, 0 warnings, 1 suppressed in 1 file (1 resource)")
    assert main(["validate", str(tmp_path), "--only", "refs", "--output", "markdown"]) == 0
    assert "| 🔕 suppressed error | " in capsys.readouterr().out


def test_suppressions_round_trip_through_the_cache_format() -> None:
    objects = [("a.yaml", 3, {"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": "x", "namespace": "n", "annotations": {
            "ignore-check.genai-gitops.io/refs.dangling-service": "why", "ignore-check.genai-gitops.io/x.y": ""}}})]
    found = Suppressions.read(objects, RuleRegistry.default())
    again = Suppressions.from_dict(json.loads(json.dumps(found.to_dict())))
    assert again == found and len(again.valid) == 1 and [p.rule for p in again.problems] == ["unknown-rule"]

"""`genai-gitops validate` on deliberately broken manifests: the exact rule and file in the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genai_gitops.cli import main

FIXTURES = Path(__file__).parent / "fixtures/broken"


def report(capsys, repo: Path, name: str) -> list[dict]:
    path = str(FIXTURES / name)
    code = main(["validate", path, "--policies", str(repo / "policies"), "--only", "schema,policy",
                 "--output", "json"])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert code == (1 if found else 0)
    assert all(f["file"] == path for f in found)
    return found


def test_the_unbroken_original_passes(capsys, repo: Path) -> None:
    assert report(capsys, repo, "base-deployment.yaml") == []


@pytest.mark.parametrize(("name", "validator", "rule", "message"), [
    ("typo-field.yaml", "schema", "schema-invalid", "spec.replica: unknown field 'replica'; did you mean 'replicas'?"),
    ("wrong-type.yaml", "schema", "schema-invalid",
     "spec.replicas: must be an integer, not the string '1'; write the number without quotes"),
    ("unknown-kind.yaml", "schema", "schema-missing", "no schema for example.com/v1 Widget"),
    ("latest-image.yaml", "policy", "K8sTrustedImages/trusted-images", 'with the mutable tag "latest"'),
    ("missing-limits.yaml", "policy", "K8sRequiredResources/required-resources", "sets no limits.memory"),
    ("root.yaml", "policy", "K8sRestrictedPodSecurity/restricted-pod-security", "must not set runAsUser: 0 (root)"),
    ("plaintext-secret.yaml", "policy", "K8sNoInlineSecrets/no-inline-secrets",
     "Secret demo/db carries values in stringData"),
    ("duplicate-host.yaml", "policy", "K8sUniqueIngressHost/unique-ingress-host",
     'host "chat.example.com" is already served by Ingress'),
    ("bad-constraint.yaml", "schema", "schema-invalid", "spec.parameters.repositories: must be a list"),
    ("syntax-error.yaml", "parse", "yaml-syntax", "invalid YAML"),
])
def test_each_defect_is_reported(capsys, repo: Path, name: str, validator: str, rule: str, message: str) -> None:
    found = report(capsys, repo, name)
    assert any(f["validator"] == validator and f["rule"] == rule and message in f["message"] for f in found), found


def test_both_ingresses_of_a_duplicate_host_are_named(capsys, repo: Path) -> None:
    found = [f for f in report(capsys, repo, "duplicate-host.yaml") if f["rule"].startswith("K8sUniqueIngressHost")]
    assert sorted((f["namespace"], f["name"], f["line"]) for f in found) == [("demo", "web", 1), ("other", "copy", 12)]

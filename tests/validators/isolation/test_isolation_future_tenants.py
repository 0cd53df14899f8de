"""Hole 8: whole-namespace selectors and namespaces that do not exist yet are cross-tenant findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from isolation_fixtures import cluster_target, isolation, write
from own_platform import CLUSTER, OWN_DATABASES, synthesised

NOTE_PROBE = " (new-tenant-probe stands for any tenant added later)"
NOTE_UMBRELLA = " (tenant-umbrella does not exist yet: the rule admits that tenant the day it is onboarded)"


def _cross_tenant(tmp_path: Path, rule: str) -> list[tuple[str, str, str]]:
    platform, folder = synthesised(tmp_path, OWN_DATABASES)
    types = "Ingress" if rule.startswith("ingress") else "Egress"
    path = write(folder / "tenant-alpha-guardrails" / "NetworkPolicy-extra.yaml", f"""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {{name: extra, namespace: tenant-alpha}}
        spec:
          podSelector: {{matchLabels: {{app.kubernetes.io/name: open-webui}}}}
          policyTypes: [{types}]
          {rule}
        """)
    findings = isolation(cluster_target(folder, platform, CLUSTER))
    assert {f.file for f in findings} == {str(path)}
    return [(f.rule, f.name, f.message) for f in findings if f.rule == "cross-tenant-flow"]


def _between(flow: str, other: str, note: str) -> tuple[str, str, str]:
    return ("cross-tenant-flow", "extra", f"{flow} allowed by NetworkPolicy tenant-alpha/extra: traffic between "
                                         f"tenant namespaces tenant-alpha and {other} is never allowed{note}")


@pytest.mark.parametrize("peer", ["{namespaceSelector: {}}", "{namespaceSelector: {}, podSelector: {}}",
                                  "{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, "
                                  "operator: NotIn, values: [kube-system]}]}}"])
def test_every_namespace(tmp_path: Path, peer: str) -> None:
    rule = f"egress:\n            - to: [{peer}]\n              ports: [{{port: 11434}}]"
    assert _cross_tenant(tmp_path, rule) == [_between(
        "tenant-alpha/open-webui -> new-tenant-probe/any-pod, tenant-beta/any-pod:11434", "tenant-beta", NOTE_PROBE)]


def test_every_namespace_with_a_pod_label(tmp_path: Path) -> None:
    rule = ("egress:\n            - to: [{namespaceSelector: {}, podSelector: {matchLabels: "
            "{app.kubernetes.io/name: qdrant}}}]\n              ports: [{port: 6333}]")
    assert _cross_tenant(tmp_path, rule) == [_between(
        "tenant-alpha/open-webui -> new-tenant-probe/qdrant, tenant-beta/qdrant:6333", "tenant-beta", NOTE_PROBE)]


@pytest.mark.parametrize(("selector", "flow"), [
    ("{matchLabels: {kubernetes.io/metadata.name: tenant-umbrella}}",
     "tenant-alpha/open-webui -> tenant-umbrella/any-pod:11434"),
    ("{matchLabels: {genai-gitops.io/tenant: umbrella}}", "tenant-alpha/open-webui -> tenant-umbrella/any-pod:11434"),
    ("{matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [tenant-umbrella]}]}",
     "tenant-alpha/open-webui -> tenant-umbrella/any-pod:11434"),
])
def test_a_tenant_not_onboarded_yet(tmp_path: Path, selector: str, flow: str) -> None:
    rule = f"egress:\n            - to: [{{namespaceSelector: {selector}}}]\n              ports: [{{port: 11434}}]"
    assert _cross_tenant(tmp_path, rule) == [_between(flow, "tenant-umbrella", NOTE_UMBRELLA)]


def test_ingress_from_a_tenant_not_onboarded_yet(tmp_path: Path) -> None:
    rule = ("ingress:\n            - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: "
            "tenant-umbrella}}, podSelector: {matchLabels: {app.kubernetes.io/name: open-webui}}}]\n"
            "              ports: [{port: 8080}]")
    assert _cross_tenant(tmp_path, rule) == [_between(
        "tenant-umbrella/open-webui -> tenant-alpha/open-webui:8080", "tenant-umbrella", NOTE_UMBRELLA)]


def test_a_future_namespace_is_not_taken_for_an_existing_one(tmp_path: Path) -> None:
    # the platform's own generated policies name only existing namespaces: nothing is invented for them
    platform, folder = synthesised(tmp_path, OWN_DATABASES)
    assert isolation(cluster_target(folder, platform, CLUSTER)) == []

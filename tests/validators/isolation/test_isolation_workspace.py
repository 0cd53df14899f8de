"""What each tenant's analysis sees: its pods and policies, stand-ins for everything else."""

from __future__ import annotations

from pathlib import Path

from isolation_fixtures import write

from genai_gitops.manifests import read_paths
from genai_gitops.model.loader import Platform
from genai_gitops.validators.isolation.workspace import PROBE_NAMESPACE, Origin, build_workspaces

TWO_TENANTS = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: tenant-a, labels: {genai-gitops.io/tenant: a}}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: tenant-b, labels: {genai-gitops.io/tenant: b, team: blue}}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: tenant-a}
    spec:
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec: {containers: [{name: db, image: "postgres:16.4", ports: [{name: sql, containerPort: 5432}]}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: secret-app, namespace: tenant-b}
    spec:
      selector: {matchLabels: {app: secret-app}}
      template:
        metadata: {labels: {app: secret-app}}
        spec: {containers: [{name: app, image: "busybox:1.36"}]}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: reach-out, namespace: tenant-a}
    spec:
      podSelector: {matchLabels: {app: web}}
      egress:
        - to: [{namespaceSelector: {matchLabels: {team: blue}}, podSelector: {matchLabels: {app: qdrant}}}]
"""


def test_pods_policies_and_stand_ins(tmp_path: Path) -> None:
    write(tmp_path / "objects.yaml", TWO_TENANTS)
    subjects = build_workspaces(read_paths([tmp_path]).resources)
    assert [s.namespace for s in subjects] == ["tenant-a", "tenant-b"]
    subject = subjects[0]
    pods = {(p.namespace, p.name): p for p in subject.workspace.pods}
    # the StatefulSet's template, with its named port; the policy's selector gets a stand-in
    assert pods[("tenant-a", "db")].ports == (("sql", 5432, "TCP"),)
    assert pods[("tenant-a", "db")].origin is Origin.WORKLOAD
    assert pods[("tenant-a", "web")].origin is Origin.POLICY
    assert subject.workloads["db"].kind == "StatefulSet"
    # another tenant: what it runs is replaced by what it could run (one pod, plus what a selector reaches)
    assert ("tenant-b", "secret-app") not in pods
    assert pods[("tenant-b", "any-pod")].origin is Origin.REPRESENTATIVE
    assert pods[("tenant-b", "qdrant")].label_map == {"app": "qdrant"}
    assert (PROBE_NAMESPACE, "any-pod") in pods and (PROBE_NAMESPACE, "qdrant") not in pods  # not team blue
    # shared peers the graph names
    assert {("envoy-gateway-system", "envoy"), ("monitoring", "prometheus"), ("kube-system", "kube-dns")} <= set(pods)
    assert [p.name for p in subject.workspace.policies] == ["reach-out"]
    assert subject.workspace.tenant_namespaces == {"tenant-b", PROBE_NAMESPACE}
    assert subject.declared is None


def test_declared_workloads_and_peers_from_the_data(synthesized: Path, platform: Platform) -> None:
    cluster = platform.cluster("customer-eu-1")
    subjects = build_workspaces(read_paths([synthesized / "dist" / cluster.name]).resources,
                                tenants=platform.tenants_on(cluster.name), cluster=cluster,
                                inventory=platform.inventory)
    acme = next(s for s in subjects if s.tenant == "acme")
    assert acme.declared is not None and acme.spec is not None
    names = {p.name for p in acme.workspace.subject_pods}
    assert {"open-webui", "redis", "ollama", "qdrant", "mcp-jira"} <= names
    ingress = cluster.capabilities.ingress.controller_namespace
    assert any(p.namespace == ingress for p in acme.workspace.pods)
    # the namespace keeps its real labels (Pod Security, tenant) and the name label the API server adds
    namespace = next(n for n in acme.workspace.namespaces if n.name == "tenant-acme")
    assert namespace.label_map["kubernetes.io/metadata.name"] == "tenant-acme"
    assert namespace.tenant == "acme"

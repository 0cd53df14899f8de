"""The refs validator on real manifests: a valid tenant tree, and copies of it with one defect each.

fixtures/refs/baseline/ is a cluster's tree (cluster-config/, tenant-acme/, tenant-acme-guardrails/);
fixtures/refs/defects/<defect>/ holds the one file that differs, laid over a copy of the baseline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genai_gitops.manifests import read_paths, read_text
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target
from genai_gitops.validators.capacity import CapacityValidator
from genai_gitops.validators.refs import RefsValidator
from genai_gitops.validators.registry import VALIDATORS, ValidatorOptions, build_validators

FIXTURES = Path(__file__).parent / "fixtures" / "refs"
BASELINE = FIXTURES / "baseline"
DEFECTS = FIXTURES / "defects"


def tree_with(defect: str | None, tmp_path: Path) -> Path:
    """A copy of the baseline with the defect's file(s) laid over it."""
    tree = tmp_path / "dist" / "customer-eu-1"
    shutil.copytree(BASELINE, tree)
    if defect is not None:
        shutil.copytree(DEFECTS / defect, tree, dirs_exist_ok=True)
    return tree


def validate(tree: Path) -> list[Finding]:
    manifests = read_paths([tree])
    assert manifests.findings == []
    target = Target(name="customer-eu-1", k8s_version="1.31", resources=manifests.resources)
    return list(RefsValidator(ValidatorOptions()).validate(target))


def test_the_baseline_has_no_findings_from_refs_or_capacity(tmp_path):
    tree = tree_with(None, tmp_path)
    target = Target(name="customer-eu-1", k8s_version="1.31", resources=read_paths([tree]).resources)
    assert list(RefsValidator(ValidatorOptions()).validate(target)) == []
    assert list(CapacityValidator(ValidatorOptions()).validate(target)) == []


def test_both_validators_are_registered():
    assert {"refs", "capacity"} <= set(VALIDATORS)
    assert [v.name for v in build_validators(["refs", "capacity"], ValidatorOptions())] == ["refs", "capacity"]


# defect folder -> (rule, file of the finding, kind/name it is about)
CASES = {
    "dangling-service": ("dangling-service", "tenant-acme/Service-open-webui.yaml", "Service/open-webui"),
    "dangling-ingress": ("dangling-ingress", "tenant-acme/Ingress-open-webui.yaml", "Ingress/open-webui"),
    "dangling-horizontalpodautoscaler": ("dangling-horizontalpodautoscaler",
                                         "tenant-acme/HorizontalPodAutoscaler-open-webui.yaml",
                                         "HorizontalPodAutoscaler/open-webui"),
    "missing-secret-key": ("missing-secret-key", "tenant-acme/Deployment-open-webui.yaml", "Deployment/open-webui"),
    "missing-secret": ("missing-secret", "tenant-acme/Deployment-open-webui.yaml", "Deployment/open-webui"),
    "missing-configmap-key": ("missing-configmap-key", "tenant-acme/Deployment-open-webui.yaml",
                              "Deployment/open-webui"),
    "missing-configmap": ("missing-configmap", "tenant-acme/Deployment-open-webui.yaml", "Deployment/open-webui"),
    "unknown-secret-store": ("unknown-secret-store", "tenant-acme/ExternalSecret-open-webui.yaml",
                             "ExternalSecret/open-webui"),
    "unknown-secret-store-condition": ("unknown-secret-store", "tenant-acme/ExternalSecret-litellm-key.yaml",
                                       "ExternalSecret/litellm-key"),
    "readiness-port": ("readiness-port", "tenant-acme/Deployment-open-webui.yaml", "Deployment/open-webui"),
    "startup-port": ("startup-port", "tenant-acme/Deployment-open-webui.yaml", "Deployment/open-webui"),
    "dangling-networkpolicy": ("dangling-networkpolicy", "tenant-acme-guardrails/NetworkPolicy-allow-open-webui.yaml",
                               "NetworkPolicy/allow-open-webui"),
    "dangling-networkpolicypeer-podselector": ("dangling-networkpolicypeer-podselector",
                                               "tenant-acme-guardrails/NetworkPolicy-allow-qdrant.yaml",
                                               "NetworkPolicy/allow-qdrant"),
    "non-existent-service-account": ("non-existent-service-account", "tenant-acme/Deployment-open-webui.yaml",
                                     "Deployment/open-webui"),
    "mismatching-selector": ("mismatching-selector", "tenant-acme/StatefulSet-qdrant.yaml", "StatefulSet/qdrant"),
    "missing-pvc": ("missing-pvc", "tenant-acme/Deployment-open-webui.yaml", "Deployment/open-webui"),
    "missing-volume": ("missing-volume", "tenant-acme/Deployment-open-webui.yaml", "Deployment/open-webui"),
    "dangling-servicemonitor": ("dangling-servicemonitor", "tenant-acme/ServiceMonitor-open-webui.yaml",
                                "ServiceMonitor/open-webui"),
    "dangling-pdb": ("dangling-pdb", "tenant-acme/PodDisruptionBudget-open-webui.yaml",
                     "PodDisruptionBudget/open-webui"),
    "invalid-target-ports": ("invalid-target-ports", "tenant-acme/Service-qdrant.yaml", "Service/qdrant"),
}


def test_every_defect_folder_is_a_one_line_change_of_the_baseline():
    assert sorted(p.name for p in DEFECTS.iterdir()) == sorted(CASES)
    for overlay in DEFECTS.rglob("*.yaml"):
        original = BASELINE.joinpath(*overlay.relative_to(DEFECTS).parts[1:])
        before, after = original.read_text().splitlines(), overlay.read_text().splitlines()
        assert len(before) == len(after)
        assert sum(a != b for a, b in zip(before, after, strict=True)) == 1, overlay


@pytest.mark.parametrize("defect", sorted(CASES))
def test_one_defect_one_finding_on_the_object_that_holds_it(defect, tmp_path):
    rule, file, about = CASES[defect]
    tree = tree_with(defect, tmp_path)
    findings = validate(tree)
    assert [(f.rule, f.file, f"{f.kind}/{f.name}", f.namespace) for f in findings] == [
        (rule, str(tree / file), about, "tenant-acme")]
    assert findings[0].validator == "refs"
    assert findings[0].line == 1


def test_a_secret_key_the_external_secret_does_not_produce_names_what_it_does(tmp_path):
    [finding] = validate(tree_with("missing-secret-key", tmp_path))
    assert finding.message == (
        'container "open-webui" env OPENAI_API_KEY: secret "open-webui" has no key "api-key"; '
        "ExternalSecret tenant-acme/open-webui produces: database-url, secret-key; "
        "add it to the ExternalSecret's spec.data (secretKey) or use one of those keys")


def test_an_ingress_to_a_missing_service_port_lists_the_ports_there_are(tmp_path):
    [finding] = validate(tree_with("dangling-ingress", tmp_path))
    assert finding.message == ("rule chat.acme.example.com/: backend port 8080 is not a port of Service "
                               "tenant-acme/open-webui (ports: http=80); use one of its port numbers or names")


def test_an_hpa_on_a_missing_deployment_suggests_the_near_miss(tmp_path):
    [finding] = validate(tree_with("dangling-horizontalpodautoscaler", tmp_path))
    assert finding.message == ('scaleTargetRef Deployment "openwebui" not found in namespace tenant-acme; '
                               'point it at an existing workload (did you mean "open-webui"?)')


def test_a_missing_configmap_key_lists_the_keys_there_are(tmp_path):
    [finding] = validate(tree_with("missing-configmap-key", tmp_path))
    assert finding.message == (
        'container "open-webui" env WEBUI_NAME: configmap "open-webui" has no key "WEBUI_TITLE"; '
        "ConfigMap tenant-acme/open-webui has keys: OPENAI_API_BASE_URL, WEBUI_NAME, branding.json; "
        "add the key or use one of those keys")


def test_an_unknown_store_suggests_the_near_miss(tmp_path):
    [finding] = validate(tree_with("unknown-secret-store", tmp_path))
    assert finding.message == (
        'secretStoreRef: SecretStore "tenant-secret" not found in namespace tenant-acme; the ExternalSecret never '
        'syncs: fix the name, add the store or use kind ClusterSecretStore (did you mean "tenant-secrets"?)')


def test_a_probe_on_a_port_name_the_container_lacks_is_an_error_and_on_an_undeclared_number_a_warning(tmp_path):
    [named] = validate(tree_with("readiness-port", tmp_path))
    assert named.severity is Severity.ERROR
    assert named.message == ('container "open-webui" readinessProbe uses port "healthz", which the container does '
                             "not expose (ports: http=8080); name one of its ports or add it to the container's ports")
    [numbered] = validate(tree_with("startup-port", tmp_path / "numbered"))
    assert numbered.severity is Severity.WARNING


def test_a_missing_secret_is_reported_once_with_every_use(tmp_path):
    [finding] = validate(tree_with("missing-secret", tmp_path))
    assert finding.message.startswith('container "open-webui" env OPENAI_API_KEY: secret "litellm-virtual-key" '
                                      "not found in namespace tenant-acme")
    assert finding.message.endswith('(did you mean "litellm-api-key"?)')


# -- semantics on small in-memory manifests -----------------------------------------------------------------

UDP_PROBE = """
apiVersion: v1
kind: Pod
metadata: {name: dns, namespace: ns}
spec:
  containers:
    - name: dns
      image: "coredns/coredns:1.12.1"
      ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: metrics, containerPort: 9153}
      livenessProbe: {tcpSocket: {port: dns}}
      readinessProbe: {httpGet: {path: /ready, port: 53}}
      startupProbe: {httpGet: {path: /health, port: metrics}}
"""


def test_a_probe_on_a_udp_port_is_an_error():
    # kube-linter flags it too: kubelet's httpGet, tcpSocket and grpc probes connect over TCP
    findings = findings_for(UDP_PROBE)
    assert [(f.rule, f.severity, f.message) for f in findings] == [
        ("liveness-port", Severity.ERROR, 'container "dns" livenessProbe uses port "dns", which the container '
         "declares as UDP; probes connect over TCP: probe a TCP port or declare the port as TCP"),
        ("readiness-port", Severity.ERROR, 'container "dns" readinessProbe uses port 53, which the container '
         "declares as UDP; probes connect over TCP: probe a TCP port or declare the port as TCP")]


def findings_for(yaml_text: str) -> list[Finding]:
    parsed = read_text(yaml_text, "test.yaml")
    return list(RefsValidator(ValidatorOptions()).validate(
        Target(name="t", k8s_version="1.31", resources=parsed.resources)))


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ns}
spec:
  selector:
    matchExpressions:
      - {key: app, operator: In, values: [api, api-canary]}
      - {key: tier, operator: NotIn, values: [db]}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:1
          ports: [{name: http, containerPort: 8080}]
          envFrom:
            - secretRef: {name: from-anywhere}
          env:
            - name: A
              valueFrom: {secretKeyRef: {name: from-anywhere, key: anything}}
            - name: B
              valueFrom: {secretKeyRef: {name: absent, key: k, optional: true}}
            - name: C
              valueFrom: {configMapKeyRef: {name: kube-root-ca.crt, key: ca.crt}}
      volumes:
        - name: tls
          projected:
            sources:
              - secret: {name: api-tls, items: [{key: tls.crt, path: tls.crt}]}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: from-anywhere, namespace: ns}
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: store}
  dataFrom:
    - extract: {key: some/path}
---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: store}
spec: {provider: {fake: {data: []}}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: api, namespace: ns}
spec: {secretName: api-tls, dnsNames: [api.example.com], issuerRef: {name: ca, kind: ClusterIssuer}}
"""


def test_datafrom_optional_refs_root_ca_match_expressions_and_certificates_are_understood():
    assert findings_for(DEPLOYMENT) == []


@pytest.mark.parametrize(("drop", "rules"), [
    ("kind: ExternalSecret", ["missing-secret"]),  # envFrom and env A, reported once
    ("kind: Certificate", ["missing-secret"]),
    ("kind: ClusterSecretStore\nmetadata", ["unknown-secret-store"]),
])
def test_without_the_object_that_provides_it_the_reference_dangles(drop, rules):
    documents = [d for d in DEPLOYMENT.split("---") if drop not in d]
    assert [f.rule for f in findings_for("---".join(documents))] == rules


def test_a_selector_expression_the_labels_fail_is_a_mismatching_selector():
    broken = DEPLOYMENT.replace("values: [db]", "values: [api]").replace("metadata: {labels: {app: api}}",
                                                                        "metadata: {labels: {app: api, tier: api}}")
    assert [f.rule for f in findings_for(broken)] == ["mismatching-selector"]


def test_a_service_monitor_with_namespace_selector_finds_services_of_other_namespaces():
    monitor = """
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: redis, namespace: monitoring}
spec:
  namespaceSelector: {matchNames: [genai-platform]}
  selector: {matchLabels: {app: redis}}
  endpoints: [{port: metrics}]
---
apiVersion: v1
kind: Service
metadata: {name: redis, namespace: genai-platform, labels: {app: redis}}
spec:
  ports: [{name: metrics, port: 9121}]
"""
    assert findings_for(monitor) == []
    [finding] = findings_for(monitor.replace("matchNames: [genai-platform]", "matchNames: [other]"))
    assert finding.rule == "dangling-servicemonitor"
    assert "matches no Service in namespaces other" in finding.message

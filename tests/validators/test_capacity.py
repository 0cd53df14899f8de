"""The capacity validator: quota at the worst case, LimitRange bounds and defaults, GPU placement.

fixtures/capacity/baseline/ is one tenant that fits its quota exactly as written (HPA max and surge
included) on a GPU cluster; fixtures/capacity/defects/<defect>/ holds the one changed file.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from genai_gitops.manifests import read_paths, read_text
from genai_gitops.model.cluster import ClusterRole, ClusterSpec, Environment
from genai_gitops.model.quantity import parse_quantity
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.section import Section
from genai_gitops.validators.base import Target
from genai_gitops.validators.capacity import CapacityValidator, format_quantity
from genai_gitops.validators.refs import RefsValidator
from genai_gitops.validators.registry import ValidatorOptions

FIXTURES = Path(__file__).parent / "fixtures" / "capacity"
GPU_POOL = {"name": "gpu-a10g", "labels": {"node.kubernetes.io/instance-type": "g5.2xlarge",
                                           "nvidia.com/gpu.present": "true"},
            "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]}


def cluster(*, gpu_pools: list[dict[str, Any]]) -> ClusterSpec:
    return ClusterSpec.model_validate({
        "name": "customer-eu-1", "role": ClusterRole.CUSTOMER, "environment": Environment.PROD, "region": "eu-west-1",
        "kubernetes_version": "1.31", "aws_account_id": "345678901234", "vpc_cidr": "10.20.0.0/16",
        "data_subnets": ["10.20.240.0/24"],
        "argocd": {"name": "customer-eu-1", "server": "https://customer-eu-1.example.com"},
        "capabilities": {"storage_class": "gp3", "gpu_node_pools": gpu_pools,
                         "ingress": {"class_name": "nginx", "domain": "eu.genai.example.com"}}})


GPU_CLUSTER = cluster(gpu_pools=[GPU_POOL])
CPU_CLUSTER = cluster(gpu_pools=[])


def target_for(defect: str | None, tmp_path: Path, spec: ClusterSpec | None = GPU_CLUSTER) -> tuple[Target, Path]:
    tree = tmp_path / "dist" / "customer-eu-1"
    shutil.copytree(FIXTURES / "baseline", tree)
    if defect is not None:
        shutil.copytree(FIXTURES / "defects" / defect, tree, dirs_exist_ok=True)
    manifests = read_paths([tree])
    assert manifests.findings == []
    return Target(name="customer-eu-1", k8s_version="1.31", resources=manifests.resources, cluster=spec), tree


def validate(target: Target) -> list[Finding]:
    return list(CapacityValidator(ValidatorOptions()).validate(target))


def test_the_baseline_fits_and_has_no_findings_from_capacity_or_refs(tmp_path):
    target, _ = target_for(None, tmp_path)
    assert validate(target) == []
    assert list(RefsValidator(ValidatorOptions()).validate(target)) == []


def test_the_headroom_table_shows_every_quota_line_in_human_units(tmp_path):
    target, _ = target_for(None, tmp_path)
    validator = CapacityValidator(ValidatorOptions())
    list(validator.validate(target))
    # open-webui: HPA max 3 + surge 1 = 4 pods x (1 + 0.1 defaulted sidecar) cpu; ollama 2; qdrant 0.5
    assert validator.sections(target) == [Section(
        title="Quota headroom", headers=("namespace", "resource", "quota", "worst case", "headroom"),
        rows=(("tenant-acme", "limits.cpu", "16", "15", "1"),
              ("tenant-acme", "limits.memory", "48Gi", "36Gi", "12Gi"),
              ("tenant-acme", "persistentvolumeclaims", "3", "2", "1"),
              ("tenant-acme", "pods", "12", "6", "6"),
              ("tenant-acme", "requests.cpu", "8", "6.9", "1.1"),
              ("tenant-acme", "requests.memory", "24Gi", "17.5Gi", "6.5Gi"),
              ("tenant-acme", "requests.nvidia.com/gpu", "1", "1", "0"),
              ("tenant-acme", "requests.storage", "100Gi", "70Gi", "30Gi"),
              ("tenant-acme", "services", "4", "3", "1")))]


def test_a_quota_that_only_fails_at_hpa_max_is_told_apart(tmp_path):
    target, tree = target_for("quota-exceeded-at-hpa-max", tmp_path)
    findings = validate(target)
    quota_file = str(tree / "tenant-acme-guardrails/ResourceQuota-tenant-quota.yaml")
    assert {(f.rule, f.file, f.kind, f.name, f.severity) for f in findings} == {
        ("quota-exceeded-at-hpa-max", quota_file, "ResourceQuota", "tenant-quota", Severity.WARNING)}
    assert sorted(f.message.partition(":")[0] for f in findings) == ["limits.cpu", "limits.memory", "requests.cpu"]
    [cpu] = [f for f in findings if f.message.startswith("requests.cpu")]
    assert cpu.message == (
        "requests.cpu: worst case 10.2 (at HPA max, with surge) exceeds quota 8; at HPA min it is 5.8, so it "
        "fits until the autoscaler scales up; largest: Deployment open-webui 7.7 (7 pods), Deployment ollama 2 "
        "(1 pod), StatefulSet qdrant 0.5 (1 pod): lower maxReplicas of HorizontalPodAutoscaler open-webui "
        "(max 5) or raise the quota")


def test_a_quota_too_small_even_at_hpa_min_is_exceeded(tmp_path):
    target, tree = target_for("quota-exceeded", tmp_path)
    [finding] = validate(target)
    assert (finding.rule, finding.file, finding.name, finding.severity) == (
        "quota-exceeded", str(tree / "tenant-acme-guardrails/ResourceQuota-tenant-quota.yaml"), "tenant-quota",
        Severity.ERROR)
    assert finding.message.startswith("requests.cpu: worst case 6.9 (at HPA max, with surge) exceeds quota 5; "
                                      "largest: Deployment open-webui 4.4 (4 pods)")


def test_a_container_below_the_limitrange_minimum(tmp_path):
    target, tree = target_for("limitrange-violation", tmp_path)
    [finding] = validate(target)
    assert (finding.rule, finding.file, finding.kind, finding.name) == (
        "limitrange-violation", str(tree / "tenant-acme/StatefulSet-qdrant.yaml"), "StatefulSet", "qdrant")
    assert finding.message == ('container "qdrant": requests.cpu 0.005 is below the LimitRange tenant-limits '
                               "minimum 0.01 per Container; raise it")


def test_a_gpu_request_on_a_cluster_without_gpus(tmp_path):
    target, tree = target_for(None, tmp_path, spec=CPU_CLUSTER)
    [finding] = validate(target)
    assert (finding.rule, finding.file, finding.kind, finding.name) == (
        "gpu-without-gpu-pool", str(tree / "tenant-acme/Deployment-ollama.yaml"), "Deployment", "ollama")
    assert finding.message == ("requests nvidia.com/gpu: 1, but cluster customer-eu-1 has no GPU node pool, so the "
                               "pod stays Pending: run it on a cluster with a GPU pool or drop the GPU request "
                               "(usage_mode external)")


def test_a_gpu_pod_that_does_not_tolerate_the_pool_taint(tmp_path):
    target, tree = target_for("gpu-pod-not-scheduled-on-pool", tmp_path)
    [finding] = validate(target)
    assert (finding.rule, finding.file, finding.name) == (
        "gpu-pod-not-scheduled-on-pool", str(tree / "tenant-acme/Deployment-ollama.yaml"), "ollama")
    assert finding.message == ("requests nvidia.com/gpu: 1; it cannot land on GPU pool gpu-a10g of cluster "
                               "customer-eu-1: add tolerations for the pool's taints nvidia.com/gpu=true:NoSchedule")


def test_without_cluster_data_gpu_placement_is_not_judged(tmp_path):
    target, _ = target_for("gpu-pod-not-scheduled-on-pool", tmp_path, spec=None)
    assert validate(target) == []


# -- quantities ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("500m", Decimal("0.5")), ("2", Decimal(2)), (2, Decimal(2)), (0.5, Decimal("0.5")), ("1.5Gi", Decimal(1610612736)),
    ("128Mi", Decimal(134217728)), ("1Ki", Decimal(1024)), ("2k", Decimal(2000)), ("1M", Decimal(10**6)),
    ("1e3", Decimal(1000)), ("1E3", Decimal(1000)), ("1.5e-3", Decimal("0.0015")), ("1E", Decimal(10**18)),
    (".5", Decimal("0.5")), ("100n", Decimal("1e-7")), ("250u", Decimal("0.00025")), ("+1", Decimal(1)),
])
def test_quantities_parse_exactly(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "Gi", "1.2.3", "5 Gi", "1gi", "1e", "0x10", True, None])
def test_malformed_quantities_are_refused(text):
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_quantities_print_in_cores_gi_and_counts():
    assert format_quantity("requests.cpu", Decimal("2.75")) == "2.75"
    assert format_quantity("limits.memory", parse_quantity("1536Mi")) == "1.5Gi"
    assert format_quantity("requests.storage", parse_quantity("-20Gi")) == "-20Gi"
    assert format_quantity("pods", Decimal(6)) == "6"


# -- semantics on small in-memory manifests -----------------------------------------------------------------

def run(yaml_text: str, spec: ClusterSpec | None = None) -> tuple[list[Finding], list[tuple[str, ...]]]:
    target = Target(name="t", k8s_version="1.31", resources=read_text(yaml_text, "test.yaml").resources,
                    cluster=spec)
    validator = CapacityValidator(ValidatorOptions())
    findings = list(validator.validate(target))
    sections = validator.sections(target)
    return findings, [row for s in sections for row in s.rows]


QUOTA = """
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: ns}
spec:
  hard: {requests.cpu: "100", requests.memory: 100Gi, limits.memory: 100Gi, pods: "100", count/deployments.apps: "1"}
---
"""


def test_init_containers_and_sidecars_count_as_the_scheduler_counts_them():
    # init 3 cpu (run alone, after the 1-cpu sidecar started: 4) vs app 1 + sidecar 1 = 2: the pod needs 4
    findings, rows = run(QUOTA + """
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  initContainers:
    - {name: sidecar, image: s, restartPolicy: Always, resources: {requests: {cpu: "1", memory: 1Gi},
                                                                  limits: {memory: 1Gi}}}
    - {name: setup, image: s, resources: {requests: {cpu: "3", memory: 1Gi}, limits: {memory: 1Gi}}}
  containers:
    - {name: app, image: a, resources: {requests: {cpu: "1", memory: 2Gi}, limits: {memory: 2Gi}}}
""")
    assert findings == []
    assert ("ns", "requests.cpu", "100", "4", "96") in rows
    assert ("ns", "requests.memory", "100Gi", "3Gi", "97Gi") in rows  # max(1+1, 1+2)
    assert ("ns", "count/deployments.apps", "1", "0", "1") in rows



def test_sections_are_a_function_of_the_target_alone():
    """No state between calls: the table of a target never validated, or asked for after another target
    was validated, is the table of that target."""
    pod = """
apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: ns}}
spec:
  containers: [{{name: app, image: a, resources: {{requests: {{cpu: "{cpu}", memory: 1Gi}}, limits: {{memory: 1Gi}}}}}}]
"""
    small, big = (Target(name=name, k8s_version="1.31",
                         resources=read_text(QUOTA + pod.format(cpu=cpu), "t.yaml").resources)
                  for name, cpu in (("small", 1), ("big", 7)))
    alone = CapacityValidator(ValidatorOptions()).sections(small)
    assert ("ns", "requests.cpu", "100", "1", "99") in alone[0].rows
    validator = CapacityValidator(ValidatorOptions())
    list(validator.validate(big))
    assert validator.sections(small) == alone
    assert ("ns", "requests.cpu", "100", "7", "93") in validator.sections(big)[0].rows
    assert list(validator.run(small)) == [*validator.validate(small), *alone]

def test_a_container_without_memory_limit_and_no_limitrange_default_is_refused_by_the_quota():
    findings, _ = run(QUOTA + """
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ns}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
        - {name: app, image: a, resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}}
""")
    assert [(f.rule, f.name) for f in findings] == [("quota-requires-resources", "d")]
    assert findings[0].message.startswith('container "app" sets no limits.memory, requests.memory and no LimitRange')


def test_a_limit_defaulted_below_the_request_is_a_limitrange_violation():
    findings, _ = run("""
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: ns}
spec:
  limits: [{type: Container, default: {cpu: 500m}}]
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  containers: [{name: app, image: a, resources: {requests: {cpu: "1"}}}]
""")
    assert [f.rule for f in findings] == ["limitrange-violation"]
    assert "requests.cpu 1 exceeds the LimitRange default limit 0.5" in findings[0].message


def test_statefulset_claims_scale_with_the_hpa_and_surge_follows_the_strategy():
    findings, rows = run("""
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: ns}
spec:
  hard:
    persistentvolumeclaims: "10"
    requests.storage: 1Ti
    pods: "20"
    gp3.storageclass.storage.k8s.io/requests.storage: 1Ti
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ns}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: db}]}}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {storageClassName: gp3, resources: {requests: {storage: 10Gi}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: db, namespace: ns}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}, minReplicas: 1, maxReplicas: 3}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ns}
spec:
  replicas: 10
  strategy: {rollingUpdate: {maxSurge: 2}}
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web}]}}
""")
    assert findings == []
    assert ("ns", "persistentvolumeclaims", "10", "3", "7") in rows
    assert ("ns", "requests.storage", "1024Gi", "30Gi", "994Gi") in rows
    assert ("ns", "gp3.storageclass.storage.k8s.io/requests.storage", "1024Gi", "30Gi", "994Gi") in rows
    assert ("ns", "pods", "20", "15", "5") in rows  # db 3 (no surge) + web 10 + surge 2


NODE_AFFINITY_POD = """
apiVersion: v1
kind: Pod
metadata: {name: vllm, namespace: ns}
spec:
  tolerations: [{operator: Exists}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - {key: node.kubernetes.io/instance-type, operator: In, values: [g5.2xlarge, g5.4xlarge]}
  containers: [{name: vllm, image: v, resources: {limits: {nvidia.com/gpu: "1"}}}]
"""


def test_a_required_node_affinity_and_a_wildcard_toleration_place_a_pod_on_the_pool():
    findings, _ = run(NODE_AFFINITY_POD, GPU_CLUSTER)
    assert findings == []


def test_a_gpu_pod_that_selects_other_nodes_is_not_on_the_pool():
    findings, _ = run(NODE_AFFINITY_POD.replace("values: [g5.2xlarge, g5.4xlarge]", "values: [p4d.24xlarge]"),
                      GPU_CLUSTER)
    assert [f.rule for f in findings] == ["gpu-pod-not-scheduled-on-pool"]
    assert findings[0].message.endswith(
        "select the pool's nodes with nodeSelector {node.kubernetes.io/instance-type: g5.2xlarge, "
        "nvidia.com/gpu.present: true} or a required nodeAffinity")


def test_a_malformed_quantity_is_a_finding_not_a_crash():
    findings, _ = run(QUOTA + """
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  containers: [{name: app, image: a, resources: {requests: {cpu: lots, memory: 1Gi}, limits: {memory: 1Gi}}}]
""")
    assert [f.rule for f in findings] == ["invalid-quantity", "quota-requires-resources"]
    assert findings[0].message.startswith('container "app" resources.requests.cpu: \'lots\' is not a Kubernetes')

"""The workload builder: what a component gets without asking (the secure pod defaults, selectors, named
target ports) and what it can override (profile, placement, rollout, Service shape)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from cdk8s import App, Chart

from genai_gitops.synth.writer import dump
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable
from genai_gitops_constructs.workload import (
    Container,
    DeploymentSpec,
    Identity,
    JobSpec,
    Pod,
    Port,
    StatefulSetSpec,
    VolumeClaim,
    exporter,
    secret_env,
    toleration,
)

SMALL = Resources("100m", "128Mi", "500m", "256Mi")
APP = Identity.of("demo", namespace="tenant-demo", instance="tenant-demo", component="test", tenant="demo")


def _render(build: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Build into a fresh chart; the objects as the synth writes them, by (kind, name)."""
    chart = Chart(App(), "test", disable_resource_name_hashes=True)
    build(chart)
    objects = [yaml.safe_load(dump(obj)) for obj in chart.to_json()]
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in objects}


def _container(**overrides: Any) -> Container:
    return Container(**{"name": "demo", "image": "example.org/demo:1.0.0", "resources": SMALL, **overrides})


def test_a_minimal_deployment_gets_the_secure_defaults() -> None:
    objects = _render(lambda chart: APP.deployment(chart, "deployment", DeploymentSpec(pod=Pod([_container()]))))
    deployment = objects["Deployment", "demo"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]

    assert deployment["metadata"]["namespace"] == "tenant-demo"
    assert deployment["spec"]["replicas"] == 1
    # the immutable selector subset, and every label on the pods
    assert deployment["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "demo",
                                                              "app.kubernetes.io/instance": "tenant-demo"}}
    assert deployment["spec"]["template"]["metadata"]["labels"] == APP.labels
    assert deployment["spec"]["strategy"] == {"type": "RollingUpdate",
                                              "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                      "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False, "privileged": False, "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True, "runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"}}
    assert container["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"},
                                      "limits": {"cpu": "500m", "memory": "256Mi"}}
    # nothing the spec did not ask for
    for absent in ("serviceAccountName", "affinity", "tolerations", "nodeSelector", "volumes", "initContainers"):
        assert absent not in pod
    for absent in ("env", "ports", "volumeMounts", "command", "args"):
        assert absent not in container


def test_overrides_reach_the_pod() -> None:
    pod_profile = SecurityProfile(run_as_user=101, run_as_group=101, fs_group=101)
    sidecar_profile = SecurityProfile(run_as_user=65534, run_as_group=65534, fs_group=65534)
    tmp_volume, tmp_mount = writable("tmp", "/tmp", "64Mi")
    pod = Pod(
        containers=[_container(mounts=[tmp_mount], env=[secret_env("TOKEN", "demo-secret", "token")],
                               ports=[Port("http", 8080)], readiness_probe=http_probe("/ready", "http")),
                    _container(name="sidecar", profile=sidecar_profile)],
        init_containers=[_container(name="seed", command=["sh", "-c", "true"])],
        profile=pod_profile, volumes=[tmp_volume], service_account="demo", termination_grace_period=90,
        spread_over_nodes=True, node_selector={"pool": "gpu"}, tolerations=[toleration("gpu", "", "NoSchedule")],
        annotations={"checksum/config": "abc"})
    objects = _render(lambda chart: APP.deployment(chart, "deployment", DeploymentSpec(
        pod=pod, replicas=None, strategy="Recreate", revision_history_limit=5,
        annotations={"argocd.argoproj.io/sync-wave": "2"})))
    deployment = objects["Deployment", "demo"]
    template = deployment["spec"]["template"]
    spec = template["spec"]
    main, sidecar = spec["containers"]

    # no replicas: an HPA owns the count
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["spec"]["revisionHistoryLimit"] == 5
    assert deployment["metadata"]["annotations"] == {"argocd.argoproj.io/sync-wave": "2"}
    assert template["metadata"]["annotations"] == {"checksum/config": "abc"}
    assert (spec["serviceAccountName"], spec["terminationGracePeriodSeconds"]) == ("demo", 90)
    assert spec["nodeSelector"] == {"pool": "gpu"}
    assert spec["tolerations"] == [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]
    term = spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["podAffinityTerm"] == {"topologyKey": "kubernetes.io/hostname",
                                       "labelSelector": {"matchLabels": APP.selector}}
    # the pod's profile is every container's default; a container may name its own
    assert spec["securityContext"]["runAsUser"] == 101
    assert [c["securityContext"]["runAsUser"] for c in (*spec["initContainers"], main, sidecar)] == [101, 101, 65534]
    assert all(c["securityContext"]["readOnlyRootFilesystem"] is True for c in (main, sidecar))
    assert main["ports"] == [{"name": "http", "containerPort": 8080}]
    assert main["env"] == [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "demo-secret", "key": "token"}}}]
    assert main["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert spec["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
    # an empty toleration list is written as given (a GPU pool without taints)
    untainted = _render(lambda chart: APP.deployment(chart, "d", DeploymentSpec(
        pod=Pod([_container()], tolerations=[]))))
    assert untainted["Deployment", "demo"]["spec"]["template"]["spec"]["tolerations"] == []


def test_a_relaxed_profile_states_why() -> None:
    with pytest.raises(ValueError, match="a SecurityProfile that relaxes a default must say why in `exception`"):
        SecurityProfile(read_only_root_filesystem=False)
    writes_root = SecurityProfile(read_only_root_filesystem=False, exception="the image writes /app/cache")
    objects = _render(lambda chart: APP.deployment(chart, "d", DeploymentSpec(pod=Pod([_container()],
                                                                                      profile=writes_root))))
    (container,) = objects["Deployment", "demo"]["spec"]["template"]["spec"]["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is False
    assert container["securityContext"]["runAsNonRoot"] is True


def test_stateful_set_with_its_services() -> None:
    ports = [Port("http", 8080, service_number=80, app_protocol="http", protocol="TCP"), Port("metrics", 9090)]

    def build(chart: Chart) -> None:
        APP.headless_service(chart, "headless", ports[:1], publish_not_ready=True)
        APP.service(chart, "service", ports)
        APP.stateful_set(chart, "statefulset", StatefulSetSpec(
            pod=Pod([_container(ports=ports)]), claims=[VolumeClaim("data", "10Gi", "gp3")], replicas=3,
            pod_management_policy="Parallel", update_strategy="RollingUpdate"))

    objects = _render(build)
    statefulset = objects["StatefulSet", "demo"]["spec"]
    headless = objects["Service", "demo-headless"]["spec"]
    service = objects["Service", "demo"]["spec"]

    assert statefulset["serviceName"] == "demo-headless"
    assert (statefulset["replicas"], statefulset["podManagementPolicy"]) == (3, "Parallel")
    assert statefulset["updateStrategy"] == {"type": "RollingUpdate"}
    (claim,) = statefulset["volumeClaimTemplates"]
    assert claim["metadata"] == {"name": "data", "labels": APP.labels}
    assert claim["spec"] == {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                             "resources": {"requests": {"storage": "10Gi"}}}
    assert statefulset["template"]["spec"]["automountServiceAccountToken"] is False
    assert statefulset["template"]["spec"]["containers"][0]["ports"] == [
        {"name": "http", "containerPort": 8080, "protocol": "TCP"}, {"name": "metrics", "containerPort": 9090}]

    assert (headless["clusterIP"], headless["publishNotReadyAddresses"]) == ("None", True)
    assert headless["selector"] == service["selector"] == APP.selector
    # Services target container ports by name; the Service's own number may differ
    assert service["type"] == "ClusterIP"
    assert service["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP", "appProtocol": "http"},
        {"name": "metrics", "port": 9090, "targetPort": "metrics"}]
    assert headless["ports"] == service["ports"][:1]


def test_a_headless_service_may_leave_target_ports_out() -> None:
    objects = _render(lambda chart: APP.headless_service(chart, "headless", [Port("redis", 6379)], target_ports=False))
    spec = objects["Service", "demo-headless"]["spec"]
    assert spec["ports"] == [{"name": "redis", "port": 6379}]
    assert "publishNotReadyAddresses" not in spec


def test_disruption_budget_and_autoscaler() -> None:
    def build(chart: Chart) -> None:
        APP.disruption_budget(chart, "pdb", max_unavailable=1, evict_unhealthy=True)
        APP.autoscaler(chart, "hpa", min_replicas=2, max_replicas=6, cpu_utilization=70)

    objects = _render(build)
    assert objects["PodDisruptionBudget", "demo"]["spec"] == {
        "maxUnavailable": 1, "selector": {"matchLabels": APP.selector}, "unhealthyPodEvictionPolicy": "AlwaysAllow"}
    hpa = objects["HorizontalPodAutoscaler", "demo"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "demo"}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 6)
    assert hpa["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]


@pytest.mark.parametrize("counts", [{}, {"min_available": 1, "max_unavailable": 1}])
def test_disruption_budget_takes_exactly_one_bound(counts: dict[str, int]) -> None:
    message = "PodDisruptionBudget demo: set exactly one of min_available and max_unavailable"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        _render(lambda chart: APP.disruption_budget(chart, "pdb", **counts))


def test_job_pod_and_hook_annotations() -> None:
    hook = {"argocd.argoproj.io/hook": "Sync"}
    objects = _render(lambda chart: APP.job(chart, "job", JobSpec(
        pod=Pod([_container()], restart_policy="Never"), backoff_limit=3, active_deadline_seconds=600,
        annotations=hook)))
    job = objects["Job", "demo"]
    assert job["metadata"]["annotations"] == hook
    assert (job["spec"]["backoffLimit"], job["spec"]["activeDeadlineSeconds"]) == (3, 600)
    pod = job["spec"]["template"]["spec"]
    assert (pod["restartPolicy"], pod["automountServiceAccountToken"]) == ("Never", False)


def test_volume_claim_of_its_own() -> None:
    objects = _render(lambda chart: APP.volume_claim(chart, "claim", VolumeClaim("demo-models", "50Gi", "gp3")))
    claim = objects["PersistentVolumeClaim", "demo-models"]
    assert claim["metadata"]["labels"] == APP.labels
    assert claim["spec"]["resources"] == {"requests": {"storage": "50Gi"}}


def test_exporter_sidecar() -> None:
    sidecar = exporter("example.org/exporter:1.0.0", [], 9121, "/health")
    objects = _render(lambda chart: APP.deployment(chart, "d", DeploymentSpec(pod=Pod([_container(), sidecar]))))
    rendered = objects["Deployment", "demo"]["spec"]["template"]["spec"]["containers"][1]
    probe = {"httpGet": {"path": "/health", "port": "metrics"}, "periodSeconds": 30}
    assert rendered["name"] == "exporter"
    assert rendered["ports"] == [{"name": "metrics", "containerPort": 9121}]
    assert rendered["readinessProbe"] == rendered["livenessProbe"] == probe
    assert rendered["resources"]["limits"] == {"cpu": "200m", "memory": "128Mi"}
    assert rendered["securityContext"]["readOnlyRootFilesystem"] is True

"""Rules every tenant stack keeps, checked on the synthesised YAML of each example tenant (and one built here)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from genai_gitops.model.quantity import parse_quantity
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import tenant_workloads
from genai_gitops_constructs.meta import TENANT_LABEL
from genai_gitops_constructs.versions import IMAGES

TENANTS = ("acme", "globex", "initech")
STANDARD_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                   "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")
#: volume types Pod Security `restricted` admits
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}
#: containers allowed a writable root filesystem, with the reason (mirrored in policies/): none so far
READ_WRITE_ROOT: dict[str, str] = {}


def secret_refs_resolve(app, spec: TenantSpec) -> None:
    created = app.secret_keys()
    for pod in app.pods():
        for container in pod.all_containers:
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref is None:
                    continue
                where = f"{pod.workload.describe()} {container['name']} {var['name']}"
                assert ref["name"] in created, f"{where}: no ExternalSecret creates Secret {ref['name']}"
                assert ref["key"] in created[ref["name"]], f"{where}: Secret {ref['name']} has no key {ref['key']}"
    for es in app.of_kind("ExternalSecret"):
        assert es.obj["spec"]["secretStoreRef"] == {"name": "tenant-secrets", "kind": "SecretStore"}
        for item in es.obj["spec"]["data"]:  # the tenant store's role reads genai/tenants/<id>/* only
            assert item["remoteRef"]["key"].startswith(f"genai/tenants/{spec.id}/"), es.describe()


def no_secret_values(app) -> None:
    assert app.of_kind("Secret") == []
    assert app.of_kind("ConfigMap") == []


def metadata_is_standard(app, spec: TenantSpec) -> None:
    for resource in app.resources:
        assert resource.namespace == spec.namespace, resource.describe()
        for label in STANDARD_LABELS:
            assert label in resource.labels, f"{resource.describe()}: no {label}"
        assert resource.labels[TENANT_LABEL] == spec.id, resource.describe()
    for pod in app.pods():
        assert pod.labels[TENANT_LABEL] == spec.id
        selector = pod.workload.obj["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod.labels.items()


def containers_have_requests_and_limits(app) -> None:
    for pod in app.pods():
        for container in pod.all_containers:
            resources = container["resources"]
            for side in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[side]), f"{pod.workload.describe()} {container['name']}"
            assert parse_quantity(resources["requests"]["cpu"]) <= parse_quantity(resources["limits"]["cpu"])
            assert parse_quantity(resources["requests"]["memory"]) <= parse_quantity(resources["limits"]["memory"])


def pods_meet_restricted(app) -> None:
    """Pod Security `restricted` (the namespace enforces it) plus the platform's own defaults."""
    for pod in app.pods():
        what = pod.workload.describe()
        spec = pod.spec
        assert spec["enableServiceLinks"] is False, what
        assert spec["automountServiceAccountToken"] is False, what
        assert not {"hostNetwork", "hostPID", "hostIPC"} & set(spec), what
        pod_context = spec["securityContext"]
        assert pod_context["runAsNonRoot"] is True and pod_context["runAsUser"] != 0, what
        assert pod_context["seccompProfile"] == {"type": "RuntimeDefault"}, what
        for volume in spec.get("volumes", []):
            assert set(volume) - {"name"} <= RESTRICTED_VOLUMES, f"{what}: volume {volume['name']}"
        for container in pod.all_containers:
            name = f"{what} {container['name']}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["runAsNonRoot"] is True and context["runAsUser"] != 0, name
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
            assert context["readOnlyRootFilesystem"] is (name not in READ_WRITE_ROOT), name
            assert "ports" not in container or all("hostPort" not in p for p in container["ports"]), name


def probes_target_declared_ports(app) -> None:
    for pod in app.pods():
        for container in pod.containers:
            declared = {p["name"] for p in container.get("ports", [])} | {
                p["containerPort"] for p in container.get("ports", [])}
            probes = [container[k] for k in ("startupProbe", "livenessProbe", "readinessProbe") if k in container]
            assert {"livenessProbe", "readinessProbe"} <= set(container), f"{pod.workload.describe()}: probes"
            for probe in probes:
                action = probe.get("httpGet") or probe.get("tcpSocket")
                if action is not None:
                    assert action["port"] in declared, f"{pod.workload.describe()}: probe port {action['port']}"
                else:
                    assert probe["exec"]["command"], pod.workload.describe()


def services_reach_pods(app) -> None:
    pods = list(app.pods())
    for service in app.of_kind("Service"):
        spec = service.obj["spec"]
        selected = [p for p in pods if spec["selector"].items() <= p.labels.items()]
        assert selected, f"{service.describe()} selects no pod"
        for port in spec["ports"]:
            for pod in selected:
                names = {p["name"] for c in pod.containers for p in c.get("ports", [])}
                assert port["targetPort"] in names, f"{service.describe()}: target {port['targetPort']}"


def workloads_match_the_traffic_graph(app, spec: TenantSpec) -> None:
    graph = tenant_workloads(spec)
    pods = {pod.labels["app.kubernetes.io/name"]: pod for pod in app.pods()}
    assert set(pods) == set(graph)
    for name, ports in graph.items():
        served = {p["containerPort"] for c in pods[name].containers for p in c.get("ports", [])}
        assert {p.number for p in ports} <= served, f"{name} does not serve the ports the graph allows"


def images_are_pinned_in_one_place(app, spec: TenantSpec) -> None:
    allowed = {str(i) for i in IMAGES.values()} | {server.image for server in spec.mcp_servers}
    for pod in app.pods():
        for container in pod.all_containers:
            assert container["image"] in allowed, container["image"]


ALL_RULES: tuple[Callable[..., None], ...] = (
    secret_refs_resolve, no_secret_values, metadata_is_standard, containers_have_requests_and_limits,
    pods_meet_restricted, probes_target_declared_ports, services_reach_pods, workloads_match_the_traffic_graph,
    images_are_pinned_in_one_place)


def check(rule: Callable[..., None], app, spec: TenantSpec) -> None:
    rule(app, spec) if rule.__code__.co_argcount == 2 else rule(app)


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.__name__)
def test_example_tenants(example_dist, tenant: str, rule: Callable[..., None]) -> None:
    check(rule, example_dist.tenant(tenant), example_dist.spec(tenant))


def test_a_tenant_with_everything(make_tenant, synth_tenants) -> None:
    tenant = make_tenant()
    app = synth_tenants(tenant).tenant(tenant.id)
    for rule in ALL_RULES:
        check(rule, app, tenant)


# -- capacity: the stack fits its own ResourceQuota at the HPA maximum, during a rolling update -----------------

def pod_requests(pod, side: str, resource: str) -> Decimal:
    """What the scheduler and the quota count for one pod: max(any init container, sum of app containers)."""
    def amount(container) -> Decimal:
        return parse_quantity(container["resources"][side].get(resource, 0))
    app_total = sum(amount(c) for c in pod.containers)
    return max([app_total, *(amount(c) for c in pod.init_containers)])


def peak_pods(app, pod) -> int:
    """Pods of one workload at its worst moment: HPA maximum (or replicas) plus the rolling-update surge."""
    workload = pod.workload.obj
    hpas = [h for h in app.of_kind("HorizontalPodAutoscaler")
            if h.obj["spec"]["scaleTargetRef"]["name"] == pod.workload.name]
    replicas = hpas[0].obj["spec"]["maxReplicas"] if hpas else workload["spec"].get("replicas", 1)
    strategy = workload["spec"].get("strategy", {})
    surge = strategy.get("rollingUpdate", {}).get("maxSurge", 0) if strategy.get("type") == "RollingUpdate" else 0
    if pod.workload.kind == "StatefulSet":
        surge = 0  # a StatefulSet replaces pods one at a time, never adds one
    assert isinstance(surge, int), "percent surges are not used here"
    return replicas + surge


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_stack_fits_its_quota_at_peak(example_dist, tenant: str) -> None:
    app = example_dist.tenant(tenant)
    hard = example_dist.guardrails(tenant).get("ResourceQuota", "tenant-quota").obj["spec"]["hard"]
    counted = ("requests.cpu", "limits.cpu", "requests.memory", "limits.memory", "requests.nvidia.com/gpu")

    totals = dict.fromkeys(counted, Decimal(0))
    for pod in app.pods():
        count = peak_pods(app, pod)
        for key in counted:
            side, resource = key.split(".", 1)
            totals[key] += count * pod_requests(pod, side, resource)
    for key, total in totals.items():
        if key in hard:
            assert total <= parse_quantity(hard[key]), f"{tenant}: {key} {total} over quota {hard[key]}"

    claims = [parse_quantity(c.obj["spec"]["resources"]["requests"]["storage"])
              for c in app.of_kind("PersistentVolumeClaim")]
    claims += [parse_quantity(t["spec"]["resources"]["requests"]["storage"])
               for s in app.of_kind("StatefulSet") for t in s.obj["spec"].get("volumeClaimTemplates", [])]
    assert sum(claims) <= parse_quantity(hard["requests.storage"])
    assert len(claims) <= parse_quantity(hard["persistentvolumeclaims"])
    assert sum(peak_pods(app, pod) for pod in app.pods()) <= parse_quantity(hard["pods"])
    assert len(app.of_kind("Service")) <= parse_quantity(hard["services"])


def test_every_container_stays_under_the_limit_range(example_dist) -> None:
    for tenant in TENANTS:
        limits = example_dist.guardrails(tenant).get("LimitRange", "tenant-limits").obj["spec"]["limits"][0]
        for pod in example_dist.tenant(tenant).pods():
            for container in pod.all_containers:
                for resource in ("cpu", "memory"):
                    value = parse_quantity(container["resources"]["limits"][resource])
                    assert value <= parse_quantity(limits["max"][resource])
                    assert parse_quantity(container["resources"]["requests"][resource]) >= parse_quantity(
                        limits["min"][resource])


def test_gpu_fields_only_where_a_gpu_is_requested_on_a_gpu_cluster(example_dist) -> None:
    for tenant in TENANTS:
        cluster = example_dist.platform.cluster(example_dist.spec(tenant).cluster)
        for pod in example_dist.tenant(tenant).pods():
            gpus = [c for c in pod.all_containers
                    if any("gpu" in name for side in ("requests", "limits") for name in c["resources"][side])]
            if gpus:
                assert cluster.gpu_pool is not None, f"{tenant}: GPU requested on {cluster.name}"
                assert pod.spec["nodeSelector"] == cluster.gpu_pool.labels
            else:
                assert not {"nodeSelector", "tolerations"} & set(pod.spec), pod.workload.describe()

"""Ollama: only where the usage mode runs it; GPU only on a GPU pool with GPU quota; models pulled first."""

from __future__ import annotations

from genai_gitops.model.traffic import PORTS

GPU_FIELDS = ("nodeSelector", "tolerations")


def test_an_external_tenant_has_no_ollama(example_dist) -> None:
    app = example_dist.tenant("globex")
    assert not [r for r in app.resources if "ollama" in r.name]


def test_gpu_pool_placement_on_the_gpu_cluster(example_dist) -> None:
    for tenant in ("acme", "initech"):
        spec = example_dist.spec(tenant)
        pool = example_dist.platform.cluster(spec.cluster).gpu_pool
        assert pool is not None and spec.quotas.gpu > 0
        pod = example_dist.tenant(tenant).pod("ollama")
        resources = pod.main["resources"]

        assert resources["requests"][pool.gpu_resource] == resources["limits"][pool.gpu_resource] == 1
        assert pod.spec["nodeSelector"] == pool.labels
        assert pod.spec["tolerations"] == [{"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect}
                                           for t in pool.taints]
        # the device plugin picks the device; nothing hides it from the server
        assert "NVIDIA_VISIBLE_DEVICES" not in pod.env()


def test_cpu_fallback_has_no_gpu_field_at_all(make_tenant, synth_tenants) -> None:
    base = make_tenant()
    no_gpu = {**base.quotas.model_dump(exclude_none=True), "gpu": 0}
    on_cpu_cluster = make_tenant(
        id="cpuonly", cluster="customer-us-1", usage_mode="local", cpu_fallback=True, quotas=no_gpu,
        models={"local": ["llama3.2:3b"]}, ingress={"host": "cpu.umbrella.example"},
        secrets=base.secrets.model_dump(exclude={"litellm_api_key"}, exclude_none=True))
    no_gpu_quota = make_tenant(id="noquota", quotas=no_gpu)
    dist = synth_tenants(on_cpu_cluster, no_gpu_quota)

    for tenant in (on_cpu_cluster, no_gpu_quota):
        pod = dist.tenant(tenant.id).pod("ollama")
        for container in pod.all_containers:
            for side in ("requests", "limits"):
                assert set(container["resources"][side]) == {"cpu", "memory"}
        assert not set(GPU_FIELDS) & set(pod.spec)
        # a GPU node's runtime would otherwise expose every GPU to a container that requested none
        assert pod.env()["NVIDIA_VISIBLE_DEVICES"] == "void"


def test_models_are_pulled_before_the_server_starts(example_dist) -> None:
    for tenant in ("acme", "initech"):
        pod = example_dist.tenant(tenant).pod("ollama")
        (pull,) = pod.init_containers
        models = example_dist.spec(tenant).models.local

        assert pull["command"][:2] == ["sh", "-c"]
        assert pull["command"][-len(models):] == models
        assert pull["image"] == pod.main["image"]
        # the pull server listens on loopback only and writes where the real one reads
        assert pod.env(pull)["OLLAMA_HOST"] == f"127.0.0.1:{PORTS['ollama']}"
        assert pod.env(pull)["OLLAMA_MODELS"] == pod.env()["OLLAMA_MODELS"] == "/models"
        assert pod.mounts(pull)["/models"] == pod.mounts()["/models"] == "models"
        assert pod.env(pull)["NVIDIA_VISIBLE_DEVICES"] == "void"


def test_models_live_on_a_claim_and_the_old_pod_lets_go_first(example_dist) -> None:
    app = example_dist.tenant("initech")
    cluster = example_dist.platform.cluster("customer-eu-1")
    deployment = app.get("Deployment", "ollama").obj
    claim = app.get("PersistentVolumeClaim", "ollama-models").obj["spec"]
    pod = app.pod("ollama")

    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["spec"]["replicas"] == 1
    assert claim["accessModes"] == ["ReadWriteOnce"]
    assert claim["storageClassName"] == cluster.capabilities.storage_class
    assert claim["resources"]["requests"]["storage"] == "50Gi"
    assert pod.volumes["models"]["persistentVolumeClaim"] == {"claimName": "ollama-models"}


def test_server_probes_service_and_user(example_dist) -> None:
    app = example_dist.tenant("acme")
    pod = app.pod("ollama")
    main = pod.main

    assert main["ports"] == [{"containerPort": 11434, "name": "http", "protocol": "TCP"}]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert main[probe]["httpGet"] == {"path": "/", "port": "http"}
    service = app.get("Service", "ollama").obj["spec"]
    assert [(p["port"], p["targetPort"]) for p in service["ports"]] == [(11434, "http")]
    # non-root needs a writable HOME (its key pair) and OLLAMA_MODELS off /root
    env = pod.env()
    assert pod.mounts()[env["HOME"]] == "home" and "emptyDir" in pod.volumes["home"]
    for container in pod.all_containers:
        assert container["securityContext"]["runAsUser"] == 10001
        assert container["securityContext"]["readOnlyRootFilesystem"] is True

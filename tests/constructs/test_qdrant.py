"""Qdrant: a StatefulSet on its own volume, reachable on HTTP and gRPC, locked by an API key."""

from __future__ import annotations

from genai_gitops.model.traffic import PORTS


def test_only_with_rag(example_dist) -> None:
    assert example_dist.spec("initech").rag.enabled is False
    assert not [r for r in example_dist.tenant("initech").resources if r.name.startswith("qdrant")]


def test_statefulset_with_a_claim_of_the_rag_size(example_dist) -> None:
    for tenant in ("acme", "globex"):
        spec = example_dist.spec(tenant)
        app = example_dist.tenant(tenant)
        statefulset = app.get("StatefulSet", "qdrant").obj["spec"]
        (claim,) = statefulset["volumeClaimTemplates"]

        assert statefulset["replicas"] == 1
        assert statefulset["serviceName"] == "qdrant-headless"
        assert claim["metadata"]["name"] == "storage"
        assert claim["spec"]["resources"]["requests"]["storage"] == spec.rag.storage
        cluster = example_dist.platform.cluster(spec.cluster)
        assert claim["spec"]["storageClassName"] == cluster.capabilities.storage_class
        assert app.pod("qdrant").mounts()["/qdrant/storage"] == "storage"


def test_services(example_dist) -> None:
    app = example_dist.tenant("globex")
    ports = [("http", PORTS["qdrant-http"], "http"), ("grpc", PORTS["qdrant-grpc"], "grpc")]
    for name, headless in (("qdrant", False), ("qdrant-headless", True)):
        spec = app.get("Service", name).obj["spec"]
        assert [(p["name"], p["port"], p["targetPort"]) for p in spec["ports"]] == ports
        assert (spec.get("clusterIP") == "None") is headless
        assert spec["selector"] == app.get("StatefulSet", "qdrant").obj["spec"]["selector"]["matchLabels"]


def test_probes_and_api_key(example_dist) -> None:
    app = example_dist.tenant("acme")
    pod = app.pod("qdrant")
    main = pod.main

    assert main["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert main["startupProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert pod.env()["QDRANT__SERVICE__API_KEY"] == ("secret", "qdrant", "api-key")
    key = app.get("ExternalSecret", "qdrant").obj["spec"]
    assert key["secretStoreRef"] == {"name": "tenant-secrets", "kind": "SecretStore"}
    assert key["data"] == [{"secretKey": "api-key",
                            "remoteRef": {"key": "genai/tenants/acme/qdrant", "property": "api_key"}}]


def test_runs_as_the_chart_does_with_writable_volumes_only(example_dist) -> None:
    pod = example_dist.tenant("acme").pod("qdrant")
    context = pod.main["securityContext"]

    assert (context["runAsUser"], context["runAsGroup"], pod.spec["securityContext"]["fsGroup"]) == (1000, 2000, 3000)
    assert context["readOnlyRootFilesystem"] is True
    assert {"/qdrant/storage", "/qdrant/snapshots", "/tmp", "/qdrant/init"} == set(pod.mounts())
    # the init marker goes to the writable emptyDir, not the read-only working directory
    assert pod.env()["QDRANT_INIT_FILE_PATH"] == "/qdrant/init/.qdrant-initialized"


def test_disruption_budget(example_dist) -> None:
    pdb = example_dist.tenant("acme").get("PodDisruptionBudget", "qdrant").obj["spec"]
    assert pdb["maxUnavailable"] == 1
    assert pdb["selector"]["matchLabels"]["app.kubernetes.io/name"] == "qdrant"

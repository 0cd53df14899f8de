"""Langfuse v3 (web + worker) and its ClickHouse, read from the synthesised central stack."""

from __future__ import annotations

import pytest

from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host

CLUSTER = "central-prod"
DOMAIN = "genai.example.com"
WORKLOADS = ("langfuse-web", "langfuse-worker", "clickhouse")


@pytest.fixture(scope="module")
def central(example_dist):
    return example_dist.app(CLUSTER, "central")


def store_refs(central, *names: str) -> dict[str, dict[str, str]]:
    """Secret key -> where its ExternalSecret reads it in the store, over the named ExternalSecrets."""
    return {d["secretKey"]: d["remoteRef"] for name in names
            for d in central.get("ExternalSecret", name).obj["spec"]["data"]}


def litellm_store_refs(central) -> dict[str, dict[str, str]]:
    return store_refs(central, *(es.name for es in central.of_kind("ExternalSecret") if es.name.startswith("litellm")))


def service_port(central, service: str, port_name: str) -> int:
    ports = {p["name"]: p for p in central.get("Service", service).obj["spec"]["ports"]}
    assert port_name in ports, f"Service {service} has no port {port_name}"
    return ports[port_name]["port"]


# -- wiring ---------------------------------------------------------------------------------------------

def test_langfuse_reaches_clickhouse_through_its_service(central) -> None:
    clickhouse = service_host("clickhouse")
    assert clickhouse == f"clickhouse.{PLATFORM_NAMESPACE}.svc.cluster.local"
    http = service_port(central, "clickhouse", "http")
    native = service_port(central, "clickhouse", "native")
    assert (http, native) == (PORTS["clickhouse-http"], PORTS["clickhouse-native"]) == (8123, 9000)
    for name in ("langfuse-web", "langfuse-worker"):
        env = central.pod(name).env()
        assert env["CLICKHOUSE_URL"] == f"http://{clickhouse}:{http}"
        assert env["CLICKHOUSE_MIGRATION_URL"] == f"clickhouse://{clickhouse}:{native}"
        # a single node: ON CLUSTER migrations would fail
        assert env["CLICKHOUSE_CLUSTER_ENABLED"] == "false"
        assert env["CLICKHOUSE_USER"] == "langfuse"
        # the password is the very key ClickHouse reads for that user
        assert env["CLICKHOUSE_PASSWORD"] == ("secret", "clickhouse", "password")
    ch_env = central.pod("clickhouse").env()
    assert ch_env["CLICKHOUSE_APP_PASSWORD"] == ("secret", "clickhouse", "password")


def test_langfuse_database_url_points_at_the_postgres_service(central) -> None:
    template = central.get("ExternalSecret", "langfuse").obj["spec"]["target"]["template"]["data"]
    url = template["DATABASE_URL"]
    assert url.startswith("postgresql://langfuse:{{ .DATABASE_PASSWORD | urlquery }}@")
    port = service_port(central, "postgres", "postgres")
    assert url.endswith(f"@{service_host('postgres')}:{port}/langfuse?connection_limit=5")
    for name in ("langfuse-web", "langfuse-worker"):
        assert central.pod(name).env()["DATABASE_URL"] == ("secret", "langfuse", "DATABASE_URL")
    # PostgreSQL creates the langfuse role from the same store entry
    assert store_refs(central, "langfuse")["DATABASE_PASSWORD"] in store_refs(central, "postgres").values()


def test_langfuse_uses_redis_through_sentinel(central) -> None:
    redis = central.get("StatefulSet", "redis").obj["spec"]
    sentinel_port = service_port(central, "redis-headless", "sentinel")
    expected = ",".join(f"redis-{i}.{service_host('redis-headless')}:{sentinel_port}" for i in range(redis["replicas"]))
    for name in ("langfuse-web", "langfuse-worker"):
        env = central.pod(name).env()
        assert env["REDIS_SENTINEL_ENABLED"] == "true"
        assert env["REDIS_SENTINEL_NODES"] == expected
        assert env["REDIS_SENTINEL_MASTER_NAME"] == "mymaster"
        assert env["REDIS_AUTH"] == ("secret", "langfuse", "REDIS_AUTH")
    assert store_refs(central, "langfuse")["REDIS_AUTH"] == store_refs(central, "redis")["REDIS_PASSWORD"]


def test_litellm_reports_to_the_langfuse_web_service_with_the_init_project_keys(central) -> None:
    web_port = service_port(central, "langfuse-web", "http")
    assert central.pod("litellm").env()["LANGFUSE_HOST"] == f"http://{service_host('langfuse-web')}:{web_port}"
    langfuse_data, litellm_data = store_refs(central, "langfuse"), litellm_store_refs(central)
    assert litellm_data["LANGFUSE_PUBLIC_KEY"] == langfuse_data["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"]
    assert litellm_data["LANGFUSE_SECRET_KEY"] == langfuse_data["LANGFUSE_INIT_PROJECT_SECRET_KEY"]


def test_blob_storage_is_s3_through_irsa_without_static_keys(central) -> None:
    account = "210987654321"
    sa = central.get("ServiceAccount", "langfuse")
    assert sa.annotations["eks.amazonaws.com/role-arn"] == f"arn:aws:iam::{account}:role/genai-{CLUSTER}-langfuse"
    for name in ("langfuse-web", "langfuse-worker"):
        pod = central.pod(name)
        assert pod.spec["serviceAccountName"] == "langfuse"
        env = pod.env()
        assert env["LANGFUSE_S3_EVENT_UPLOAD_BUCKET"] == f"{CLUSTER}-langfuse-{account}"
        assert env["LANGFUSE_S3_EVENT_UPLOAD_REGION"] == "eu-central-1"
        assert not [k for k in env if k.endswith(("_ACCESS_KEY_ID", "_SECRET_ACCESS_KEY", "_ENDPOINT"))]


def test_public_url_ingress_and_settings(central) -> None:
    host = f"langfuse.{DOMAIN}"
    web = central.pod("langfuse-web").env()
    assert web["NEXTAUTH_URL"] == f"https://{host}"
    for key in ("NEXTAUTH_SECRET", "SALT", "ENCRYPTION_KEY"):
        assert web[key] == ("secret", "langfuse", key)
    assert web["TELEMETRY_ENABLED"] == "false"
    assert web["AUTH_DISABLE_SIGNUP"] == "true"
    route = central.get("HTTPRoute", "langfuse-web").obj["spec"]
    assert route["hostnames"] == [host]
    assert route["rules"][0]["backendRefs"] == [{"group": "", "kind": "Service", "name": "langfuse-web",
                                                 "port": central.get("Service", "langfuse-web").obj["spec"][
                                                     "ports"][0]["port"]}]
    # SDK ingestion batches are limited at the gateway
    assert central.get("BackendTrafficPolicy", "langfuse-web").obj["spec"]["requestBuffer"] == {"limit": "16Mi"}


def test_web_is_highly_available(central) -> None:
    deployment = central.get("Deployment", "langfuse-web").obj
    # the HPA owns the replica count: a value in git would be reset on every sync
    assert "replicas" not in deployment["spec"]
    hpa = central.get("HorizontalPodAutoscaler", "langfuse-web").obj["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "langfuse-web"}
    assert hpa["minReplicas"] >= 2
    for name in ("langfuse-web", "langfuse-worker"):
        pdb = central.get("PodDisruptionBudget", name).obj["spec"]
        assert pdb["minAvailable"] == 1
        assert pdb["selector"]["matchLabels"].items() <= central.pod(name).labels.items()
    assert central.get("Deployment", "langfuse-worker").obj["spec"]["replicas"] >= 2


@pytest.mark.parametrize(("name", "port", "liveness", "readiness"), [
    ("langfuse-web", 3000, "/api/public/health", "/api/public/ready"),
    ("langfuse-worker", 3030, "/api/health", "/api/ready"),
])
def test_probes(central, name: str, port: int, liveness: str, readiness: str) -> None:
    container = central.pod(name).main
    assert container["ports"] == [{"containerPort": port, "name": "http"}]
    assert container["livenessProbe"]["httpGet"] == {"path": liveness, "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": readiness, "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == liveness


def test_web_service_targets_the_web_pods(central) -> None:
    service = central.get("Service", "langfuse-web").obj["spec"]
    assert service["ports"] == [{"name": "http", "port": 3000, "appProtocol": "http", "targetPort": "http"}]
    assert service["selector"].items() <= central.pod("langfuse-web").labels.items()


# -- ClickHouse --------------------------------------------------------------------------------------------

def test_clickhouse_statefulset(central) -> None:
    statefulset = central.get("StatefulSet", "clickhouse").obj["spec"]
    assert statefulset["replicas"] == 1
    claim = statefulset["volumeClaimTemplates"][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "100Gi"
    pod = central.pod("clickhouse")
    assert pod.mounts()["/var/lib/clickhouse"] == claim["metadata"]["name"]
    assert pod.spec["securityContext"]["runAsUser"] == 101
    assert pod.spec["securityContext"]["fsGroup"] == 101
    container = pod.main
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ping", "port": "http"}
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8123, "native": 9000, "interserver": 9009, "metrics": 9363}


def test_clickhouse_users_come_from_config_and_the_external_secret(central) -> None:
    config = central.get("ConfigMap", "clickhouse-config").obj["data"]
    users = config["users.xml"]
    assert '<default remove="remove"/>' in users  # no passwordless default user
    assert '<password from_env="CLICKHOUSE_APP_PASSWORD"/>' in users
    assert "<langfuse>" in users
    mounts = central.pod("clickhouse").mounts()
    assert mounts["/etc/clickhouse-server/users.d/genai-users.xml"] == "config"
    assert mounts["/etc/clickhouse-server/config.d/genai-server.xml"] == "config"
    checksum = central.pod("clickhouse").template["metadata"]["annotations"]["checksum/config"]
    assert len(checksum) == 64


# -- rules every one of these workloads keeps -----------------------------------------------------------------

@pytest.mark.parametrize("name", WORKLOADS)
def test_workload_security_and_resources(central, name: str) -> None:
    from genai_gitops_constructs.versions import IMAGES

    pod = central.pod(name)
    assert pod.spec["enableServiceLinks"] is False
    assert pod.spec["automountServiceAccountToken"] is False
    assert pod.spec["securityContext"]["runAsNonRoot"] is True
    for container in pod.all_containers:
        assert container["image"] in {str(i) for i in IMAGES.values()}
        resources = container["resources"]
        assert set(resources["requests"]) >= {"cpu", "memory"} and set(resources["limits"]) >= {"cpu", "memory"}
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}
        assert "livenessProbe" in container and "readinessProbe" in container
    for label in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                  "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"):
        assert label in pod.labels
    assert pod.labels["app.kubernetes.io/name"] == name


@pytest.mark.parametrize("name", WORKLOADS)
def test_every_secret_reference_is_made_by_an_external_secret(central, name: str) -> None:
    created = central.secret_keys()
    for container in central.pod(name).all_containers:
        for var in container.get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["key"] in created.get(ref["name"], set()), f"{name} {var['name']}: {ref}"


def test_no_secret_objects_and_the_cluster_store(central) -> None:
    assert central.of_kind("Secret") == []
    for name in ("langfuse", "clickhouse"):
        spec = central.get("ExternalSecret", name).obj["spec"]
        assert spec["secretStoreRef"] == {"name": "aws-secrets-manager", "kind": "ClusterSecretStore"}
        for item in spec["data"]:
            assert item["remoteRef"]["key"].startswith(f"genai/platform/{CLUSTER}/")

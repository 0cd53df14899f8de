"""Lago billing (api, worker, clock, front, migration Job), read from the synthesised central stack."""

from __future__ import annotations

import pytest

from genai_gitops.model.traffic import PORTS, service_host

CLUSTER = "central-prod"
DOMAIN = "genai.example.com"
RUBY = ("lago-api", "lago-worker", "lago-clock")
WORKLOADS = (*RUBY, "lago-front")
WAVE = "argocd.argoproj.io/sync-wave"


@pytest.fixture(scope="module")
def central(example_dist):
    return example_dist.app(CLUSTER, "central")


@pytest.fixture(scope="module")
def migrate(central):
    return central.get("Job", "lago-migrate").obj


def env_of(container: dict) -> dict:
    out = {}
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        out[var["name"]] = ("secret", ref["name"], ref["key"]) if ref else var.get("value")
    return out


def test_clock_runs_exactly_once(central) -> None:
    spec = central.get("Deployment", "lago-clock").obj["spec"]
    assert spec["replicas"] == 1
    # a rolling update would briefly run two schedulers and enqueue every billing job twice
    assert spec["strategy"] == {"type": "Recreate"}
    assert central.find("PodDisruptionBudget", "lago-clock") is None
    assert central.find("HorizontalPodAutoscaler", "lago-clock") is None


def test_each_process_runs_its_own_script_from_the_api_image(central, migrate) -> None:
    from genai_gitops_constructs.versions import image

    scripts = {"lago-api": "./scripts/start.api.sh", "lago-worker": "./scripts/start.worker.sh",
               "lago-clock": "./scripts/start.clock.sh"}
    for name, script in scripts.items():
        container = central.pod(name).containers[0]
        assert container["image"] == image("lago-api")
        assert container["args"] == [script]
    job_container = migrate["spec"]["template"]["spec"]["containers"][0]
    # upstream's scripts/migrate.sh minus `rake db:create` (the lago role has no CREATEDB)
    assert job_container["command"][:2] == ["/bin/bash", "-c"]
    assert "db:create" not in job_container["command"][2]
    assert job_container["command"][2].split("; ")[1:] == [
        "bundle exec rails db:migrate", "bundle exec rails roles:seed_predefined",
        "bundle exec rails signup:seed_organization"]
    assert job_container["image"] == image("lago-api")
    assert central.pod("lago-front").containers[0]["image"] == image("lago-front")


def test_migrations_run_after_the_database_and_before_the_workloads(central, migrate) -> None:
    annotations = migrate["metadata"]["annotations"]
    # a Sync hook, not PreSync: on the first install PreSync would run before the Secret and database exist
    assert annotations["argocd.argoproj.io/hook"] == "Sync"
    assert annotations["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
    job_wave = int(annotations[WAVE])
    for name in ("postgres", "redis"):
        statefulset = central.get("StatefulSet", name)
        assert int(statefulset.annotations.get(WAVE, "0")) < job_wave
    assert int(central.get("ExternalSecret", "lago").annotations.get(WAVE, "0")) < job_wave
    for name in WORKLOADS:
        assert int(central.get("Deployment", name).annotations[WAVE]) > job_wave
    pod = migrate["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    env = env_of(pod["containers"][0])
    assert env["LAGO_CREATE_ORG"] == "true"
    assert env["LAGO_ORG_API_KEY"] == ("secret", "lago", "LAGO_ORG_API_KEY")


def test_urls_and_ingresses(central) -> None:
    api_host, front_host = f"billing-api.{DOMAIN}", f"billing.{DOMAIN}"
    for name in RUBY:
        env = central.pod(name).env()
        assert env["LAGO_API_URL"] == f"https://{api_host}"
        assert env["LAGO_FRONT_URL"] == f"https://{front_host}"
    for name, host in (("lago-api", api_host), ("lago-front", front_host)):
        route = central.get("HTTPRoute", name).obj["spec"]
        assert route["hostnames"] == [host]
        (backend,) = route["rules"][0]["backendRefs"]
        service = central.get("Service", name).obj["spec"]
        assert backend["name"] == name and backend["port"] == service["ports"][0]["port"]
        assert service["selector"].items() <= central.pod(name).labels.items()
    # the browser app calls the public API URL (env-config.js the front serves)
    env_config = central.get("ConfigMap", "lago-front-config").obj["data"]["env-config.js"]
    assert f'window.API_URL = "https://{api_host}"' in env_config.splitlines()


def test_litellm_sends_usage_to_the_lago_api_service_with_the_seeded_key(central, migrate) -> None:
    port = {p["name"]: p["port"] for p in central.get("Service", "lago-api").obj["spec"]["ports"]}["http"]
    assert port == PORTS["lago-api"] == 3000
    litellm = central.pod("litellm").env()
    assert litellm["LAGO_API_BASE"] == f"http://{service_host('lago-api')}:{port}"
    lago_data = {d["secretKey"]: d["remoteRef"] for d in central.get("ExternalSecret", "lago").obj["spec"]["data"]}
    litellm_data = {d["secretKey"]: d["remoteRef"] for es in central.of_kind("ExternalSecret")
                    if es.name.startswith("litellm") for d in es.obj["spec"]["data"]}
    assert litellm_data["LAGO_API_KEY"] == lago_data["LAGO_ORG_API_KEY"]


def test_database_and_redis(central) -> None:
    es = central.get("ExternalSecret", "lago").obj["spec"]
    url = es["target"]["template"]["data"]["DATABASE_URL"]
    assert url.endswith(f"@{service_host('postgres')}:{PORTS['postgres']}/lago")
    assert url.startswith("postgresql://lago:{{ .DATABASE_PASSWORD | urlquery }}@")
    redis_replicas = central.get("StatefulSet", "redis").obj["spec"]["replicas"]
    sentinels = ",".join(f"redis-{i}.{service_host('redis-headless')}:{PORTS['redis-sentinel']}"
                         for i in range(redis_replicas))
    for name in RUBY:
        env = central.pod(name).env()
        assert env["DATABASE_URL"] == ("secret", "lago", "DATABASE_URL")
        assert env["LAGO_REDIS_SIDEKIQ_SENTINELS"] == env["LAGO_REDIS_CACHE_SENTINELS"] == sentinels
        assert env["LAGO_REDIS_SIDEKIQ_MASTER_NAME"] == "mymaster"
        assert env["REDIS_PASSWORD"] == ("secret", "lago", "REDIS_PASSWORD")


def test_keys_come_from_the_external_secret(central) -> None:
    for name in RUBY:
        env = central.pod(name).env()
        for key in ("SECRET_KEY_BASE", "LAGO_RSA_PRIVATE_KEY", "ENCRYPTION_PRIMARY_KEY",
                    "ENCRYPTION_DETERMINISTIC_KEY", "ENCRYPTION_KEY_DERIVATION_SALT"):
            assert env[key] == ("secret", "lago", key), f"{name} {key}"


def test_storage_is_s3_through_irsa(central) -> None:
    sa = central.get("ServiceAccount", "lago")
    assert sa.annotations["eks.amazonaws.com/role-arn"].endswith(f":role/genai-{CLUSTER}-lago")
    for name in RUBY:
        pod = central.pod(name)
        assert pod.spec["serviceAccountName"] == "lago"
        env = pod.env()
        assert env["LAGO_USE_AWS_S3"] == "true"
        assert env["LAGO_AWS_S3_REGION"] == "eu-central-1"
        assert "LAGO_AWS_S3_ACCESS_KEY_ID" not in env and "LAGO_AWS_S3_SECRET_ACCESS_KEY" not in env
    # the front end needs no AWS identity
    assert central.pod("lago-front").spec.get("serviceAccountName") in (None, "default")


def test_probes(central) -> None:
    api = central.pod("lago-api").containers[0]
    assert api["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert api["startupProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert api["livenessProbe"]["tcpSocket"] == {"port": "http"}
    assert api["ports"] == [{"containerPort": 3000, "name": "http"}]
    worker = central.pod("lago-worker").containers[0]
    assert worker["ports"] == [{"containerPort": 8080, "name": "health"}]
    assert worker["livenessProbe"]["httpGet"] == {"path": "/", "port": "health"}
    clock = central.pod("lago-clock").containers[0]
    assert "clockwork" in " ".join(clock["livenessProbe"]["exec"]["command"])


def test_front_runs_unprivileged_on_8080(central) -> None:
    pod = central.pod("lago-front")
    container = pod.containers[0]
    assert container["ports"] == [{"containerPort": 8080, "name": "http"}] and PORTS["lago-front"] == 8080
    assert pod.spec["securityContext"]["runAsUser"] == 101
    nginx = central.get("ConfigMap", "lago-front-config").obj["data"]["nginx.conf"]
    assert "listen 8080;" in nginx and "pid /tmp/nginx.pid;" in nginx
    assert container["command"][:3] == ["nginx", "-c", "/etc/lago-front/nginx.conf"]
    assert pod.mounts(container)["/etc/lago-front"] == "config"


@pytest.mark.parametrize("name", WORKLOADS)
def test_workload_security_and_resources(central, name: str) -> None:
    pod = central.pod(name)
    assert pod.spec["enableServiceLinks"] is False
    assert pod.spec["automountServiceAccountToken"] is False
    assert pod.spec["securityContext"]["runAsNonRoot"] is True
    for container in pod.all_containers:
        resources = container["resources"]
        assert set(resources["requests"]) >= {"cpu", "memory"} and set(resources["limits"]) >= {"cpu", "memory"}
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert "livenessProbe" in container
    assert pod.labels["app.kubernetes.io/name"] == name
    if name != "lago-clock":
        assert central.get("PodDisruptionBudget", name).obj["spec"]["minAvailable"] == 1


def test_every_secret_reference_is_made_by_an_external_secret(central, migrate) -> None:
    created = central.secret_keys()
    containers = [c for name in WORKLOADS for c in central.pod(name).all_containers]
    containers += migrate["spec"]["template"]["spec"]["containers"]
    for container in containers:
        for var in container.get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["key"] in created.get(ref["name"], set()), f"{container['name']} {var['name']}: {ref}"
    assert central.of_kind("Secret") == []


def test_actioncable_asks_the_sentinels_for_the_master(central) -> None:
    """No fixed pod: after a failover (or a stale redis-0 after a full restart) pub/sub follows the master."""
    import yaml

    cable = yaml.safe_load(central.get("ConfigMap", "lago-cable").obj["data"]["cable.yml"])["production"]
    redis = central.get("StatefulSet", "redis").obj
    assert cable["adapter"] == "redis" and cable["role"] == "master"
    assert cable["name"] == "mymaster"
    assert [s["port"] for s in cable["sentinels"]] == [26379] * redis["spec"]["replicas"]
    assert all(s["host"].endswith(".redis-headless.genai-platform.svc.cluster.local") for s in cable["sentinels"])
    assert "url" not in cable and cable["password"] == '<%= ENV.fetch("REDIS_PASSWORD") %>'
    for name in ("lago-api", "lago-worker", "lago-clock"):
        pod = central.pod(name)
        assert pod.mounts()["/app/config/cable.yml"] == "cable"
        assert "LAGO_REDIS_CABLE_URL" not in pod.env()
        assert pod.env()["REDIS_PASSWORD"][0] == "secret"

"""The central LiteLLM as Argo CD deploys it: config, wiring to its dependencies, HA, secrets, budgets."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from genai_gitops.manifests.pods import pod_spec
from genai_gitops.model.errors import ModelError
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS
from genai_gitops_constructs.components import litellm_config as cfg

CLUSTER = "central-prod"


@pytest.fixture(scope="module")
def central(example_dist: Any) -> Any:
    return example_dist.app(CLUSTER, "central")


@pytest.fixture(scope="module")
def config(central: Any) -> dict[str, Any]:
    return yaml.safe_load(central.get("ConfigMap", "litellm-config").obj["data"]["config.yaml"])


@pytest.fixture(scope="module")
def litellm(central: Any) -> Any:
    return central.pod("litellm")


def env_refs(value: Any) -> Iterator[str]:
    """Every `os.environ/NAME` anywhere in the config."""
    if isinstance(value, dict):
        for item in value.values():
            yield from env_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from env_refs(item)
    elif isinstance(value, str) and value.startswith("os.environ/"):
        yield value.removeprefix("os.environ/")


def service_port(central: Any, url_or_host: str) -> tuple[str, int]:
    """(Service name, port) of an in-namespace URL or host:port; asserts the fully qualified form."""
    parts = urlsplit(url_or_host if "://" in url_or_host else f"tcp://{url_or_host}")
    host = parts.hostname or ""
    match = re.fullmatch(rf"([a-z0-9-]+(?:\.[a-z0-9-]+)?)\.{PLATFORM_NAMESPACE}\.svc\.cluster\.local", host)
    assert match, f"{url_or_host}: not a fully qualified Service name in {PLATFORM_NAMESPACE}"
    return match.group(1), int(parts.port or 0)


def assert_served(central: Any, name: str, port: int) -> None:
    service = central.get("Service", name)
    assert port in [p["port"] for p in service.obj["spec"]["ports"]], (name, port)


# -- the config ---------------------------------------------------------------------------------------

def test_every_tenant_model_is_served(example_dist: Any, config: dict[str, Any]) -> None:
    served = {e["model_name"] for e in config["model_list"]}
    for tenant in example_dist.platform.tenants:
        assert set(tenant.models.external) <= served, tenant.id

    def providers(name: str) -> set[str]:
        return {e["litellm_params"]["model"].split("/")[0] for e in config["model_list"] if e["model_name"] == name}

    assert providers("gpt-4o-mini") == {"openai"}
    assert providers("claude-sonnet") == {"anthropic", "bedrock"}
    assert providers("llama-3.1-8b") == {"hosted_vllm"}


def test_config_holds_no_secret_values(config: dict[str, Any]) -> None:
    text = yaml.safe_dump(config)
    assert not re.search(r"\bsk-[A-Za-z0-9]", text)
    for entry in config["model_list"]:
        key = entry["litellm_params"].get("api_key")
        assert key is None or key.startswith("os.environ/"), entry
    general = config["general_settings"]
    assert general["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert general["database_url"] == "os.environ/DATABASE_URL"


def test_every_environment_reference_is_set_by_the_deployment(config: dict[str, Any], litellm: Any) -> None:
    env = litellm.env()
    missing = sorted(set(env_refs(config)) - set(env))
    assert missing == [], f"config.yaml reads {missing} but the Deployment does not set them"


def test_bedrock_uses_irsa_not_keys(central: Any, config: dict[str, Any], litellm: Any) -> None:
    bedrock = [e["litellm_params"] for e in config["model_list"]
               if e["litellm_params"]["model"].startswith("bedrock/")]
    assert bedrock
    for params in bedrock:
        assert params == {"model": params["model"], "aws_region_name": "eu-central-1"}
    env = litellm.env()
    assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} & set(env)
    account = central.get("ServiceAccount", "litellm")
    assert account.annotations["eks.amazonaws.com/role-arn"] == \
        "arn:aws:iam::210987654321:role/genai-central-prod-litellm"
    assert litellm.spec["serviceAccountName"] == "litellm"


def test_redis_is_reached_through_sentinel(central: Any, config: dict[str, Any]) -> None:
    redis = central.get("StatefulSet", "redis").obj["spec"]
    headless = central.get("Service", redis["serviceName"]).obj["spec"]
    expected = [[f"redis-{i}.{redis['serviceName']}.{PLATFORM_NAMESPACE}.svc.cluster.local", PORTS["redis-sentinel"]]
                for i in range(redis["replicas"])]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"] is True
    assert PORTS["redis-sentinel"] in [p["port"] for p in headless["ports"]]
    for where in (config["litellm_settings"]["cache_params"], config["general_settings"]["coordination_redis"]):
        assert where["sentinel_nodes"] == expected
        assert where["service_name"] == "mymaster"
        assert where["password"] == "os.environ/REDIS_PASSWORD" and "sentinel_password" not in where
    assert config["litellm_settings"]["cache"] is True
    # the master set name is the one the Sentinels monitor
    script = central.get("ConfigMap", "redis-scripts").obj["data"]["init.sh"]
    assert "sentinel monitor ${MASTER_SET}" in script
    init_env = {e["name"]: e.get("value") for e in central.pod("redis").init_containers[0]["env"]}
    assert init_env["MASTER_SET"] == "mymaster" and init_env["QUORUM"] == "2"


def test_dependencies_are_reached_by_service_name(central: Any, config: dict[str, Any], litellm: Any) -> None:
    env = litellm.env()
    # in this app: vLLM and PostgreSQL must exist with these ports
    vllm = [e["litellm_params"] for e in config["model_list"]
            if e["litellm_params"]["model"].startswith("hosted_vllm/")]
    assert vllm and all(p["api_base"] == vllm[0]["api_base"] for p in vllm)
    assert service_port(central, vllm[0]["api_base"]) == ("vllm", PORTS["vllm"])
    assert_served(central, "vllm", PORTS["vllm"])
    url = central.get("ExternalSecret", "litellm").obj["spec"]["target"]["template"]["data"]["DATABASE_URL"]
    assert url.startswith("postgresql://litellm:{{ .LITELLM_DB_PASSWORD | urlquery }}@")
    assert service_port(central, url.split("@", 1)[1]) == ("postgres", PORTS["postgres"])
    assert url.endswith("/litellm")
    assert_served(central, "postgres", PORTS["postgres"])
    # the other engineer's components: names and ports from the traffic graph; checked against their
    # Services once those are in this app
    elsewhere = ((env["LANGFUSE_HOST"], ("langfuse-web", PORTS["langfuse-web"])),
                 (env["OTEL_ENDPOINT"], ("jaeger", PORTS["jaeger-otlp-grpc"])),
                 (env["LAGO_API_BASE"], ("lago-api", PORTS["lago-api"])))
    for value, (name, port) in elsewhere:
        assert service_port(central, value) == (name, port)
        if central.find("Service", name) is not None:
            assert_served(central, name, port)
    assert env["OTEL_EXPORTER"] == "otlp_grpc"
    assert env["LAGO_API_CHARGE_BY"] == "team_id"


def test_callbacks_and_settings(config: dict[str, Any], litellm: Any) -> None:
    settings = config["litellm_settings"]
    assert settings["callbacks"] == ["prometheus", "otel"]
    assert "langfuse" in settings["success_callback"]
    assert settings["drop_params"] is True and settings["request_timeout"] == 600
    assert config["general_settings"]["store_model_in_db"] is False
    # no MCP server is shared centrally yet; the registry (a REST catalogue) is never one
    assert "mcp_servers" not in config
    env = litellm.env()
    assert env["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    assert env["DISABLE_SCHEMA_UPDATE"] == "true"  # the wave-1 migration Job migrated; replicas never race
    # the image's HOME=/app is on the read-only root: HOME is an emptyDir
    assert env["HOME"] == "/home/litellm" and litellm.mounts()["/home/litellm"] == "home"


def test_config_is_mounted_from_the_configmap(central: Any, litellm: Any) -> None:
    container = litellm.main
    assert container["args"][:2] == ["--config", "/etc/litellm/config.yaml"]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/etc/litellm/config.yaml")
    assert mount["subPath"] == "config.yaml" and mount["readOnly"] is True
    assert litellm.volumes[mount["name"]]["configMap"]["name"] == "litellm-config"
    text = central.get("ConfigMap", "litellm-config").obj["data"]["config.yaml"]
    assert litellm.template["metadata"]["annotations"]["checksum/config"] == hashlib.sha256(text.encode()).hexdigest()


# -- secrets ---------------------------------------------------------------------------------------------

def test_no_secret_objects_and_every_secret_ref_is_produced(central: Any) -> None:
    assert central.of_kind("Secret") == []
    produced = central.secret_keys()
    for external in central.of_kind("ExternalSecret"):
        ref = external.obj["spec"]["secretStoreRef"]
        # tenants' keys come through their own store (test_tenant_key_store.py), everything else is the platform's
        store = "tenant-litellm-keys" if external.name == "litellm-tenant-keys" else "aws-secrets-manager"
        assert ref == {"name": store, "kind": "ClusterSecretStore"}, external.name
    pods = [r for r in central.resources if r.kind in ("Deployment", "StatefulSet", "Job", "CronJob")]
    assert pods
    for workload in pods:
        spec = pod_spec(workload)
        assert spec is not None, workload.describe()
        for container in spec.get("initContainers", []) + spec["containers"]:
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in produced.get(ref["name"], set()), (workload.name, container["name"], ref)
            assert "envFrom" not in container


def test_litellm_secrets(central: Any, litellm: Any) -> None:
    secret_env = {name for name, value in litellm.env().items() if isinstance(value, tuple)}
    assert secret_env == {"LITELLM_MASTER_KEY", "LITELLM_SALT_KEY", "DATABASE_URL", "REDIS_PASSWORD",
                          "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY",
                          "VLLM_API_KEY", "LAGO_API_KEY"}
    # the same store entries as the servers they talk to
    data = {d["secretKey"]: d["remoteRef"] for d in central.get("ExternalSecret", "litellm").obj["spec"]["data"]}
    vllm = {d["secretKey"]: d["remoteRef"] for d in central.get("ExternalSecret", "vllm").obj["spec"]["data"]}
    redis = {d["secretKey"]: d["remoteRef"] for d in central.get("ExternalSecret", "redis").obj["spec"]["data"]}
    postgres = {d["secretKey"]: d["remoteRef"] for d in central.get("ExternalSecret", "postgres").obj["spec"]["data"]}
    assert data["VLLM_API_KEY"] == vllm["VLLM_API_KEY"]
    assert data["REDIS_PASSWORD"] == redis["REDIS_PASSWORD"]
    assert data["LITELLM_DB_PASSWORD"] == postgres["LITELLM_DB_PASSWORD"]


# -- HA ---------------------------------------------------------------------------------------------------

def test_high_availability(central: Any, litellm: Any) -> None:
    deployment = central.get("Deployment", "litellm").obj["spec"]
    assert "replicas" not in deployment  # the HPA owns the replica count
    assert deployment["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    hpa = central.get("HorizontalPodAutoscaler", "litellm")
    assert hpa.api_version == "autoscaling/v2"
    spec = hpa.obj["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "litellm"}
    assert spec["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    pdb = central.get("PodDisruptionBudget", "litellm").obj["spec"]
    assert pdb["minAvailable"] == 1
    assert pdb["selector"]["matchLabels"].items() <= litellm.labels.items()
    term = litellm.spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert term["podAffinityTerm"]["labelSelector"]["matchLabels"] == pdb["selector"]["matchLabels"]
    assert litellm.spec["terminationGracePeriodSeconds"] == 90


def test_probes(litellm: Any) -> None:
    container = litellm.main
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/liveliness"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
    assert container["startupProbe"]["httpGet"]["path"] == "/health/readiness"
    assert container["startupProbe"]["failureThreshold"] == 30


def test_runs_as_nobody_with_a_read_only_root(litellm: Any) -> None:
    security = litellm.main["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["runAsNonRoot"] is True
    assert security["runAsUser"] == 65534 and security["capabilities"] == {"drop": ["ALL"]}
    assert {"/tmp", "/.cache", "/.npm", "/var/lib/litellm"} <= set(litellm.mounts())
    assert litellm.spec["enableServiceLinks"] is False
    assert litellm.main["image"].startswith("ghcr.io/berriai/litellm-non_root:")


def test_public_route(central: Any) -> None:
    spec = central.get("HTTPRoute", "litellm").obj["spec"]
    assert spec["hostnames"] == ["llm.genai.example.com"]
    # the OpenAI API only, streamed answers get ten minutes
    assert spec["rules"] == [{"matches": [{"path": {"type": "PathPrefix", "value": "/v1"}}],
                              "backendRefs": [{"group": "", "kind": "Service", "name": "litellm", "port": 4000}],
                              "timeouts": {"request": "600s"}}]
    listener = next(item for item in central.get("Gateway", "public").obj["spec"]["listeners"]
                    if item["name"] == spec["parentRefs"][0]["sectionName"])
    assert listener["tls"]["certificateRefs"] == [{"group": "", "kind": "Secret", "name": "litellm-tls"}]


def test_metrics_have_their_own_port(central: Any, litellm: Any) -> None:
    ports = {p["name"]: p["containerPort"] for p in litellm.main["ports"]}
    assert ports == {"http": PORTS["litellm"], "metrics": PORTS["litellm-metrics"]}
    args = litellm.main["args"]
    assert args[args.index("--prometheus_metrics_port") + 1] == str(PORTS["litellm-metrics"])
    assert {p["name"]: p["port"] for p in central.get("Service", "litellm").obj["spec"]["ports"]} == ports


# -- budgets and rate limits per tenant ------------------------------------------------------------------

def test_every_litellm_tenant_gets_a_team_with_its_budget(example_dist: Any, central: Any) -> None:
    entries = json.loads(central.get("ConfigMap", "litellm-teams").obj["data"]["teams.json"])
    teams = {e["team"]["team_id"]: e for e in entries}
    for tenant in example_dist.platform.tenants:
        if not tenant.usage_mode.uses_litellm:
            assert tenant.id not in teams, "a local tenant must get no LiteLLM team"
            continue
        team = teams[tenant.id]["team"]
        assert team["max_budget"] == tenant.quotas.monthly_budget_usd
        assert team["budget_duration"] == "30d"
        assert team["rpm_limit"] == tenant.quotas.requests_per_minute
        assert team.get("tpm_limit") == tenant.quotas.tokens_per_minute
        assert team["models"] == sorted(tenant.models.external)
        assert teams[tenant.id]["key"]["env"] == f"TENANT_KEY_{tenant.id.upper()}"
    assert set(teams) == {"acme", "globex"}
    # the tenant's key reaches the sync Job from the same store entry its Open WebUI reads
    keys = {d["secretKey"]: d["remoteRef"]
            for d in central.get("ExternalSecret", "litellm-tenant-keys").obj["spec"]["data"]}
    assert keys["TENANT_KEY_ACME"] == {"key": "genai/tenants/acme/litellm", "property": "api_key"}


def test_team_sync_depends_on_litellm_only(central: Any) -> None:
    """A CronJob, not a PostSync hook: it waits for LiteLLM itself and blocks no sync wave."""
    job = central.get("CronJob", "litellm-team-sync")
    assert "argocd.argoproj.io/hook" not in job.annotations
    assert job.obj["spec"]["concurrencyPolicy"] == "Forbid"
    job_spec = job.obj["spec"]["jobTemplate"]["spec"]
    pod = job_spec["template"]
    assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == "litellm-team-sync"
    container = pod["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["LITELLM_URL"] == f"http://litellm.{PLATFORM_NAMESPACE}.svc.cluster.local:4000"
    # the readiness wait ends before the Job's deadline, so a down LiteLLM fails the run cleanly
    assert int(env["READY_TIMEOUT"]) < job_spec["activeDeadlineSeconds"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_migrations_run_once_before_the_replicas(central: Any) -> None:
    job = central.get("Job", "litellm-migrate")
    assert job.annotations["argocd.argoproj.io/hook"] == "Sync"
    deployment = central.get("Deployment", "litellm")
    assert int(job.annotations["argocd.argoproj.io/sync-wave"]) < int(
        deployment.annotations["argocd.argoproj.io/sync-wave"])
    container = job.obj["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][-1] == "--skip_server_startup"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["DISABLE_SCHEMA_UPDATE"] == "false"
    assert any(e["name"] == "DATABASE_URL" for e in container["env"])


class FakeLiteLLM:
    """The management API the team sync uses: teams and keys in memory, every call recorded."""

    def __init__(self) -> None:
        self.teams: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                fake.calls.append(("GET", self.path))
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/health/readiness":
                    self._reply(200, {"status": "healthy"})
                elif self.headers.get("Authorization") != "Bearer sk-master":
                    self._reply(401)
                elif url.path == "/team/info":
                    self._reply(200 if query["team_id"] in fake.teams else 404)
                elif url.path == "/key/info":
                    self._reply(200 if query["key"] in fake.keys else 404)
                else:
                    self._reply(404)

            def do_POST(self) -> None:
                fake.calls.append(("POST", self.path))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path in ("/team/new", "/team/update"):
                    fake.teams[body["team_id"]] = body
                elif self.path == "/key/generate":
                    fake.keys[hashlib.sha256(body["key"].encode()).hexdigest()] = body
                elif self.path == "/key/update":
                    fake.keys[body["key"]] = body
                self._reply(200, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_team_sync_creates_then_updates(central: Any, tmp_path: Path) -> None:
    data = central.get("ConfigMap", "litellm-teams").obj["data"]
    (tmp_path / "team_sync.py").write_text(data["team_sync.py"])
    (tmp_path / "teams.json").write_text(data["teams.json"])
    fake = FakeLiteLLM()
    env = {"LITELLM_URL": fake.url, "LITELLM_MASTER_KEY": "sk-master", "TEAMS_FILE": str(tmp_path / "teams.json"),
           "READY_TIMEOUT": "10", "TENANT_KEY_ACME": "sk-acme-tenant-key"}
    try:
        def run() -> str:
            done = subprocess.run([sys.executable, str(tmp_path / "team_sync.py")], env=env, capture_output=True,
                                  text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            return done.stdout

        first = run()
        assert "team acme: created" in first and "team globex: created" in first
        assert "key acme-open-webui: created" in first
        assert "TENANT_KEY_GLOBEX" in first  # no key stored for globex in this run: reported, not fatal
        assert fake.teams["acme"]["max_budget"] == 2500.0 and fake.teams["acme"]["budget_duration"] == "30d"
        assert fake.teams["globex"]["rpm_limit"] == 300
        acme_key = fake.keys[hashlib.sha256(b"sk-acme-tenant-key").hexdigest()]
        assert acme_key["team_id"] == "acme" and acme_key["models"] == ["claude-sonnet", "gpt-4o-mini", "llama-3.1-8b"]
        second = run()
        assert "team acme: updated" in second and "key acme-open-webui: updated" in second
        # the key itself is never in a URL (URLs end up in access logs)
        assert not any("sk-acme-tenant-key" in path for _, path in fake.calls)
    finally:
        fake.server.shutdown()
        fake.server.server_close()


# -- errors for people ---------------------------------------------------------------------------------

def _props(*tenants: TenantSpec, vllm: bool = True) -> cfg.LiteLLMConfigProps:
    return cfg.LiteLLMConfigProps(region="eu-central-1", tenants=tenants, sentinel_nodes=[("redis-0.x", 26379)],
                                  master_set="mymaster", vllm=vllm,
                                  tenant_files={t.id: f"tenants/{t.id}.yaml" for t in tenants})


def test_an_unknown_model_is_a_clear_error(make_tenant: Callable[..., TenantSpec]) -> None:
    tenant = make_tenant(models={"external": ["gpt-4o-mini", "gpt-5-turbo"]})
    with pytest.raises(ModelError) as error:
        cfg.render_config(_props(tenant))
    assert str(error.value) == (
        "tenants/umbrella.yaml: models.external[1]: 'gpt-5-turbo' is not served by the central LiteLLM; "
        "available: claude-sonnet, gpt-4o, gpt-4o-mini, llama-3.1-8b. Use one of those, or add the model to "
        "CATALOGUE in constructs/genai_gitops_constructs/components/litellm_config.py")


def test_a_self_hosted_model_needs_a_gpu_pool(make_tenant: Callable[..., TenantSpec]) -> None:
    tenant = make_tenant(models={"external": ["llama-3.1-8b"]})
    with pytest.raises(ModelError, match=r"models.external\[0\]: 'llama-3.1-8b' is not served by the central "
                                         r"LiteLLM \(self-hosted: the central cluster has no GPU node pool"):
        cfg.render_config(_props(tenant, vllm=False))
    assert "hosted_vllm" not in yaml.safe_dump(cfg.render_config(_props(vllm=False)))


def test_jwt_auth_is_optional(make_tenant: Callable[..., TenantSpec]) -> None:
    assert "enable_jwt_auth" not in cfg.render_config(_props())["general_settings"]
    jwt = cfg.JwtAuth(jwks_url="https://idp.example/.well-known/jwks.json", audience="litellm")
    props = cfg.LiteLLMConfigProps(**{**_props().__dict__, "jwt": jwt})
    general = cfg.render_config(props)["general_settings"]
    assert general["enable_jwt_auth"] is True
    assert general["litellm_jwtauth"] == {"team_id_jwt_field": "tenant", "user_id_jwt_field": "sub"}


def test_mcp_server_names_use_underscores() -> None:
    with pytest.raises(ValueError, match="use letters, digits and '_' only"):
        cfg.SharedMcpServer("wiki-tools", "http://wiki.genai-platform.svc.cluster.local/mcp")


def test_the_mcp_registry_is_not_an_mcp_server() -> None:
    url = f"http://mcp-registry.{PLATFORM_NAMESPACE}.svc.cluster.local:{PORTS['mcp-registry']}/mcp"
    with pytest.raises(ValueError, match="is the MCP registry, a REST catalogue"):
        cfg.SharedMcpServer("mcp_registry", url)
    server = cfg.SharedMcpServer("wiki", f"http://wiki.{PLATFORM_NAMESPACE}.svc.cluster.local:8000/mcp", "Wiki")
    props = cfg.LiteLLMConfigProps(**{**_props().__dict__, "mcp_servers": (server,)})
    assert cfg.render_config(props)["mcp_servers"] == {
        "wiki": {"url": server.url, "transport": "http", "description": "Wiki"}}


def test_the_deployed_image_is_the_version_the_boot_test_runs() -> None:
    """requirements/litellm.lock pins what test_litellm_boot.py starts; the image must be that release."""
    from genai_gitops_constructs.versions import IMAGES

    lock = (Path(__file__).resolve().parents[2] / "requirements" / "litellm.lock").read_text()
    booted = re.search(r"^litellm==([0-9][^ \\]*)", lock, re.MULTILINE)
    assert booted, "requirements/litellm.lock pins no litellm version"
    assert IMAGES["litellm"].tag.removeprefix("v") == booted.group(1)

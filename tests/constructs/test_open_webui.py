"""Open WebUI: wiring by usage mode, sign-in, storage, scaling, and how it runs."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, Workload, tenant_flows

SECRET = "secret"


def test_openai_base_url_is_the_central_ingress_for_a_tenant_on_another_cluster(example_dist) -> None:
    for tenant in ("acme", "globex"):
        spec = example_dist.spec(tenant)
        central = example_dist.platform.inventory.central_for(spec.environment)
        assert central is not None and central.name != spec.cluster
        env = example_dist.tenant(tenant).pod("open-webui").env()
        assert env["OPENAI_API_BASE_URL"] == f"https://llm.{central.capabilities.ingress.domain}/v1"
        assert env["ENABLE_OPENAI_API"] == "True"
        assert env["OPENAI_API_KEY"] == (SECRET, "open-webui", "openai-api-key")


def test_openai_base_url_is_the_litellm_service_for_a_tenant_on_the_central_cluster(make_tenant, synth_tenants):
    tenant = make_tenant()
    dist = synth_tenants(tenant)
    url = urlsplit(dist.tenant(tenant.id).pod("open-webui").env()["OPENAI_API_BASE_URL"])

    assert (url.scheme, url.path) == ("http", "/v1")
    assert url.hostname == f"litellm.{PLATFORM_NAMESPACE}.svc.cluster.local"
    assert url.port == PORTS["litellm"]
    # the NetworkPolicy for this tenant allows exactly that hop
    flows = tenant_flows(tenant, dist.platform.inventory)
    litellm = [f for f in flows if f.destination == Workload(PLATFORM_NAMESPACE, "litellm")]
    assert [p.number for f in litellm for p in f.ports] == [url.port]
    # and, once the central stack defines it, the Service answers on that port
    service = dist.app(tenant.cluster, "central").find("Service", "litellm")
    if service is not None:
        assert url.port in [p["port"] for p in service.obj["spec"]["ports"]]


def test_a_local_tenant_talks_to_its_ollama_and_never_to_litellm(example_dist) -> None:
    env = example_dist.tenant("initech").pod("open-webui").env()

    assert env["ENABLE_OLLAMA_API"] == "True"
    assert env["OLLAMA_BASE_URL"] == f"http://ollama.tenant-initech.svc.cluster.local:{PORTS['ollama']}"
    assert env["ENABLE_OPENAI_API"] == "False"
    assert not {"OPENAI_API_BASE_URL", "OPENAI_API_KEY", "OPENAI_API_BASE_URLS"} & set(env)
    assert "openai-api-key" not in example_dist.tenant("initech").secret_keys()["open-webui"]


def test_an_external_tenant_switches_the_ollama_api_off(example_dist) -> None:
    env = example_dist.tenant("globex").pod("open-webui").env()

    assert env["ENABLE_OLLAMA_API"] == "False"
    assert "OLLAMA_BASE_URL" not in env


def test_a_hybrid_tenant_has_both_backends(example_dist) -> None:
    env = example_dist.tenant("acme").pod("open-webui").env()

    assert env["OLLAMA_BASE_URL"] == "http://ollama.tenant-acme.svc.cluster.local:11434"
    assert env["OPENAI_API_BASE_URL"] == "https://llm.genai.example.com/v1"


def test_rag_uses_the_tenant_qdrant_with_its_api_key(example_dist) -> None:
    app = example_dist.tenant("acme")
    env = app.pod("open-webui").env()

    assert env["VECTOR_DB"] == "qdrant"
    assert env["QDRANT_URI"] == f"http://qdrant.tenant-acme.svc.cluster.local:{PORTS['qdrant-http']}"
    assert env["QDRANT_API_KEY"] == (SECRET, "open-webui", "qdrant-api-key")
    # the same store entry as the key Qdrant itself requires
    refs = {d["secretKey"]: d["remoteRef"] for d in app.get("ExternalSecret", "open-webui").obj["spec"]["data"]}
    qdrant = app.get("ExternalSecret", "qdrant").obj["spec"]["data"][0]["remoteRef"]
    assert refs["qdrant-api-key"] == qdrant
    # RAG off: vectors in the tenant's PostgreSQL (shared by replicas, persistent), never embedded Chroma
    no_rag = example_dist.tenant("initech").pod("open-webui").env()
    assert no_rag["VECTOR_DB"] == "pgvector" and "QDRANT_URI" not in no_rag
    assert no_rag["DATABASE_URL"][0] == SECRET


def test_sign_in_is_the_tenant_oidc_provider(example_dist) -> None:
    spec = example_dist.spec("acme")
    env = example_dist.tenant("acme").pod("open-webui").env()

    assert env["WEBUI_NAME"] == spec.branding.display_name == "Acme Assist"
    assert env["WEBUI_URL"] == "https://assist.acme.example"
    assert env["OAUTH_CLIENT_ID"] == "open-webui-acme"
    assert env["OPENID_PROVIDER_URL"] == "https://acme.okta.com/oauth2/default/.well-known/openid-configuration"
    assert env["OAUTH_PROVIDER_NAME"] == "Acme Okta"
    assert env["OAUTH_SCOPES"] == "openid email profile groups"
    # roles from the IdP's groups (Open WebUI 0.11.0 utils/oauth.py get_user_role)
    assert env["ENABLE_OAUTH_ROLE_MANAGEMENT"] == "True" and env["OAUTH_ROLES_CLAIM"] == "groups"
    assert env["OAUTH_ADMIN_ROLES"] == ",".join(spec.oidc.admin_groups)
    assert env["OAUTH_ALLOWED_ROLES"] == "*"
    assert env["ENABLE_OAUTH_SIGNUP"] == "True"
    assert env["OAUTH_CLIENT_SECRET"] == (SECRET, "open-webui-oidc", "client-secret")
    assert (env["ENABLE_LOGIN_FORM"], env["ENABLE_SIGNUP"]) == ("False", "False")
    oidc = example_dist.tenant("acme").get("ExternalSecret", "open-webui-oidc").obj["spec"]["data"]
    assert oidc == [{"secretKey": "client-secret",
                     "remoteRef": {"key": "genai/tenants/acme/oidc", "property": "client_secret"}}]


def test_an_issuer_with_a_trailing_slash_gets_one_discovery_path(make_tenant, synth_tenants) -> None:
    tenant = make_tenant()  # issuer https://login.umbrella.example/
    env = synth_tenants(tenant).tenant(tenant.id).pod("open-webui").env()
    assert env["OPENID_PROVIDER_URL"] == "https://login.umbrella.example/.well-known/openid-configuration"


def test_environment_is_authoritative_and_sessions_are_shared(example_dist) -> None:
    env = example_dist.tenant("globex").pod("open-webui").env()

    assert env["ENABLE_PERSISTENT_CONFIG"] == "False"
    assert env["WEBUI_SECRET_KEY"] == (SECRET, "open-webui", "webui-secret-key")
    assert env["DATABASE_URL"] == (SECRET, "open-webui", "database-url")
    assert env["ENABLE_WEBSOCKET_SUPPORT"] == "True"
    assert env["WEBSOCKET_MANAGER"] == "redis"
    assert env["WEBSOCKET_REDIS_URL"] == env["REDIS_URL"] == (SECRET, "open-webui", "redis-url")
    template = example_dist.tenant("globex").get("ExternalSecret", "open-webui").obj["spec"]["target"]["template"]
    redis_url = template["data"]["redis-url"]
    assert re.fullmatch(r'redis://:\{\{ index \. "redis-password" \| urlquery \}\}@'
                        r"redis\.tenant-globex\.svc\.cluster\.local:6379/0", redis_url)


def test_files_go_to_s3_through_irsa_without_keys(example_dist) -> None:
    app = example_dist.tenant("globex")
    pod = app.pod("open-webui")
    env = pod.env()

    assert (env["STORAGE_PROVIDER"], env["S3_BUCKET_NAME"], env["S3_REGION_NAME"]) == (
        "s3", "globex-genai-data", "us-east-1")
    assert not {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} & set(env)
    account = app.get("ServiceAccount", "open-webui")
    assert account.annotations["eks.amazonaws.com/role-arn"] == (
        "arn:aws:iam::444455556666:role/genai-tenant-globex-open-webui")
    assert account.obj["automountServiceAccountToken"] is False
    assert pod.spec["serviceAccountName"] == "open-webui"
    assert pod.spec["automountServiceAccountToken"] is False
    # the webhook's projected token is readable by the non-root user only through fsGroup
    assert pod.spec["securityContext"]["fsGroup"] == pod.main["securityContext"]["runAsGroup"]


def test_scaling_follows_the_tenant(example_dist) -> None:
    app = example_dist.tenant("acme")
    hpa = app.get("HorizontalPodAutoscaler", "open-webui").obj

    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "open-webui"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 4)
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    # the HPA owns the replica count: a fixed one would be reset by every Argo CD sync
    assert "replicas" not in app.get("Deployment", "open-webui").obj["spec"]


def test_the_disruption_budget_never_blocks_a_drain(example_dist) -> None:
    for tenant in ("acme", "initech"):  # 2 and 1 minimum replicas
        pdb = example_dist.tenant(tenant).get("PodDisruptionBudget", "open-webui").obj["spec"]
        assert pdb["maxUnavailable"] == 1 and "minAvailable" not in pdb
        assert pdb["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
        assert pdb["selector"]["matchLabels"]["app.kubernetes.io/name"] == "open-webui"


def test_probes_and_service(example_dist) -> None:
    app = example_dist.tenant("initech")
    main = app.pod("open-webui").main

    assert main["ports"] == [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]
    assert main["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert main["startupProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    service = app.get("Service", "open-webui").obj["spec"]
    assert service["type"] == "ClusterIP"
    assert [(p["name"], p["port"], p["targetPort"]) for p in service["ports"]] == [("http", 80, "http")]


def test_runs_non_root_on_a_read_only_root_filesystem(example_dist) -> None:
    pod = example_dist.tenant("acme").pod("open-webui")

    for container in pod.all_containers:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001
        assert context["readOnlyRootFilesystem"] is True
    # everything it writes is an emptyDir; the image's copies are seeded before it starts
    assert {"/app/backend/data", "/app/backend/open_webui/static", "/tmp", pod.env()["HOME"]} <= set(pod.mounts())
    assert all("emptyDir" in pod.volumes[name] for name in pod.mounts().values())
    seed = pod.init_containers[0]
    assert seed["image"] == pod.main["image"]
    assert set(pod.mounts(seed).values()) == {"data", "static"}


def test_mcp_servers_become_tool_servers(example_dist) -> None:
    app = example_dist.tenant("acme")
    env = app.pod("open-webui").env()
    assert env["TOOL_SERVER_CONNECTIONS"] == (SECRET, "open-webui", "tool-server-connections")

    spec = app.get("ExternalSecret", "open-webui").obj["spec"]
    template = spec["target"]["template"]["data"]["tool-server-connections"]
    # ESO splices the token in; render the template with a stand-in to read the JSON
    action = '{{ index . "mcp-jira-token" | toJson }}'
    assert action in template
    (server,) = json.loads(template.replace(action, '"token-value"'))
    assert server["type"] == "mcp" and server["auth_type"] == "bearer" and server["key"] == "token-value"
    assert server["url"] == "http://mcp-jira.tenant-acme.svc.cluster.local:8000/mcp"
    assert server["info"]["id"] == "mcp-jira"
    assert server["config"]["enable"] is True
    data = {d["secretKey"]: d["remoteRef"] for d in spec["data"]}
    assert data["mcp-jira-token"] == {"key": "genai/tenants/acme/mcp-jira", "property": "token"}


def test_no_tool_servers_no_tool_server_env(example_dist) -> None:
    assert "TOOL_SERVER_CONNECTIONS" not in example_dist.tenant("globex").pod("open-webui").env()

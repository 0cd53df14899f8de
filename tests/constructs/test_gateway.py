"""The public entry through Envoy Gateway: a `public` Gateway per namespace with its TLS floor, one HTTPRoute
per public endpoint (Open WebUI per tenant, LiteLLM, Langfuse, Lago API and front end), certificates from
cert-manager through the same Gateway, the LiteLLM body limit and its client ranges from the inventory."""

from __future__ import annotations

from typing import Any

from genai_gitops.model.cluster import Environment
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, litellm_client_cidrs


def routes_and_gateway(app: Any, gateway_app: Any, namespace: str) -> None:
    """Every HTTPRoute of `app` reaches an existing Service port, through an existing HTTPS listener of the
    namespace's Gateway whose hostname is the route's; every HTTPS listener has a TLS secret of its own."""
    gateway = gateway_app.get("Gateway", "public").obj
    assert gateway["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-prod"
    listeners = {item["name"]: item for item in gateway["spec"]["listeners"]}
    secrets = [ref["name"] for item in listeners.values() if item["protocol"] == "HTTPS"
               for ref in item["tls"]["certificateRefs"]]
    assert len(secrets) == len(set(secrets))
    for item in listeners.values():
        assert item["allowedRoutes"] == {"namespaces": {"from": "Same"}}
    routes = [r for r in app.of_kind("HTTPRoute") if r.name != "public-https-redirect"]
    assert routes
    for route in routes:
        spec = route.obj["spec"]
        (parent,) = spec["parentRefs"]
        listener = listeners[parent["sectionName"]]
        assert (parent["name"], listener["protocol"], listener["port"]) == ("public", "HTTPS", 443)
        assert spec["hostnames"] == [listener["hostname"]]
        for rule in spec["rules"]:
            for backend in rule["backendRefs"]:
                service = app.get("Service", backend["name"]).obj["spec"]
                assert backend["port"] in [p["port"] for p in service["ports"]]
    # TLS 1.2 or newer on every listener of the Gateway
    policy = gateway_app.get("ClientTrafficPolicy", "public").obj["spec"]
    assert policy == {"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public"}],
                      "tls": {"minVersion": "1.2"}}
    # plain HTTP only redirects (cert-manager's challenge route is more specific)
    redirect = gateway_app.get("HTTPRoute", "public-https-redirect").obj["spec"]
    assert {p["sectionName"] for p in redirect["parentRefs"]} == {n for n, item in listeners.items()
                                                                  if item["protocol"] == "HTTP"}
    assert redirect["rules"] == [{"filters": [{"type": "RequestRedirect",
                                               "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]


def test_every_tenant_is_public_through_its_own_gateway(example_dist) -> None:
    for tenant in example_dist.platform.tenants:
        app, guardrails = example_dist.tenant(tenant.id), example_dist.guardrails(tenant.id)
        # the tenant owns its route; the Gateway and TLS policy are the platform's guard rails
        assert app.find("Gateway", "public") is None and app.find("ClientTrafficPolicy", "public") is None
        routes_and_gateway(app, guardrails, tenant.namespace)
        route = app.get("HTTPRoute", "open-webui").obj["spec"]
        assert route["hostnames"] == [tenant.ingress.host]
        assert route["rules"][0]["timeouts"] == {"request": "3600s"}
        # no request buffering on a websocket app
        assert app.find("BackendTrafficPolicy", "open-webui") is None


def test_central_endpoints(example_dist) -> None:
    central = example_dist.app("central-prod", "central")
    routes_and_gateway(central, central, PLATFORM_NAMESPACE)
    hosts = {r.name: r.obj["spec"]["hostnames"][0] for r in central.of_kind("HTTPRoute")
             if r.name != "public-https-redirect"}
    assert hosts == {"litellm": "llm.genai.example.com", "langfuse-web": "langfuse.genai.example.com",
                     "lago-api": "billing-api.genai.example.com", "lago-front": "billing.genai.example.com"}


def test_litellm_body_limit_and_client_ranges(example_dist) -> None:
    central = example_dist.app("central-prod", "central")
    route = central.get("HTTPRoute", "litellm").obj["spec"]
    assert [m["path"] for m in route["rules"][0]["matches"]] == [{"type": "PathPrefix", "value": "/v1"}]
    target = [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "litellm"}]
    limit = central.get("BackendTrafficPolicy", "litellm").obj["spec"]
    assert limit == {"targetRefs": target, "requestBuffer": {"limit": "50Mi"}}
    security = central.get("SecurityPolicy", "litellm").obj["spec"]
    inventory = example_dist.platform.inventory
    cidrs = litellm_client_cidrs(inventory, inventory.by_name()["central-prod"])
    # the NAT egress of every cluster of the central's environment (never a dev or staging cluster's) and the
    # central cluster's own client ranges
    central = inventory.by_name()["central-prod"]
    assert set(cidrs) == {c for cl in inventory.clusters if cl.environment is central.environment
                          for c in cl.nat_egress_cidrs} | set(central.capabilities.ingress.api_client_cidrs)
    # a dev cluster's NAT egress never reaches the prod API
    eu = inventory.by_name()["customer-eu-1"]
    dev = eu.model_copy(update={"name": "customer-dev-9", "environment": Environment.DEV,
                                "nat_egress_cidrs": ["198.51.100.200/30"]})
    with_dev = inventory.model_copy(update={"clusters": [*inventory.clusters, dev]})
    assert "198.51.100.200/30" not in litellm_client_cidrs(with_dev, central)
    assert set(eu.nat_egress_cidrs) <= set(litellm_client_cidrs(with_dev, central))
    assert security == {"targetRefs": target, "authorization": {"defaultAction": "Deny", "rules": [{
        "name": "allowed-clients", "action": "Allow", "principal": {"clientCIDRs": list(cidrs)}}]}}


def test_issuer_solves_through_the_gateway_and_the_class_is_envoy(example_dist) -> None:
    for cluster in example_dist.platform.clusters:
        config = example_dist.app(cluster.name, "cluster-config")
        issuer = config.get("ClusterIssuer", "letsencrypt-prod").obj["spec"]
        (solver,) = issuer["acme"]["solvers"]
        # ClusterIP: tenant namespaces refuse the NodePort Service cert-manager would create by default
        assert solver == {"http01": {"gatewayHTTPRoute": {"parentRefs": [
            {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public"}],
            "serviceType": "ClusterIP"}}}
        gateway_class = config.get("GatewayClass", cluster.capabilities.ingress.class_name).obj["spec"]
        assert gateway_class["controllerName"] == "gateway.envoyproxy.io/gatewayclass-controller"
        proxy = config.get("EnvoyProxy", gateway_class["parametersRef"]["name"]).obj
        assert proxy["metadata"]["namespace"] == gateway_class["parametersRef"]["namespace"]
        assert proxy["spec"]["mergeGateways"] is True
        service = proxy["spec"]["provider"]["kubernetes"]["envoyService"]
        assert service["externalTrafficPolicy"] == "Local"  # client addresses for the source ranges
        addons = example_dist.app(cluster.name, "addons")
        gateway = addons.get("Application", f"{cluster.name}-envoy-gateway").obj["spec"]["source"]
        assert gateway["repoURL"] == "oci://docker.io/envoyproxy/gateway-helm" and gateway["path"] == "."
        manager = addons.get("Application", f"{cluster.name}-cert-manager").obj["spec"]["source"]
        assert manager["helm"]["valuesObject"]["config"]["enableGatewayAPI"] is True
        assert addons.find("Application", f"{cluster.name}-ingress-nginx") is None

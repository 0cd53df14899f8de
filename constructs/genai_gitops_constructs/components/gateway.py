"""Public entry through the Gateway API (Envoy Gateway), replacing the retired community ingress-nginx.

Every namespace with public endpoints has one Gateway named `public`: an HTTP listener (ACME HTTP-01
challenges, then a redirect to HTTPS) and an HTTPS listener per host, whose certificate cert-manager's
gateway-shim issues from the Gateway's `cert-manager.io/cluster-issuer` annotation. All `public`
Gateways of a cluster share one Envoy fleet and one load balancer (EnvoyProxy `mergeGateways`, in the
cluster-config app). A ClientTrafficPolicy keeps each Gateway at TLS 1.2 or newer.

The Gateway and its TLS policy are the platform's (a tenant's sit in its guard-rails app, out of the
tenant project's reach); each component renders its own HTTPRoute, with a BackendTrafficPolicy for a
request-size limit and a SecurityPolicy for client source ranges where its endpoint has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdk8s import ApiObject, JsonPatch
from constructs import Construct

GATEWAY_API = "gateway.networking.k8s.io/v1"
ENVOY_GATEWAY_API = "gateway.envoyproxy.io/v1alpha1"
#: the Gateway of every namespace with public endpoints (the ClusterIssuer's HTTP-01 solver attaches its
#: challenge routes to it by this name, in the certificate's namespace)
GATEWAY_NAME = "public"
GATEWAY_CLASS = "envoy"
#: the ClusterIssuer every cluster's config app defines (ACME HTTP-01 through the namespace's Gateway)
CLUSTER_ISSUER = "letsencrypt-prod"
HTTP_PORT, HTTPS_PORT = 80, 443
MIN_TLS_VERSION = "1.2"


@dataclass(frozen=True)
class PublicEndpoint:
    """One public host of a Service: what the Gateway listens for and the route sends on."""

    #: listener and route name (DNS label), e.g. `litellm`
    name: str
    namespace: str
    host: str
    service: str
    #: the Service port (Gateway API backends name the Service port by number)
    port: int
    #: path prefixes routed (others get 404 at the gateway)
    paths: tuple[str, ...] = ("/",)
    #: Gateway API request timeout (streamed answers and websockets outlive Envoy's defaults)
    timeout: str | None = None
    #: largest request body, as a Kubernetes quantity (e.g. `50Mi`); larger ones get 413
    body_limit: str | None = None
    #: client CIDRs allowed; empty: anyone
    client_cidrs: tuple[str, ...] = ()

    @property
    def tls_secret(self) -> str:
        return f"{self.name}-tls"


def _object(scope: Construct, id: str, api_version: str, kind: str, name: str, namespace: str,
            labels: dict[str, str], spec: dict[str, Any], annotations: dict[str, str] | None = None) -> ApiObject:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels}
    if annotations:
        metadata["annotations"] = annotations
    obj = ApiObject(scope, id, api_version=api_version, kind=kind, metadata=metadata)
    obj.add_json_patch(JsonPatch.add("/spec", spec))
    return obj


def _target(kind: str, name: str) -> dict[str, str]:
    return {"group": "gateway.networking.k8s.io", "kind": kind, "name": name}


class PublicGateway(Construct):
    """The namespace's `public` Gateway for `endpoints`, its TLS policy and the HTTP -> HTTPS redirect."""

    def __init__(self, scope: Construct, id: str, *, namespace: str, endpoints: Sequence[PublicEndpoint],
                 labels: dict[str, str], cluster_issuer: str = CLUSTER_ISSUER) -> None:
        super().__init__(scope, id)
        listeners: list[dict[str, Any]] = []
        for ep in endpoints:
            # routes from this namespace only: no other namespace can claim these hosts
            same_ns = {"namespaces": {"from": "Same"}}
            listeners.append({"name": f"http-{ep.name}", "hostname": ep.host, "port": HTTP_PORT,
                              "protocol": "HTTP", "allowedRoutes": same_ns})
            listeners.append({"name": f"https-{ep.name}", "hostname": ep.host, "port": HTTPS_PORT,
                              "protocol": "HTTPS", "allowedRoutes": same_ns,
                              "tls": {"mode": "Terminate", "certificateRefs": [
                                  {"group": "", "kind": "Secret", "name": ep.tls_secret}]}})
        _object(self, "gateway", GATEWAY_API, "Gateway", GATEWAY_NAME, namespace, labels,
                {"gatewayClassName": GATEWAY_CLASS, "listeners": listeners},
                # cert-manager's gateway-shim issues one Certificate per HTTPS listener's secret
                {"cert-manager.io/cluster-issuer": cluster_issuer})
        _object(self, "tls-policy", ENVOY_GATEWAY_API, "ClientTrafficPolicy", GATEWAY_NAME, namespace, labels,
                {"targetRefs": [_target("Gateway", GATEWAY_NAME)], "tls": {"minVersion": MIN_TLS_VERSION}})
        # plain HTTP only for the ACME challenge (cert-manager's Exact-path route wins over this prefix)
        _object(self, "redirect", GATEWAY_API, "HTTPRoute", f"{GATEWAY_NAME}-https-redirect", namespace, labels, {
            "parentRefs": [{**_target("Gateway", GATEWAY_NAME), "sectionName": f"http-{ep.name}"}
                           for ep in endpoints],
            "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {
                "scheme": "https", "statusCode": 301}}]}],
        })


class PublicRoute(Construct):
    """The HTTPRoute of one endpoint on its namespace's `public` Gateway, and its traffic policies."""

    def __init__(self, scope: Construct, id: str, *, endpoint: PublicEndpoint, labels: dict[str, str]) -> None:
        super().__init__(scope, id)
        self.endpoint = endpoint
        ep = endpoint
        rule: dict[str, Any] = {
            "matches": [{"path": {"type": "PathPrefix", "value": path}} for path in ep.paths],
            "backendRefs": [{"group": "", "kind": "Service", "name": ep.service, "port": ep.port}],
        }
        if ep.timeout:
            rule["timeouts"] = {"request": ep.timeout}
        _object(self, "route", GATEWAY_API, "HTTPRoute", ep.name, ep.namespace, labels, {
            "parentRefs": [{**_target("Gateway", GATEWAY_NAME), "sectionName": f"https-{ep.name}"}],
            "hostnames": [ep.host], "rules": [rule]})
        if ep.body_limit:
            # Envoy buffers the request and answers 413 above the limit (responses still stream)
            _object(self, "body-limit", ENVOY_GATEWAY_API, "BackendTrafficPolicy", ep.name, ep.namespace, labels,
                    {"targetRefs": [_target("HTTPRoute", ep.name)], "requestBuffer": {"limit": ep.body_limit}})
        if ep.client_cidrs:
            # source ranges: the load balancer keeps client addresses (externalTrafficPolicy Local)
            _object(self, "source-ranges", ENVOY_GATEWAY_API, "SecurityPolicy", ep.name, ep.namespace, labels, {
                "targetRefs": [_target("HTTPRoute", ep.name)],
                "authorization": {"defaultAction": "Deny", "rules": [{
                    "name": "allowed-clients", "action": "Allow",
                    "principal": {"clientCIDRs": list(ep.client_cidrs)}}]}})


def public_endpoints(scope: Construct) -> list[PublicEndpoint]:
    """The endpoints of every PublicRoute under `scope`, in construct order (the Gateway's listener order)."""
    return [c.endpoint for c in scope.node.find_all() if isinstance(c, PublicRoute)]

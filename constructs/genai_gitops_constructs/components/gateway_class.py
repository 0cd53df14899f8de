"""The cluster's GatewayClass and its EnvoyProxy: one Envoy fleet and one AWS load balancer for every
`public` Gateway of the cluster (components/gateway.py), created by the cluster-config app.

Why Envoy Gateway (not the AWS Load Balancer Controller): the policies the platform needs are Gateway
API attachments at the pinned version (TLS floor: ClientTrafficPolicy; request-size limit:
BackendTrafficPolicy; client source ranges: SecurityPolicy), certificates stay with cert-manager
(HTTP-01 through the same Gateway), and the same manifests run on any cluster, not only on AWS.
"""

from __future__ import annotations

from cdk8s import ApiObject, JsonPatch
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops_constructs.components.gateway import ENVOY_GATEWAY_API, GATEWAY_API

CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
ENVOY_PROXY = "merged-public"
#: Service annotations of the in-tree AWS cloud provider: a network load balancer
NLB_ANNOTATIONS = {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}


class EnvoyGatewayClass(Construct):
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec, labels: dict[str, str]) -> None:
        super().__init__(scope, id)
        namespace = cluster.capabilities.ingress.controller_namespace
        proxy = ApiObject(self, "envoy-proxy", api_version=ENVOY_GATEWAY_API, kind="EnvoyProxy", metadata={
            "name": ENVOY_PROXY, "namespace": namespace, "labels": labels,
            # the CRD comes with the envoy-gateway add-on, synced in an earlier wave
            "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"}})
        proxy.add_json_patch(JsonPatch.add("/spec", {
            # every `public` Gateway (one per namespace) shares this fleet and one load balancer
            "mergeGateways": True,
            "provider": {"type": "Kubernetes", "kubernetes": {
                "envoyDeployment": {"replicas": 2},
                "envoyPDB": {"minAvailable": 1},
                # Local keeps the client's address (SecurityPolicy source ranges) and avoids a second hop
                "envoyService": {"type": "LoadBalancer", "externalTrafficPolicy": "Local",
                                 "annotations": dict(NLB_ANNOTATIONS)},
            }},
        }))
        gateway_class = ApiObject(self, "gateway-class", api_version=GATEWAY_API, kind="GatewayClass", metadata={
            "name": cluster.capabilities.ingress.class_name, "labels": labels,
            "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"}})
        gateway_class.add_json_patch(JsonPatch.add("/spec", {
            "controllerName": CONTROLLER_NAME,
            "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": ENVOY_PROXY,
                              "namespace": namespace}}))

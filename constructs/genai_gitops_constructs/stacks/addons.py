"""Cluster add-ons from their upstream Helm charts, as Argo CD Applications (app of apps).

These Application objects live in Argo CD's namespace; each installs one chart, at a pinned
version, on the target cluster. Their sync waves put operators whose CRDs others need first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cdk8s import ApiObject, JsonPatch
from cdk8s import Chart as Cdk8sChart
from constructs import Construct

from genai_gitops.model.apps import ARGOCD_NAMESPACE, PLATFORM_PROJECT
from genai_gitops.model.cluster import ClusterSpec
from genai_gitops_constructs.components.cluster_monitoring import prometheus_stack_values
from genai_gitops_constructs.meta import labels
from genai_gitops_constructs.stacks.foundations import FOUNDATION_ADDONS, foundation_values, wanted
from genai_gitops_constructs.versions import CHARTS, Chart

if TYPE_CHECKING:
    from genai_gitops.model.loader import Platform

# the Gateway API CRDs (with Envoy Gateway) before cert-manager, which only serves Gateways whose CRDs
# exist when it starts; cert-manager and ESO CRDs next; Gatekeeper and Prometheus CRDs next; the
# foundations last (the DCGM exporter's ServiceMonitor needs Prometheus's CRDs)
ADDON_WAVES = {"envoy-gateway": "-6", "cert-manager": "-5", "external-secrets": "-5", "gatekeeper": "-4",
               "kube-prometheus-stack": "-4", "metrics-server": "-3", "nvidia-device-plugin": "-3",
               "dcgm-exporter": "-3", "aws-for-fluent-bit": "-3"}


def _values(addon: str, cluster: ClusterSpec) -> dict[str, Any]:
    if addon in FOUNDATION_ADDONS:
        return foundation_values(addon, cluster)
    if addon == "cert-manager":
        # gateway-shim: Certificates for the HTTPS listeners of annotated Gateways
        return {"crds": {"enabled": True}, "config": {
            "apiVersion": "controller.config.cert-manager.io/v1alpha1", "kind": "ControllerConfiguration",
            "enableGatewayAPI": True}}
    if addon == "envoy-gateway":
        # the chart brings the Gateway API (standard channel) and Envoy Gateway CRDs
        return {"deployment": {"replicas": 2}, "podDisruptionBudget": {"minAvailable": 1}}
    if addon == "external-secrets":
        return {"installCRDs": True, "serviceAccount": {"annotations": {
            "eks.amazonaws.com/role-arn": f"arn:aws:iam::{cluster.aws_account_id}:role/genai-external-secrets"}}}
    if addon == "gatekeeper":
        # the platform's own system namespaces are exempt from admission; everything else is enforced
        return {"replicas": 3, "auditInterval": 60, "constraintViolationsLimit": 20,
                "controllerManager": {"exemptNamespaces": ["kube-system", "gatekeeper-system"]}}
    if addon == "kube-prometheus-stack":
        return prometheus_stack_values(cluster)
    raise KeyError(addon)


def _source(addon: str, chart: Chart, cluster: ClusterSpec) -> dict[str, Any]:
    helm = {"releaseName": addon, "valuesObject": _values(addon, cluster)}
    if chart.is_oci:
        # Argo CD's native OCI source: the chart is the artifact at the repository URL, path "."
        return {"repoURL": chart.repo_url, "path": ".", "targetRevision": chart.version, "helm": helm}
    return {"repoURL": chart.repo_url, "chart": chart.chart, "targetRevision": chart.version, "helm": helm}


def destination(cluster: ClusterSpec, namespace: str) -> dict[str, str]:
    return {"name": cluster.argocd.name, "namespace": namespace}


class AddonsStack(Cdk8sChart):
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec, platform: Platform | None = None) -> None:
        super().__init__(scope, id, namespace=ARGOCD_NAMESPACE, disable_resource_name_hashes=True)
        for addon, chart in sorted(CHARTS.items()):
            if not wanted(addon, cluster, platform):
                continue
            name = f"{cluster.name}-{addon}"
            app = ApiObject(self, addon, api_version="argoproj.io/v1alpha1", kind="Application", metadata={
                "name": name, "namespace": ARGOCD_NAMESPACE,
                "labels": labels(addon, instance=name, component="addon"),
                "annotations": {"argocd.argoproj.io/sync-wave": ADDON_WAVES[addon]},
                "finalizers": ["resources-finalizer.argocd.argoproj.io"],
            })
            app.add_json_patch(JsonPatch.add("/spec", {
                "project": PLATFORM_PROJECT,
                "source": _source(addon, chart, cluster),
                "destination": destination(cluster, chart.namespace),
                "syncPolicy": {
                    "automated": {"prune": True, "selfHeal": True},
                    # CRDs of these charts exceed the client-side apply annotation limit
                    "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                    "retry": {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}},
                },
            }))

"""The tenant's public entry: one TLS Ingress for Open WebUI, its certificate issued by cert-manager."""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops_constructs.meta import labels, object_meta

#: the ClusterIssuer every cluster's config app defines (ACME http01 through the cluster's ingress class)
CLUSTER_ISSUER = "letsencrypt-prod"

# ingress-nginx defaults break a chat UI: 60 s read timeouts cut long streamed answers and websockets,
# and a 1 MiB body limit refuses document uploads. Other controllers ignore these annotations.
NGINX_ANNOTATIONS: tuple[tuple[str, str], ...] = (
    ("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600"),
    ("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600"),
    ("nginx.ingress.kubernetes.io/proxy-body-size", "100m"),
)


@dataclass(frozen=True)
class TenantIngressProps:
    namespace: str
    tenant: str
    host: str
    class_name: str
    service_name: str
    service_port_name: str = "http"
    cluster_issuer: str = CLUSTER_ISSUER
    annotations: tuple[tuple[str, str], ...] = NGINX_ANNOTATIONS
    name: str = "open-webui"

    @property
    def tls_secret(self) -> str:
        return f"{self.name}-tls"


class TenantIngress(Construct):
    def __init__(self, scope: Construct, id: str, props: TenantIngressProps) -> None:
        super().__init__(scope, id)
        meta_labels = labels(props.name, instance=props.namespace, component="frontend", tenant=props.tenant)
        annotations = {"cert-manager.io/cluster-issuer": props.cluster_issuer, **dict(props.annotations)}
        backend = k8s.IngressBackend(service=k8s.IngressServiceBackend(
            name=props.service_name, port=k8s.ServiceBackendPort(name=props.service_port_name)))
        k8s.KubeIngress(self, "ingress", metadata=object_meta(props.name, props.namespace, meta_labels, annotations),
                        spec=k8s.IngressSpec(
            ingress_class_name=props.class_name,
            tls=[k8s.IngressTls(hosts=[props.host], secret_name=props.tls_secret)],
            rules=[k8s.IngressRule(host=props.host, http=k8s.HttpIngressRuleValue(paths=[
                k8s.HttpIngressPath(path="/", path_type="Prefix", backend=backend)]))]))

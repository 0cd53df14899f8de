"""The tenant's Ingress: its host, TLS from the cluster's issuer, the cluster's ingress class."""

from __future__ import annotations


def test_tls_ingress_to_open_webui(example_dist) -> None:
    for tenant in ("acme", "globex", "initech"):
        spec = example_dist.spec(tenant)
        cluster = example_dist.platform.cluster(spec.cluster)
        app = example_dist.tenant(tenant)
        ingress = app.get("Ingress", "open-webui")
        body = ingress.obj["spec"]

        assert body["ingressClassName"] == cluster.capabilities.ingress.class_name
        assert body["tls"] == [{"hosts": [spec.ingress.host], "secretName": "open-webui-tls"}]
        (rule,) = body["rules"]
        assert rule["host"] == spec.ingress.host
        (path,) = rule["http"]["paths"]
        assert (path["path"], path["pathType"]) == ("/", "Prefix")
        backend = path["backend"]["service"]
        assert backend == {"name": "open-webui", "port": {"name": "http"}}
        ports = app.get("Service", backend["name"]).obj["spec"]["ports"]
        assert backend["port"]["name"] in [p["name"] for p in ports]


def test_issuer_exists_on_the_same_cluster(example_dist) -> None:
    for tenant in ("acme", "globex"):
        spec = example_dist.spec(tenant)
        issuer_name = example_dist.tenant(tenant).get("Ingress", "open-webui").annotations[
            "cert-manager.io/cluster-issuer"]
        issuer = example_dist.app(spec.cluster, "cluster-config").get("ClusterIssuer", issuer_name).obj["spec"]
        (solver,) = issuer["acme"]["solvers"]
        class_name = example_dist.platform.cluster(spec.cluster).capabilities.ingress.class_name
        # ClusterIP: tenant namespaces refuse the NodePort Service cert-manager would create by default
        assert solver == {"http01": {"ingress": {"ingressClassName": class_name, "serviceType": "ClusterIP"}}}
        assert issuer["acme"]["server"] == "https://acme-v02.api.letsencrypt.org/directory"

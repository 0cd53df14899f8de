"""Argo CD cluster registration as manifests: the cluster Argo CD runs on renders, for every other
inventory cluster, an ExternalSecret whose Secret is the Argo CD cluster secret the ApplicationSets
select (labels from the same function the offline preview uses), with no credential in Git."""

from __future__ import annotations

import json

from genai_gitops.argocd.generators.clusters import cluster_secrets


def test_every_other_cluster_is_registered_by_reference(example_dist) -> None:
    inventory = example_dist.platform.inventory
    host = next(c for c in inventory.clusters if c.argocd.server == "https://kubernetes.default.svc")
    config = example_dist.app(host.name, "cluster-config")
    registrations = {r.name: r.obj for r in config.of_kind("ExternalSecret") if r.namespace == "argocd"}
    expected = cluster_secrets(inventory)
    assert set(registrations) == {f"cluster-{name}" for name in expected if name != host.argocd.name}
    for name, (server, labels) in expected.items():
        if name == host.argocd.name:
            continue
        cluster = next(c for c in inventory.clusters if c.argocd.name == name)
        spec = registrations[f"cluster-{name}"]["spec"]
        template = spec["target"]["template"]
        assert template["metadata"]["labels"] == dict(labels)
        assert template["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster"
        assert (template["data"]["name"], template["data"]["server"]) == (name, server)
        auth = json.loads(template["data"]["config"])
        assert auth["awsAuthConfig"] == {"clusterName": cluster.name,
                                         "roleARN": f"arn:aws:iam::{cluster.aws_account_id}:role/genai-argocd-deployer"}
        assert auth["tlsClientConfig"]["caData"] == "{{ .ca_data }}"
        assert spec["data"] == [{"secretKey": "ca_data", "remoteRef": {
            "key": f"genai/clusters/{cluster.name}/argocd", "property": "ca_data"}}]
    # the platform's store serves Argo CD's namespace on this cluster only
    store = config.get("ClusterSecretStore", "aws-secrets-manager").obj["spec"]
    assert "argocd" in store["conditions"][0]["namespaces"]
    for cluster in inventory.clusters:
        if cluster.name != host.name:
            other = example_dist.app(cluster.name, "cluster-config")
            assert not [r for r in other.of_kind("ExternalSecret") if r.namespace == "argocd"]
            assert "argocd" not in other.get("ClusterSecretStore", "aws-secrets-manager").obj["spec"][
                "conditions"][0]["namespaces"]

"""Argo CD cluster registration as manifests: on the cluster Argo CD runs on, one ExternalSecret per
other inventory cluster renders Argo CD's cluster Secret (labels the ApplicationSets select on, the
API server, EKS IAM authentication) with the CA bundle read from the secret store, so no credential
is in Git and adding a cluster to clusters.yaml registers it.

Argo CD authenticates to EKS through `awsAuthConfig`: its controller's IRSA role assumes the
`genai-argocd-deployer` role of the target account, which the target cluster maps to cluster-admin
(an EKS access entry; README: before Argo CD). The cluster Argo CD runs on (`in-cluster`) is
registered by hand at bootstrap: this app itself is delivered through that registration.
"""

from __future__ import annotations

import json

from cdk8s import ApiObject, JsonPatch
from constructs import Construct

from genai_gitops.argocd.generators.clusters import IN_CLUSTER_SERVER, cluster_secrets
from genai_gitops.model.apps import ARGOCD_NAMESPACE
from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.secrets import SecretRef
from genai_gitops_constructs.external_secret import CLUSTER_SECRET_STORE

CA_PROPERTY = "ca_data"


def is_argocd_host(cluster: ClusterSpec) -> bool:
    return cluster.argocd.server == IN_CLUSTER_SERVER


def ca_ref(cluster: ClusterSpec) -> SecretRef:
    """The cluster's API server CA (base64 PEM, as `aws eks describe-cluster` prints it)."""
    return SecretRef(key=f"genai/clusters/{cluster.name}/argocd", property=CA_PROPERTY)


def deployer_role(cluster: ClusterSpec) -> str:
    return f"arn:aws:iam::{cluster.aws_account_id}:role/genai-argocd-deployer"


class ClusterRegistrations(Construct):
    def __init__(self, scope: Construct, id: str, *, inventory: ClusterInventory, labels: dict[str, str]) -> None:
        super().__init__(scope, id)
        by_argocd_name = {c.argocd.name: c for c in inventory.clusters}
        for name, (server, secret_labels) in sorted(cluster_secrets(inventory).items()):
            cluster = by_argocd_name[name]
            if is_argocd_host(cluster):
                continue
            ref = ca_ref(cluster)
            config = {"awsAuthConfig": {"clusterName": cluster.name, "roleARN": deployer_role(cluster)},
                      "tlsClientConfig": {"insecure": False, "caData": "{{ ." + CA_PROPERTY + " }}"}}
            obj = ApiObject(self, f"cluster-{name}", api_version="external-secrets.io/v1", kind="ExternalSecret",
                            metadata={"name": f"cluster-{name}", "namespace": ARGOCD_NAMESPACE, "labels": labels})
            obj.add_json_patch(JsonPatch.add("/spec", {
                "refreshInterval": "1h",
                "secretStoreRef": {"name": CLUSTER_SECRET_STORE, "kind": "ClusterSecretStore"},
                "target": {"name": f"cluster-{name}", "creationPolicy": "Owner", "deletionPolicy": "Retain",
                           "template": {"engineVersion": "v2", "type": "Opaque",
                                        "metadata": {"labels": dict(secret_labels)},
                                        "data": {"name": name, "server": server,
                                                 "config": json.dumps(config, sort_keys=True)}}},
                "data": [{"secretKey": CA_PROPERTY, "remoteRef": {"key": ref.key, "property": ref.property}}],
            }))

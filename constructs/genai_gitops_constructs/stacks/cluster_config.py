"""Per-cluster configuration owned by the platform: secret store and Gatekeeper policies.

The same ConstraintTemplates and constraints the PR check evaluates are deployed here (as
genai_gitops.manifests.cluster_policies derives them for the cluster), so the cluster's Gatekeeper
admits exactly what the check passed.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from cdk8s import ApiObject, Chart, JsonPatch
from constructs import Construct

from genai_gitops.manifests.cluster_policies import SYNCED_KINDS
from genai_gitops.model.apps import ARGOCD_NAMESPACE
from genai_gitops.model.cluster import ClusterInventory, ClusterRole, ClusterSpec
from genai_gitops.model.traffic import MONITORING_NAMESPACE, PLATFORM_NAMESPACE
from genai_gitops_constructs.components.cluster_monitoring import ClusterMonitoring
from genai_gitops_constructs.components.cluster_registration import ClusterRegistrations, is_argocd_host
from genai_gitops_constructs.components.gateway import CLUSTER_ISSUER, GATEWAY_NAME
from genai_gitops_constructs.components.gateway_class import EnvoyGatewayClass
from genai_gitops_constructs.components.storage_class import EncryptedStorageClass
from genai_gitops_constructs.external_secret import CLUSTER_SECRET_STORE, TENANT_KEYS_ROLE, TENANT_KEYS_STORE
from genai_gitops_constructs.meta import labels

# constraints need their template's CRD, which Gatekeeper creates once the template is synced
TEMPLATE_WAVE, CONSTRAINT_WAVE = "0", "1"


def _api_object(scope: Construct, id: str, obj: dict[str, Any], annotations: dict[str, str]) -> None:
    body = copy.deepcopy(obj)
    meta = body.pop("metadata")
    meta.setdefault("annotations", {}).update(annotations)
    resource = ApiObject(scope, id, api_version=body.pop("apiVersion"), kind=body.pop("kind"), metadata=meta)
    for key, value in body.items():
        resource.add_json_patch(JsonPatch.add(f"/{key}", value))


class ClusterConfigStack(Chart):
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec,
                 policy_objects: Sequence[dict[str, Any]], inventory: ClusterInventory | None = None) -> None:
        super().__init__(scope, id, disable_resource_name_hashes=True)
        meta = labels("cluster-config", instance=cluster.name, component="cluster-config")

        store = ApiObject(self, "secret-store", api_version="external-secrets.io/v1", kind="ClusterSecretStore",
                          metadata={"name": CLUSTER_SECRET_STORE, "labels": meta})
        store.add_json_patch(JsonPatch.add("/spec", {
            "provider": {"aws": {"service": "SecretsManager", "region": cluster.region}},
            # platform namespaces only: tenants read their own secrets through their namespaced SecretStore
            # and, where Argo CD runs, its namespace (the cluster registrations below)
            "conditions": [{"namespaces": [PLATFORM_NAMESPACE, MONITORING_NAMESPACE,
                                           *([ARGOCD_NAMESPACE] if is_argocd_host(cluster) else [])]}],
        }))
        if cluster.role is ClusterRole.CENTRAL:
            # tenants' LiteLLM keys (read by the team sync): a store of their own, so that no reference from a
            # tenant file is ever resolved with the platform store's credentials (README: IAM roles)
            keys = ApiObject(self, "tenant-keys-store", api_version="external-secrets.io/v1",
                             kind="ClusterSecretStore", metadata={"name": TENANT_KEYS_STORE, "labels": meta})
            keys.add_json_patch(JsonPatch.add("/spec", {
                "provider": {"aws": {"service": "SecretsManager", "region": cluster.region,
                                     "role": f"arn:aws:iam::{cluster.aws_account_id}:role/{TENANT_KEYS_ROLE}"}},
                "conditions": [{"namespaces": [PLATFORM_NAMESPACE]}],
            }))

        # TLS for every public Gateway: Let's Encrypt through an HTTP-01 challenge route that cert-manager
        # attaches to the `public` Gateway of the certificate's namespace (parentRef without a namespace);
        # the CRD comes from the cert-manager add-on, synced in an earlier wave
        issuer = ApiObject(self, "cluster-issuer", api_version="cert-manager.io/v1", kind="ClusterIssuer",
                           metadata={"name": CLUSTER_ISSUER, "labels": meta, "annotations": {
                               "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"}})
        issuer.add_json_patch(JsonPatch.add("/spec", {"acme": {
            "server": "https://acme-v02.api.letsencrypt.org/directory",
            "privateKeySecretRef": {"name": f"{CLUSTER_ISSUER}-account-key"},
            # the solver Service defaults to NodePort, which tenant namespaces refuse: ClusterIP is all the
            # gateway needs to reach the solver pod
            "solvers": [{"http01": {"gatewayHTTPRoute": {
                "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY_NAME}],
                "serviceType": "ClusterIP"}}}],
        }}))

        EncryptedStorageClass(self, "storage", cluster=cluster)
        EnvoyGatewayClass(self, "gateway", cluster=cluster, labels=meta)
        ClusterMonitoring(self, "monitoring", cluster=cluster, labels=meta)
        if inventory is not None and is_argocd_host(cluster):
            ClusterRegistrations(self, "registrations", inventory=inventory, labels=meta)

        config = ApiObject(self, "gatekeeper-config", api_version="config.gatekeeper.sh/v1alpha1", kind="Config",
                           metadata={"name": "config", "namespace": "gatekeeper-system", "labels": meta})
        config.add_json_patch(JsonPatch.add("/spec", {"sync": {"syncOnly": [
            {"group": g, "version": v, "kind": k} for g, v, k in SYNCED_KINDS]}}))

        for obj in policy_objects:
            is_template = obj["kind"] == "ConstraintTemplate"
            annotations = {"argocd.argoproj.io/sync-wave": TEMPLATE_WAVE if is_template else CONSTRAINT_WAVE}
            if not is_template:
                # the constraint's CRD appears only after Gatekeeper reads the template in the same sync
                annotations["argocd.argoproj.io/sync-options"] = "SkipDryRunOnMissingResource=true"
            _api_object(self, f"{obj['kind']}-{obj['metadata']['name']}", obj, annotations)

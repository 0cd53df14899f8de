"""Whether a kind lives in a namespace: one table for the synth and every validator.

cdk8s applies a chart's namespace to every object, cluster-scoped ones included; the API server
drops it, so the synth strips it and validators never trust it on a cluster-scoped kind.
"""

from __future__ import annotations

#: (apiGroup, kind) of the cluster-scoped kinds a platform tree commonly holds
CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset({
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "CSIDriver"), ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"), ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"), ("networking.k8s.io", "IngressClass"),
    ("policy", "PodSecurityPolicy"), ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"), ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"), ("templates.gatekeeper.sh", "ConstraintTemplate"),
    ("syncset.gatekeeper.sh", "SyncSet"),
    ("expansion.gatekeeper.sh", "ExpansionTemplate"), ("mutations.gatekeeper.sh", "Assign"),
    ("mutations.gatekeeper.sh", "AssignMetadata"), ("mutations.gatekeeper.sh", "ModifySet"),
    ("mutations.gatekeeper.sh", "AssignImage"), ("externaldata.gatekeeper.sh", "Provider"),
    ("cert-manager.io", "ClusterIssuer"), ("external-secrets.io", "ClusterSecretStore"),
    ("external-secrets.io", "ClusterExternalSecret"), ("gateway.networking.k8s.io", "GatewayClass"),
})
#: groups whose every kind is cluster-scoped
CLUSTER_SCOPED_GROUPS = frozenset({"constraints.gatekeeper.sh"})
#: (apiGroup, kind) of namespaced kinds a platform tree commonly holds
NAMESPACED: frozenset[tuple[str, str]] = frozenset({
    ("", "Pod"), ("", "Service"), ("", "ConfigMap"), ("", "Secret"), ("", "ServiceAccount"),
    ("", "PersistentVolumeClaim"), ("", "ResourceQuota"), ("", "LimitRange"), ("", "Endpoints"),
    ("", "ReplicationController"), ("", "Event"), ("apps", "Deployment"), ("apps", "StatefulSet"),
    ("apps", "DaemonSet"), ("apps", "ReplicaSet"), ("batch", "Job"), ("batch", "CronJob"),
    ("autoscaling", "HorizontalPodAutoscaler"), ("policy", "PodDisruptionBudget"),
    ("networking.k8s.io", "NetworkPolicy"), ("networking.k8s.io", "Ingress"),
    ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "RoleBinding"),
    ("discovery.k8s.io", "EndpointSlice"), ("coordination.k8s.io", "Lease"),
    ("gateway.networking.k8s.io", "Gateway"), ("gateway.networking.k8s.io", "HTTPRoute"),
    ("gateway.networking.k8s.io", "ReferenceGrant"), ("gateway.envoyproxy.io", "EnvoyProxy"),
    ("gateway.envoyproxy.io", "ClientTrafficPolicy"), ("gateway.envoyproxy.io", "BackendTrafficPolicy"),
    ("gateway.envoyproxy.io", "SecurityPolicy"),
    ("monitoring.coreos.com", "ServiceMonitor"), ("monitoring.coreos.com", "PodMonitor"),
    ("monitoring.coreos.com", "PrometheusRule"), ("external-secrets.io", "ExternalSecret"),
    ("external-secrets.io", "SecretStore"), ("argoproj.io", "Application"), ("argoproj.io", "ApplicationSet"),
    ("argoproj.io", "AppProject"), ("cert-manager.io", "Certificate"), ("cert-manager.io", "Issuer"),
    ("keda.sh", "ScaledObject"), ("config.gatekeeper.sh", "Config"),
})


def scope_of(api_group: str, kind: str) -> bool | None:
    """True for a known namespaced kind, False for a known cluster-scoped one, None when unknown."""
    if (api_group, kind) in CLUSTER_SCOPED or api_group in CLUSTER_SCOPED_GROUPS:
        return False
    if (api_group, kind) in NAMESPACED:
        return True
    return None


def is_cluster_scoped(api_version: str, kind: str) -> bool:
    return scope_of(api_version.rpartition("/")[0], kind) is False

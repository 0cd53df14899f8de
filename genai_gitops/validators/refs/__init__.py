"""Referential integrity of one cluster's manifests: every name an object uses must exist.

The dangling-*/port/selector rules follow kube-linter's checks of the same names (re-implemented
here, no kube-linter needed); the secret/config map/store/volume rules are this project's, because
here every Secret comes from an ExternalSecret, and a key the ExternalSecret does not produce only
shows up at runtime as a pod stuck in CreateContainerConfigError.

All folders of a cluster are one target: a Deployment in `tenant-acme/` may use a Secret from
`tenant-acme-guardrails/` and a ClusterSecretStore from `cluster-config/`. Every object is indexed
once, and selectors only scan their own namespace, so the cost grows linearly with tenants.

rules          the validator's name and rule ids
index          ReferenceIndex: the target's objects, Secrets and ConfigMaps, indexed once
data_sources   what makes a Secret/ConfigMap exist, with which keys
pod_refs       what a pod refers to: Secrets, ConfigMaps, ports
pod_checks     the references of a workload's pod template
object_checks  Services, Ingresses, HPAs, NetworkPolicies, ServiceMonitors, PDBs, ExternalSecrets
suggest        "did you mean" endings of messages
check          ReferenceCheck: every check over one target
validator      RefsValidator, the `refs` validator
"""

from genai_gitops.validators.refs.validator import RefsValidator

__all__ = ["RefsValidator"]

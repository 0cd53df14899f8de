"""ExternalSecret: the only way credentials reach pods (no Secret with data is ever written)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s import ApiObject, JsonPatch
from constructs import Construct

from genai_gitops.model.secrets import SecretRef

CLUSTER_SECRET_STORE = "aws-secrets-manager"  # noqa: S105 - a store name, not a secret
#: each tenant namespace has its own SecretStore, whose IAM role reads only genai/tenants/<id>/*
TENANT_SECRET_STORE = "tenant-secrets"  # noqa: S105 - a store name, not a secret
#: the central cluster's store for tenants' LiteLLM virtual keys (the team sync hands them to LiteLLM). Its own
#: IAM role reads `genai/tenants/*/litellm` and nothing else, and only the platform namespace may use it: the
#: platform store (which reads platform credentials) never serves a reference written in a tenant file
TENANT_KEYS_STORE = "tenant-litellm-keys"
TENANT_KEYS_ROLE = "genai-eso-tenant-litellm-keys"


@dataclass(frozen=True)
class ExternalSecretProps:
    name: str
    namespace: str
    labels: dict[str, str]
    #: Secret key -> where its value lives in the store
    data: dict[str, SecretRef]
    store: str = CLUSTER_SECRET_STORE
    store_kind: str = "ClusterSecretStore"
    refresh_interval: str = "1h"
    #: optional Go templates for the Secret's keys (e.g. building a URL from parts)
    template_data: dict[str, str] = field(default_factory=dict)


class ExternalSecret(ApiObject):
    """Creates Secret `props.name` in the namespace from the store; `keys` lists what it produces.

    The ExternalSecret object itself, not a Construct holding one: each construct is a call to the jsii
    kernel, and a 1,000-tenant platform has ~2,000 of these."""

    def __init__(self, scope: Construct, id: str, props: ExternalSecretProps) -> None:
        super().__init__(scope, id, api_version="external-secrets.io/v1", kind="ExternalSecret",
                         metadata={"name": props.name, "namespace": props.namespace, "labels": props.labels})
        self.secret_name = props.name
        self.keys = tuple(sorted({*props.data, *props.template_data}))
        target: dict[str, object] = {"name": props.name, "creationPolicy": "Owner", "deletionPolicy": "Retain"}
        if props.template_data:
            target["template"] = {"engineVersion": "v2", "mergePolicy": "Merge", "data": dict(props.template_data)}
        data = []
        for key, ref in sorted(props.data.items()):
            remote: dict[str, str] = {"key": ref.key}
            if ref.property:
                remote["property"] = ref.property
            data.append({"secretKey": key, "remoteRef": remote})
        self.add_json_patch(JsonPatch.add("/spec", {
            "refreshInterval": props.refresh_interval,
            "secretStoreRef": {"name": props.store, "kind": props.store_kind},
            "target": target,
            "data": data,
        }))

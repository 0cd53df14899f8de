"""A tenant's workloads (owned by the tenant's Argo CD project): Open WebUI, Ollama, Qdrant, MCP."""

from __future__ import annotations

from cdk8s import Chart
from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.loader import Platform
from genai_gitops.model.tenant import TenantSpec
from genai_gitops_constructs.meta import labels


class TenantStack(Chart):
    def __init__(self, scope: Construct, id: str, *, tenant: TenantSpec, platform: Platform) -> None:
        ns = tenant.namespace
        super().__init__(scope, id, namespace=ns, disable_resource_name_hashes=True)
        meta = labels("open-webui", instance=ns, component="frontend", tenant=tenant.id)
        # S3 documents and uploads through IRSA: the role is the tenant's, never a static key
        role = f"arn:aws:iam::{tenant.aws.account_id}:role/genai-{ns}-open-webui"
        k8s.KubeServiceAccount(self, "open-webui-sa", metadata=k8s.ObjectMeta(
            name="open-webui", namespace=ns, labels=meta, annotations={"eks.amazonaws.com/role-arn": role}),
            automount_service_account_token=False)

"""A ServiceAccount that gets AWS credentials through IRSA: an IAM role, never a static key."""

from __future__ import annotations

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops_constructs.meta import object_meta

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"


def irsa_service_account(scope: Construct, id: str, *, name: str, namespace: str, labels: dict[str, str],
                         role_arn: str) -> k8s.KubeServiceAccount:
    # No API token: the EKS pod identity webhook mounts its own projected token (audience
    # sts.amazonaws.com) whatever automountServiceAccountToken says; fsGroup makes it readable.
    return k8s.KubeServiceAccount(scope, id, metadata=object_meta(name, namespace, labels, {IRSA_ANNOTATION: role_arn}),
                                  automount_service_account_token=False)

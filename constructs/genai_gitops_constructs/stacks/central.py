"""The central (agency) stack: LiteLLM, Langfuse, vLLM, Lago, data stores, observability."""

from __future__ import annotations

from cdk8s import Chart
from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.loader import Platform
from genai_gitops.model.traffic import PLATFORM_NAMESPACE
from genai_gitops_constructs.meta import labels


class CentralStack(Chart):
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec, platform: Platform) -> None:
        super().__init__(scope, id, namespace=PLATFORM_NAMESPACE, disable_resource_name_hashes=True)
        meta = labels("genai-platform", instance=cluster.name, component="central")
        k8s.KubeNamespace(self, "namespace", metadata=k8s.ObjectMeta(
            name=PLATFORM_NAMESPACE, labels={**meta, "kubernetes.io/metadata.name": PLATFORM_NAMESPACE},
            annotations={"argocd.argoproj.io/sync-wave": "-1"}))

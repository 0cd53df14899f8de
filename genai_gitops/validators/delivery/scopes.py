"""Whether a kind is namespaced: Kubernetes' own kinds first, then the CRDs the Applications ship."""

from __future__ import annotations

from collections.abc import Iterable

from genai_gitops.manifests import Resource
from genai_gitops.manifests.scope import scope_of
from genai_gitops.validators.delivery.facts import AppFacts


class KindScopes:
    def __init__(self) -> None:
        #: (group, kind) -> namespaced, from the CustomResourceDefinitions the Applications ship
        self.crd_scopes: dict[tuple[str, str], bool] = {}

    def learn(self, facts: Iterable[AppFacts]) -> None:
        for item in facts:
            for group, kind, namespaced in item.crds:
                self.crd_scopes[(group, kind)] = namespaced

    def namespaced(self, res: Resource) -> bool:
        return self.of(res.group, res.kind)

    def of(self, group: str, kind: str) -> bool:
        known = scope_of(group, kind)
        if known is not None:
            return known
        if (group, kind) in self.crd_scopes:
            return self.crd_scopes[(group, kind)]
        return True  # an unknown kind: namespaced, as most custom resources are (Argo CD asks discovery)

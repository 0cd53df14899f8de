"""What each app's rendered output depends on: the contract incremental drift checks rely on.

A stack reads only these inputs (plus the code itself, covered by the tool fingerprint):
tenant and guard-rails apps read their tenant and the inventory; a cluster's projects app reads
the tenants on that cluster; the central stack reads every tenant (LiteLLM's config); add-ons read
the inventory; cluster config reads the inventory, the policies and the image_repositories of
the tenants on its cluster. Same key, same bytes.
"""

from __future__ import annotations

import json

from genai_gitops import cache_keys
from genai_gitops.cache import digest
from genai_gitops.manifests.cluster_policies import tenant_repositories
from genai_gitops.model.apps import AppKind, AppSpec
from genai_gitops.model.loader import Platform


class InputKeys:
    """Input keys of every app of one platform; JSON dumps are computed once per run."""

    def __init__(self, platform: Platform, policies_digest: str) -> None:
        self.platform = platform
        self.policies_digest = policies_digest
        # its digest, not the JSON itself: every app's key holds it, and 2,000 keys hashed the same 12 KB each
        self.inventory = digest(platform.inventory.model_dump_json())
        self.tenants = {t.id: t.model_dump_json() for t in platform.tenants}
        self._all: str | None = None

    def all_tenants(self) -> str:
        if self._all is None:
            self._all = digest(*(self.tenants[t] for t in sorted(self.tenants)))
        return self._all

    def key(self, spec: AppSpec) -> str:
        """The app's key (cache_keys.app_inputs), naming what its kind of stack reads."""
        base = {"kind": spec.kind.value, "path": spec.path, "inventory": self.inventory}
        if spec.kind in (AppKind.TENANT, AppKind.GUARDRAILS):
            assert spec.tenant is not None
            return cache_keys.app_inputs(**base, tenants=[self.tenants[spec.tenant]])
        if spec.kind is AppKind.PROJECTS:
            return cache_keys.app_inputs(**base, tenants=[self.tenants[t.id]
                                                          for t in self.platform.tenants_on(spec.cluster)])
        if spec.kind is AppKind.CENTRAL:
            return cache_keys.app_inputs(**base, tenants=[self.all_tenants()])
        if spec.kind is AppKind.CLUSTER_CONFIG:
            # the trusted-images constraint carries the cluster's tenants' image_repositories (only those)
            repositories = json.dumps(tenant_repositories(self.platform.tenants_on(spec.cluster)), sort_keys=True)
            return cache_keys.app_inputs(**base, policies=self.policies_digest, repositories=repositories)
        return cache_keys.app_inputs(**base)

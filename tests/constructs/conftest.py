"""Synthesised tenant stacks, read back the way Argo CD reads them: YAML files in one folder per app."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from genai_gitops.manifests.pods import pod_template_body
from genai_gitops.manifests.reader import read_paths
from genai_gitops.manifests.resource import Resource
from genai_gitops.model.loader import Platform
from genai_gitops.model.tenant import TenantSpec

FIXTURE_REPO = Path(__file__).resolve().parents[1] / "fixtures" / "repo"
POD_OWNERS = ("Deployment", "StatefulSet")


@dataclass(frozen=True)
class Pod:
    """A workload's pod template."""

    workload: Resource

    @property
    def template(self) -> dict[str, Any]:
        body = pod_template_body(self.workload)
        assert body is not None, f"{self.workload.describe()} has no pod template"
        return body

    @property
    def labels(self) -> dict[str, str]:
        return self.template["metadata"]["labels"]

    @property
    def spec(self) -> dict[str, Any]:
        return self.template["spec"]

    @property
    def containers(self) -> list[dict[str, Any]]:
        return self.spec["containers"]

    @property
    def init_containers(self) -> list[dict[str, Any]]:
        return self.spec.get("initContainers", [])

    @property
    def all_containers(self) -> list[dict[str, Any]]:
        return self.init_containers + self.containers

    @property
    def main(self) -> dict[str, Any]:
        """The container named after the workload."""
        return next(c for c in self.containers if c["name"] == self.workload.name)

    def env(self, container: dict[str, Any] | None = None) -> dict[str, Any]:
        """name -> value, or name -> ("secret", name, key) for a secretKeyRef."""
        out: dict[str, Any] = {}
        for var in (container or self.main).get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            out[var["name"]] = ("secret", ref["name"], ref["key"]) if ref else var.get("value")
        return out

    @property
    def volumes(self) -> dict[str, dict[str, Any]]:
        return {v["name"]: v for v in self.spec.get("volumes", [])}

    def mounts(self, container: dict[str, Any] | None = None) -> dict[str, str]:
        """mount path -> volume name"""
        return {m["mountPath"]: m["name"] for m in (container or self.main).get("volumeMounts", [])}


@dataclass(frozen=True)
class App:
    """The objects of one `dist/<cluster>/<app>/` folder."""

    path: Path
    resources: tuple[Resource, ...]

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def find(self, kind: str, name: str) -> Resource | None:
        found = [r for r in self.resources if r.kind == kind and r.name == name]
        assert len(found) <= 1, f"{kind} {name} is written twice"
        return found[0] if found else None

    def get(self, kind: str, name: str) -> Resource:
        found = self.find(kind, name)
        assert found is not None, f"no {kind} {name} in {self.path}"
        return found

    def pod(self, name: str) -> Pod:
        for kind in POD_OWNERS:
            workload = self.find(kind, name)
            if workload is not None:
                return Pod(workload)
        raise AssertionError(f"no workload {name} in {self.path}")

    def pods(self) -> Iterator[Pod]:
        for resource in self.resources:
            if resource.kind in POD_OWNERS:
                yield Pod(resource)

    def names(self) -> set[str]:
        return {r.name for r in self.resources}

    def secret_keys(self) -> dict[str, set[str]]:
        """Secret name -> the keys its ExternalSecret writes (data and template keys; mergePolicy Merge)."""
        out: dict[str, set[str]] = {}
        for es in self.of_kind("ExternalSecret"):
            target = es.obj["spec"]["target"]
            keys = {d["secretKey"] for d in es.obj["spec"].get("data", [])}
            keys |= set(target.get("template", {}).get("data", {}))
            out[target["name"]] = keys
        return out


@dataclass(frozen=True)
class Dist:
    root: Path
    platform: Platform

    def app(self, cluster: str, name: str) -> App:
        folder = self.root / cluster / name
        assert folder.is_dir(), f"{folder} was not synthesised"
        manifests = read_paths([folder])
        assert manifests.findings == [], manifests.findings
        return App(folder, tuple(manifests.resources))

    def tenant(self, tenant: str) -> App:
        spec = self.spec(tenant)
        return self.app(spec.cluster, spec.namespace)

    def guardrails(self, tenant: str) -> App:
        spec = self.spec(tenant)
        return self.app(spec.cluster, f"{spec.namespace}-guardrails")

    def spec(self, tenant: str) -> TenantSpec:
        return next(t for t in self.platform.tenants if t.id == tenant)


def synthesize_into(platform: Platform, out: Path) -> Dist:
    from genai_gitops.synth import synthesize_platform

    synthesize_platform(platform, out / "dist")
    return Dist(out / "dist", platform)


@pytest.fixture(scope="session")
def example_dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """The fixture repository's tenants and clusters (tests/fixtures/repo), synthesised once for the session."""
    from genai_gitops.model import load_platform

    platform = load_platform(FIXTURE_REPO / "tenants", FIXTURE_REPO / "clusters.yaml")
    return synthesize_into(platform, tmp_path_factory.mktemp("constructs"))


#: a complete tenant to vary in tests: hybrid, RAG on, on the central cluster (same-cluster LiteLLM)
BASE_TENANT: dict[str, Any] = {
    "id": "umbrella",
    "name": "Umbrella Corp",
    "environment": "prod",
    "cluster": "central-prod",
    "aws": {"account_id": "123412341234", "region": "eu-central-1", "s3_bucket": "umbrella-genai-data"},
    "usage_mode": "hybrid",
    "branding": {"display_name": "Umbrella Chat"},
    "models": {"local": ["qwen3:8b", "llama3.2:3b"], "external": ["gpt-4o-mini"]},
    "quotas": {"cpu": "16", "memory": "64Gi", "gpu": 1, "storage": "100Gi", "monthly_budget_usd": 100,
               "requests_per_minute": 60},
    "rag": {"enabled": True, "storage": "15Gi"},
    "mcp_servers": [
        {"name": "mcp-wiki", "image": "ghcr.io/umbrella/mcp-wiki:2.0.1", "port": 9000, "path": "/mcp",
         "description": "Wiki search", "auth_token": {"key": "genai/tenants/umbrella/mcp-wiki", "property": "token"}},
        {"name": "mcp-clock", "image": "ghcr.io/umbrella/mcp-clock:0.3.0", "description": "Time {{zones}}"},
    ],
    "image_repositories": ["ghcr.io/umbrella/"],
    "oidc": {"issuer_url": "https://login.umbrella.example/", "client_id": "chat",
             "client_secret": {"key": "genai/tenants/umbrella/oidc", "property": "client_secret"}},
    "ingress": {"host": "chat.umbrella.example"},
    "billing": {"lago_customer_id": "umbrella", "plan": "starter"},
    "secrets": {"litellm_api_key": {"key": "genai/tenants/umbrella/litellm", "property": "api_key"},
                "webui_secret_key": {"key": "genai/tenants/umbrella/open-webui", "property": "secret_key"},
                "database_url": {"key": "genai/tenants/umbrella/open-webui", "property": "database_url"}},
}


@pytest.fixture
def make_tenant() -> Callable[..., TenantSpec]:
    """BASE_TENANT with top-level fields replaced, validated like a tenant file (JSON mode)."""

    def make(**changes: Any) -> TenantSpec:
        return TenantSpec.model_validate_json(json.dumps({**BASE_TENANT, **changes}))

    return make


@pytest.fixture
def synth_tenants(example_dist: Dist, tmp_path: Path) -> Callable[..., Dist]:
    """Synthesise the example clusters with the given tenants only."""

    def synth(*tenants: TenantSpec) -> Dist:
        platform = Platform(tenants=tuple(sorted(tenants, key=lambda t: t.id)),
                            inventory=example_dist.platform.inventory,
                            tenant_files={t.id: f"tenants/{t.id}.yaml" for t in tenants})
        return synthesize_into(platform, tmp_path)

    return synth

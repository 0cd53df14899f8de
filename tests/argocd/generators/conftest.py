"""A small inventory and context for generator tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genai_gitops.argocd.generators import GeneratorContext, new_context
from genai_gitops.model.cluster import ClusterInventory


def cluster(name: str, *, env: str = "prod", role: str = "customer", argocd_name: str | None = None,
            server: str | None = None) -> dict[str, Any]:
    return {"name": name, "role": role, "environment": env, "region": "eu-west-1", "kubernetes_version": "1.30",
            "aws_account_id": "123456789012", "vpc_cidr": "10.0.0.0/16", "data_subnets": ["10.0.240.0/24"],
            "argocd": {"name": argocd_name or name, "server": server or f"https://{name}.example.com"},
            "capabilities": {"ingress": {"domain": f"{name}.example.com"}}}


def make_inventory(*clusters: dict[str, Any]) -> ClusterInventory:
    data = {"gitops": {"repo_url": "https://github.com/example-org/genai-gitops.git"}, "clusters": list(clusters)}
    return ClusterInventory.model_validate_json(json.dumps(data))


@pytest.fixture()
def clusters_of() -> Callable[..., ClusterInventory]:
    """Build an inventory: clusters_of(("eu-1", {}), ("central", {"role": "central", ...}))."""
    return lambda *specs: make_inventory(*(cluster(name, **options) for name, options in specs))


@pytest.fixture()
def inventory() -> ClusterInventory:
    return make_inventory(
        cluster("central", role="central", argocd_name="in-cluster", server="https://kubernetes.default.svc"),
        cluster("eu-1"), cluster("us-1", env="staging"))


@pytest.fixture()
def context(tmp_path: Path, inventory: ClusterInventory) -> GeneratorContext:
    return new_context(tmp_path, inventory, application_set="test")

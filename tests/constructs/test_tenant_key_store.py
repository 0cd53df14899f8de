"""Hole 4, construct side: tenants' LiteLLM keys are read through a store that can read nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.model import load_platform
from genai_gitops.model.traffic import PLATFORM_NAMESPACE
from tests.constructs.conftest import Dist, synthesize_into

FIXTURE = Path(__file__).resolve().parents[1] / "model" / "fixtures" / "platform"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    platform = load_platform(FIXTURE / "tenants", FIXTURE / "clusters.yaml")
    return synthesize_into(platform, tmp_path_factory.mktemp("tenant-key-store"))


def test_central_cluster_has_a_store_for_tenant_keys_only(dist: Dist) -> None:
    store = dist.app("hub", "cluster-config").get("ClusterSecretStore", "tenant-litellm-keys")
    assert store.obj["spec"] == {
        "provider": {"aws": {"service": "SecretsManager", "region": "eu-central-1",
                             "role": "arn:aws:iam::100000000001:role/genai-eso-tenant-litellm-keys"}},
        "conditions": [{"namespaces": [PLATFORM_NAMESPACE]}],
    }


def test_customer_clusters_have_no_such_store(dist: Dist) -> None:
    assert dist.app("shared", "cluster-config").find("ClusterSecretStore", "tenant-litellm-keys") is None


def test_team_sync_reads_tenant_keys_through_it(dist: Dist) -> None:
    spec = dist.app("hub", "central").get("ExternalSecret", "litellm-tenant-keys").obj["spec"]
    assert spec["secretStoreRef"] == {"name": "tenant-litellm-keys", "kind": "ClusterSecretStore"}
    assert [d["remoteRef"] for d in spec["data"]] == [
        {"key": "genai/tenants/alpha/litellm", "property": "api_key"},
        {"key": "genai/tenants/beta/litellm", "property": "api_key"}]


def test_no_other_central_object_reads_tenant_paths(dist: Dist) -> None:
    for secret in dist.app("hub", "central").of_kind("ExternalSecret"):
        if secret.name == "litellm-tenant-keys":
            continue
        keys = [d["remoteRef"]["key"] for d in secret.obj["spec"].get("data", [])]
        assert secret.obj["spec"]["secretStoreRef"]["name"] == "aws-secrets-manager", secret.name
        assert all(k.startswith("genai/platform/hub/") for k in keys), (secret.name, keys)


def test_tenant_objects_use_their_own_store(dist: Dist) -> None:
    for tenant in ("alpha", "beta"):
        for secret in dist.tenant(tenant).of_kind("ExternalSecret"):
            assert secret.obj["spec"]["secretStoreRef"] == {"name": "tenant-secrets", "kind": "SecretStore"}
            assert all(d["remoteRef"]["key"].startswith(f"genai/tenants/{tenant}/")
                       for d in secret.obj["spec"]["data"]), secret.name

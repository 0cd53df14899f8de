"""`Validator.data_used` is honest: a validator's results do not change when a part of the target's data it
does not declare changes. The runner leaves undeclared parts out of its cache key, so a dishonest
declaration would let a tenant or cluster edit reuse stale results.

Each target is a cluster of the synthesised fixture repository with planted defects (so every validator
has findings or tables to compare), run once as `check` builds it and once with every undeclared part
replaced: tenants with other names, quotas, models and MCP servers (or none at all, when even their
namespaces are undeclared), no inventory, no cluster, another Kubernetes version.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from genai_gitops.cache_keys import TARGET_DATA
from genai_gitops.manifests import read_paths
from genai_gitops.model import load_platform
from genai_gitops.report.finding import Finding
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.registry import ValidatorOptions, build_validators

#: delivery is left out: its cache context is the digest of its own findings, so no data needs to be in its key
NARROWED = ["schema", "policy", "refs", "capacity", "foundations"]

PLANTED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: planted, namespace: NAMESPACE}
spec:
  replicas: 1
  minReadySeconds: soon
  selector: {matchLabels: {app: planted}}
  template:
    metadata: {labels: {app: planted}}
    spec:
      containers:
        - name: planted
          image: docker.io/library/busybox:1.36
          envFrom: [{configMapRef: {name: missing-config}}]
          ports: [{containerPort: 53, protocol: UDP}]
          livenessProbe: {tcpSocket: {port: 53}}
          resources: {requests: {cpu: 64, memory: 512Gi}, limits: {cpu: 64, memory: 512Gi}}
---
apiVersion: v1
kind: Secret
metadata: {name: planted, namespace: NAMESPACE}
stringData: {password: hunter2-hunter2-hunter2}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: planted, namespace: NAMESPACE}
spec: {storageClassName: nowhere, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


def _targets(repo: Path) -> list[Target]:
    platform = load_platform(repo / "tenants", repo / "clusters.yaml")
    targets = []
    for cluster in platform.clusters:
        tenants = platform.tenants_on(cluster.name)
        if not tenants:
            continue
        folder = repo / "dist" / cluster.name / "planted"
        folder.mkdir()
        (folder / "planted.yaml").write_text(PLANTED.replace("NAMESPACE", tenants[0].namespace))
        resources = read_paths([repo / "dist" / cluster.name]).resources
        targets.append(Target(name=cluster.name, k8s_version=cluster.kubernetes_version, resources=resources,
                              cluster=cluster, tenants=tenants, inventory=platform.inventory, digest="d"))
    return targets


def _other_data(target: Target, used: tuple[str, ...]) -> Target:
    """`target` with every part of its data outside `used` replaced."""
    tenants = target.tenants
    if "tenants" not in used:
        tenants = [t.model_copy(update={"name": f"Other {t.id}", "quotas": t.quotas.model_copy(
            update={"requests_per_minute": t.quotas.requests_per_minute + 7}), "mcp_servers": []})
            for t in tenants] if "tenant_namespaces" in used else []
    return replace(target, tenants=tenants,
                   inventory=target.inventory if "inventory" in used else None,
                   cluster=target.cluster if "cluster" in used else None,
                   k8s_version=target.k8s_version if "k8s_version" in used else "1.28")


def _results(validator: Validator, target: Target) -> list[object]:
    return [item.to_dict() if isinstance(item, Finding) else item for item in validator.run(target)]


def _check(names: list[str], tmp_path: Path, repo: Path) -> None:
    import shutil

    shutil.copytree(repo, tmp_path / "repo")
    targets = _targets(tmp_path / "repo")
    assert targets
    options = ValidatorOptions(policy_paths=(tmp_path / "repo" / "policies",))
    for validator in build_validators(names, options):
        assert set(validator.data_used) <= set(TARGET_DATA)
        assert set(validator.data_used) != set(TARGET_DATA) - {"tenant_namespaces"}, (
            f"{validator.name} declares nothing narrower than the default; leave it out of this test")
        seen = 0
        for target in targets:
            expected = _results(validator, target)
            seen += len(expected)
            assert _results(validator, _other_data(target, validator.data_used)) == expected, (
                validator.name, target.name)
        assert seen, f"{validator.name} found nothing to compare on the planted defects"


def test_declared_data_is_all_a_validator_reads(synthesized: Path, tmp_path: Path) -> None:
    _check(NARROWED, tmp_path, synthesized)


@pytest.mark.slow
def test_checkov_reads_no_target_data(synthesized: Path, tmp_path: Path) -> None:
    _check(["checkov"], tmp_path, synthesized)


def test_the_cache_key_changes_with_each_declared_part_only() -> None:
    from genai_gitops import cache_keys

    class Data:
        def __init__(self, text: str, namespace: str = "tenant-a") -> None:
            self.text, self.namespace = text, namespace

        def model_dump_json(self) -> str:
            return self.text

    base: dict[str, Any] = {"k8s_version": "1.31", "cluster": Data("c"), "tenants": [Data("t")], "inventory": Data("i")}
    changes: dict[str, Any] = {"k8s_version": "1.30", "cluster": Data("c2"), "tenants": [Data("t2")],
                               "inventory": Data("i2")}
    for used in [(), ("cluster",), ("k8s_version", "cluster"), ("cluster", "tenant_namespaces"), TARGET_DATA]:
        key = cache_keys.target_data(used=used, **base)
        for name, value in changes.items():
            other = cache_keys.target_data(used=used, **{**base, name: value})
            assert (other != key) == (name in used), (used, name)
    # a tenant's namespace alone is its own part: renaming one changes the key of a validator that reads it
    renamed = {**base, "tenants": [Data("t", namespace="tenant-b")]}
    assert cache_keys.target_data(used=("tenant_namespaces",), **base) != cache_keys.target_data(
        used=("tenant_namespaces",), **renamed)
    assert cache_keys.target_data(used=("cluster",), **base) != cache_keys.target_data(used=("k8s_version",), **base)
    with pytest.raises(ValueError, match="unknown target data"):
        cache_keys.target_data(used=("tenant",), **base)

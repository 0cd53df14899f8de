"""Issue 13, "what it must show", over every cluster of two generated repositories (example data and a
bench repository of many tenants): every claim's StorageClass exists in its dist/, HPAs have a metrics
API, GPU pools have the device plugin, no retired component ships. Then the `foundations` validator,
which checks the same in `genai-gitops check`, on trees broken one way each."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops.manifests import read_paths
from genai_gitops.manifests.resource import Resource
from genai_gitops.model import load_platform
from genai_gitops.validators.base import Target
from genai_gitops.validators.foundations import FoundationsValidator
from genai_gitops.validators.registry import ValidatorOptions


def cluster_trees(repo: Any) -> Iterator[tuple[str, list[Resource]]]:
    for tree in sorted(p for p in repo.dist.iterdir() if p.is_dir()):
        manifests = read_paths([tree])
        assert manifests.findings == []
        yield tree.name, list(manifests.resources)


def of_kind(resources: list[Resource], kind: str) -> list[Resource]:
    return [r for r in resources if r.kind == kind]


def charts(resources: list[Resource]) -> dict[str, Resource]:
    """chart name (or OCI repository) -> its Application"""
    out = {}
    for app in of_kind(resources, "Application"):
        source = app.obj["spec"].get("source", {})
        out[source.get("chart") or source.get("repoURL", "").rsplit("/", 1)[-1]] = app
    return out


def claimed_classes(resources: list[Resource]) -> set[str | None]:
    classes: set[str | None] = set()
    for r in of_kind(resources, "PersistentVolumeClaim"):
        classes.add(r.obj["spec"].get("storageClassName"))
    for r in of_kind(resources, "StatefulSet"):
        classes |= {t["spec"].get("storageClassName") for t in r.obj["spec"].get("volumeClaimTemplates", [])}
    return classes


def test_every_cluster_is_operable_from_its_own_tree(generated: Any) -> None:
    platform = load_platform(generated.data / "tenants", generated.data / "clusters.yaml")
    trees = dict(cluster_trees(generated))
    assert set(trees) == {c.name for c in platform.clusters}
    checked = {"claims": 0, "hpas": 0, "gpu": 0}
    for cluster in platform.clusters:
        resources = trees[cluster.name]
        classes = {r.name: r for r in of_kind(resources, "StorageClass")}
        claimed = claimed_classes(resources)
        assert claimed <= set(classes), f"{cluster.name}: claims name {claimed - set(classes)}"
        checked["claims"] += len(claimed)
        gp3 = classes[cluster.capabilities.storage_class]
        assert gp3.obj["provisioner"] == "ebs.csi.aws.com"
        assert gp3.obj["parameters"]["encrypted"] == "true"
        assert gp3.obj["parameters"]["kmsKeyId"] == cluster.kms_key_arn
        assert gp3.obj["allowVolumeExpansion"] is True
        assert gp3.obj["volumeBindingMode"] == "WaitForFirstConsumer"

        installed = charts(resources)
        if of_kind(resources, "HorizontalPodAutoscaler"):
            checked["hpas"] += 1
            assert "metrics-server" in installed, f"{cluster.name}: HPAs without a metrics API"
        if cluster.has_gpu:
            checked["gpu"] += 1
            plugin = installed["nvidia-device-plugin"].obj["spec"]["source"]["helm"]["valuesObject"]
            terms = plugin["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
                "nodeSelectorTerms"]
            # every pool's nodes are selected, and every pool's taints tolerated
            for pool in cluster.capabilities.gpu_node_pools:
                assert {"matchExpressions": [{"key": k, "operator": "In", "values": [v]}
                                             for k, v in sorted(pool.labels.items())]} in terms
                for taint in pool.taints:
                    assert any(t["key"] == taint.key and t.get("effect") == taint.effect
                               for t in plugin["tolerations"])
            assert "dcgm-exporter" in installed
        else:
            assert "nvidia-device-plugin" not in installed and "dcgm-exporter" not in installed
        assert not {"ingress-nginx"} & set(installed), f"{cluster.name} ships retired ingress-nginx"
        # the log shipper, to the cluster's region, one log group per namespace
        logs = installed["aws-for-fluent-bit"].obj["spec"]["source"]["helm"]["valuesObject"]["cloudWatchLogs"]
        assert (logs["region"], logs["logGroupTemplate"]) == (
            cluster.region, f"/genai/{cluster.name}/$kubernetes['namespace_name']")
        target = Target(name=cluster.name, k8s_version=cluster.kubernetes_version, resources=resources,
                        cluster=cluster)
        assert list(FoundationsValidator(ValidatorOptions()).validate(target)) == []
    # the repository exercised each rule at least once
    assert checked["claims"] and checked["hpas"] and checked["gpu"]


# -- the validator on broken trees ---------------------------------------------------------------------

@pytest.fixture()
def gpu_tree(example_repo: Any, tmp_path: Path) -> tuple[Path, Target]:
    platform = load_platform(example_repo.data / "tenants", example_repo.data / "clusters.yaml")
    cluster = next(c for c in platform.clusters if c.has_gpu and platform.tenants_on(c.name))
    tree = tmp_path / cluster.name
    shutil.copytree(example_repo.dist / cluster.name, tree)
    return tree, Target(name=cluster.name, k8s_version=cluster.kubernetes_version, resources=(), cluster=cluster)


def findings(tree: Path, target: Target) -> list[tuple[str, str, str]]:
    target.resources = read_paths([tree]).resources
    return sorted((f.rule, f"{f.kind}/{f.name}", f.message)
                  for f in FoundationsValidator(ValidatorOptions()).validate(target))


def test_a_claim_without_its_storage_class(gpu_tree) -> None:
    tree, target = gpu_tree
    (tree / "cluster-config" / "StorageClass-gp3.yaml").unlink()
    found = findings(tree, target)
    assert found and {rule for rule, _, _ in found} == {"missing-storage-class"}
    message = found[0][2]
    assert message.startswith("claim ") and "names StorageClass gp3, which this cluster's tree does not create " \
        "(StorageClasses here: none): on a fresh EKS cluster the claim stays Pending" in message


def test_a_claim_naming_no_class_needs_a_default_class(gpu_tree) -> None:
    tree, target = gpu_tree
    path = next((tree).rglob("StatefulSet-*.yaml"))
    path.write_text(path.read_text().replace("storageClassName: gp3", "storageClassName: null"))
    assert findings(tree, target) == []  # gp3 is the default class
    sc = tree / "cluster-config" / "StorageClass-gp3.yaml"
    sc.write_text(sc.read_text().replace("is-default-class: 'true'", "is-default-class: 'false'"))
    found = findings(tree, target)
    assert [(r, about) for r, about, _ in found] == [("missing-storage-class", f"StatefulSet/{path.stem[12:]}")]
    assert "names no StorageClass and the tree creates no default class" in found[0][2]


def test_hpas_without_metrics_server(gpu_tree) -> None:
    tree, target = gpu_tree
    (tree / "addons" / f"Application-{target.name}-metrics-server.yaml").unlink()
    found = findings(tree, target)
    assert [rule for rule, _, _ in found] == ["no-metrics-api"]
    assert found[0][1].startswith("HorizontalPodAutoscaler/")
    assert "HorizontalPodAutoscaler(s) on this cluster but nothing serves the metrics API (metrics.k8s.io): they " \
        "never scale; install metrics-server" in found[0][2]


def test_gpu_pools_without_device_plugin(gpu_tree) -> None:
    tree, target = gpu_tree
    (tree / "addons" / f"Application-{target.name}-nvidia-device-plugin.yaml").unlink()
    found = findings(tree, target)
    assert [rule for rule, _, _ in found] == ["no-gpu-device-plugin"]
    assert found[0][2].endswith("but no device plugin Application (charts: gpu-operator, nvidia-device-plugin): "
                                "nodes advertise no nvidia.com/gpu and GPU pods never schedule")


def test_a_retired_chart_is_refused(gpu_tree) -> None:
    tree, target = gpu_tree
    app = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": "legacy-ingress", "namespace": "argocd"},
           "spec": {"project": "platform", "source": {"repoURL": "https://kubernetes.github.io/ingress-nginx",
                                                      "chart": "ingress-nginx", "targetRevision": "4.13.3"},
                    "destination": {"name": "in-cluster", "namespace": "ingress-nginx"}}}
    (tree / "addons" / "Application-legacy-ingress.yaml").write_text(yaml.safe_dump(app))
    assert findings(tree, target) == [(
        "retired-component", "Application/legacy-ingress",
        "Application legacy-ingress installs ingress-nginx: community ingress-nginx was retired in March 2026 "
        "(no releases or security fixes since); use a maintained Gateway API implementation")]


# -- day 2: backups, alerts that reach someone, persistent monitoring ------------------------------------

STORES_OF_RECORD = {"StatefulSet": {"postgres", "clickhouse", "qdrant"}}


def test_every_store_of_record_is_backed_up_and_alerts_reach_a_receiver(generated: Any) -> None:
    platform = load_platform(generated.data / "tenants", generated.data / "clusters.yaml")
    trees = dict(cluster_trees(generated))
    stores = 0
    for cluster in platform.clusters:
        resources = trees[cluster.name]
        assert cluster.backups is not None and cluster.alerting is not None
        # every store of record (by namespace) has a backup CronJob on the inventory's schedule
        jobs = {(r.namespace, r.name): r for r in of_kind(resources, "CronJob") if r.name.startswith("backup-")}
        for sts in of_kind(resources, "StatefulSet"):
            if sts.name in STORES_OF_RECORD["StatefulSet"]:
                stores += 1
                job = jobs[(sts.namespace, f"backup-{sts.name}")].obj
                assert job["spec"]["schedule"] == cluster.backups.schedule
                pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
                env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
                assert env["BACKUP_BUCKET"] == cluster.backups.bucket
                assert env["RETENTION_DAYS"] == str(cluster.backups.retention_days)
                account = next(r for r in of_kind(resources, "ServiceAccount")
                               if r.namespace == sts.namespace and r.name == pod["serviceAccountName"])
                assert account.annotations["eks.amazonaws.com/role-arn"].startswith(
                    f"arn:aws:iam::{cluster.aws_account_id}:role/")
        # alerts exist on the cluster and Alertmanager routes them to the inventory's receivers
        rules = [rule for r in of_kind(resources, "PrometheusRule") for g in r.obj["spec"]["groups"]
                 for rule in g["rules"]]
        assert {"OpenWebUIDown", "QdrantDown", "TenantQuotaNearlyUsed"} <= {r["alert"] for r in rules}
        if cluster.has_gpu:
            assert "GpuTooHot" in {r["alert"] for r in rules}
        values = charts(resources)["kube-prometheus-stack"].obj["spec"]["source"]["helm"]["valuesObject"]
        config = values["alertmanager"]["config"]
        names = {r.name for r in cluster.alerting.receivers}
        assert config["route"]["receiver"] in names
        assert {r["receiver"] for r in config["route"]["routes"]} - {"null"} == names
        assert {r["name"] for r in config["receivers"]} == names | {"null"}
        secret = next(r for r in of_kind(resources, "ExternalSecret") if r.name == "alertmanager-receivers")
        assert {d["secretKey"] for d in secret.obj["spec"]["data"]} == names
        assert values["alertmanager"]["alertmanagerSpec"]["secrets"] == ["alertmanager-receivers"]
        # Prometheus, Alertmanager and Grafana keep their data on the cluster's encrypted class
        prometheus = values["prometheus"]["prometheusSpec"]
        assert prometheus["retention"] == "15d"
        claim = prometheus["storageSpec"]["volumeClaimTemplate"]["spec"]
        assert (claim["storageClassName"], claim["resources"]["requests"]["storage"]) == (
            cluster.capabilities.storage_class, "50Gi")
        claim = values["alertmanager"]["alertmanagerSpec"]["storage"]["volumeClaimTemplate"]["spec"]
        assert claim["resources"]["requests"]["storage"] == "5Gi"
        assert values["grafana"]["persistence"] == {"enabled": True, "size": "10Gi",
                                                    "storageClassName": cluster.capabilities.storage_class}
        assert values["grafana"]["admin"]["existingSecret"] == "grafana-admin"
        assert any(r.name == "grafana-admin" and r.namespace == "monitoring"
                   for r in of_kind(resources, "ExternalSecret"))
    assert stores

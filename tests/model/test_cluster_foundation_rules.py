"""clusters.yaml rules for the cluster foundations: the EBS KMS key and the StorageClass name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from genai_gitops.model import ModelError
from genai_gitops.model.loader import load_inventory

KEY = "arn:aws:kms:{region}:{account}:key/1f0c6a52-7d3e-4b8a-9c21-5e8f0a3b7d41"


def problems_after(data_copy: Path, monkeypatch, change) -> list[str]:
    monkeypatch.chdir(data_copy)
    data = yaml.safe_load((data_copy / "clusters.yaml").read_text())
    change(data["clusters"][0])
    (data_copy / "clusters.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ModelError) as info:
        load_inventory(Path("clusters.yaml"))
    return [str(p) for p in info.value.problems]


def test_a_key_of_another_region(data_copy: Path, monkeypatch) -> None:
    def change(cluster):
        cluster["kms_key_arn"] = KEY.format(region="us-west-2", account=cluster["aws_account_id"])
    assert problems_after(data_copy, monkeypatch, change) == [
        "clusters.yaml: clusters[0].kms_key_arn: the key is in region 'us-west-2' but the cluster is in "
        "'eu-central-1'; EBS can only use a key of the volume's region"]


def test_a_key_of_another_account(data_copy: Path, monkeypatch) -> None:
    def change(cluster):
        cluster["kms_key_arn"] = KEY.format(region=cluster["region"], account="999999999999")
    [problem] = problems_after(data_copy, monkeypatch, change)
    assert problem.startswith("clusters.yaml: clusters[0].kms_key_arn: the key belongs to account 999999999999 but "
                              "the cluster is in 210987654321; use a key of the cluster's account")


def test_a_key_that_is_no_kms_arn(data_copy: Path, monkeypatch) -> None:
    def change(cluster):
        cluster["kms_key_arn"] = "alias/ebs"
    [problem] = problems_after(data_copy, monkeypatch, change)
    assert problem.startswith("clusters.yaml: clusters[0].kms_key_arn: String should match pattern")


def test_the_class_eks_creates_is_not_taken(data_copy: Path, monkeypatch) -> None:
    def change(cluster):
        cluster["capabilities"]["storage_class"] = "gp2"
    assert problems_after(data_copy, monkeypatch, change) == [
        "clusters.yaml: clusters[0].capabilities.storage_class: 'gp2' is the class EKS creates itself (unencrypted "
        "gp2); name the platform's class differently, e.g. gp3"]


def test_aliases_and_other_partitions_are_keys(data_copy: Path) -> None:
    data = yaml.safe_load((data_copy / "clusters.yaml").read_text())
    data["clusters"][0]["kms_key_arn"] = "arn:aws:kms:eu-central-1:210987654321:alias/genai-ebs"
    (data_copy / "clusters.yaml").write_text(yaml.safe_dump(data))
    assert load_inventory(data_copy / "clusters.yaml").clusters[0].kms_key_arn.endswith("alias/genai-ebs")

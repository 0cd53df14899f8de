"""The StorageClass every PersistentVolumeClaim of the platform names (clusters.yaml capabilities.storage_class).

A fresh EKS cluster has only the in-tree `gp2` class (unencrypted, and not the default since EKS 1.30), so
claims that name `gp3` stay Pending until this class exists. It provisions through the EBS CSI driver,
which is an EKS add-on with its own IRSA role (README: before Argo CD), never something Argo CD installs.
"""

from __future__ import annotations

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops_constructs.meta import labels

EBS_CSI_PROVISIONER = "ebs.csi.aws.com"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


def ebs_parameters(cluster: ClusterSpec) -> dict[str, str]:
    """gp3, always encrypted; with the cluster's own KMS key when the inventory names one."""
    params = {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
    if cluster.kms_key_arn:
        params["kmsKeyId"] = cluster.kms_key_arn
    return params


class EncryptedStorageClass(Construct):
    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec) -> None:
        super().__init__(scope, id)
        name = cluster.capabilities.storage_class
        k8s.KubeStorageClass(
            self, "storage-class",
            metadata=k8s.ObjectMeta(
                name=name, labels=labels("storage-class", instance=cluster.name, component="storage"),
                # charts that name no class (add-ons' own claims) get this one, not EKS's unencrypted gp2
                annotations={DEFAULT_CLASS_ANNOTATION: "true"}),
            provisioner=EBS_CSI_PROVISIONER,
            parameters=ebs_parameters(cluster),
            # a volume binds in the zone its pod is scheduled to (EBS volumes are zonal)
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            # a claim that Argo CD prunes or a tenant deletes never takes the store of record's data with it;
            # released volumes are removed by hand after the backup is verified (README: Backups)
            reclaim_policy="Retain")

"""The cluster inventory: where stacks go and what those clusters can do."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from genai_gitops.model.base import DnsLabel, KubernetesVersion, StrictModel
from genai_gitops.model.grammar import (
    AwsRegion,
    Cidr,
    DnsName,
    GitRevision,
    LabelKey,
    LabelValue,
    Reason,
    RepoUrl,
    ResourceName,
    ServerUrl,
)


class Environment(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


#: RollingSync order: a change reaches prod only after dev and staging synced healthy
ENVIRONMENT_ORDER = (Environment.DEV, Environment.STAGING, Environment.PROD)


class ClusterRole(StrEnum):
    CENTRAL = "central"
    CUSTOMER = "customer"


class Taint(StrictModel):
    key: LabelKey
    value: LabelValue = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class GpuNodePool(StrictModel):
    name: DnsLabel
    #: node labels a GPU pod selects (nodeSelector)
    labels: dict[LabelKey, LabelValue] = Field(min_length=1)
    #: taints a GPU pod must tolerate
    taints: list[Taint] = Field(default_factory=list)
    gpus_per_node: int = Field(default=1, ge=1)
    gpu_resource: ResourceName = "nvidia.com/gpu"


class CidrException(StrictModel):
    """Public CIDRs that are world-open, private or wider than /16, allowed on purpose: which, and why."""

    #: exactly the entries of public_cidrs this exception covers (a new wide entry needs its own decision)
    cidrs: list[Cidr] = Field(min_length=1)
    #: why the tenants' egress to this ingress may be this wide (reviewed like code: say who decided and why)
    reason: Reason


class IngressCapability(StrictModel):
    class_name: DnsLabel = "nginx"
    #: hosts of tenants on this cluster should live under this domain (not enforced: white-label hosts)
    domain: DnsName
    #: namespace and pod labels of the ingress controller, for NetworkPolicy ingress rules
    controller_namespace: DnsLabel = "ingress-nginx"
    #: public CIDRs of this cluster's load balancer; other clusters' egress to it is limited to them
    public_cidrs: list[Cidr] = Field(default_factory=list)
    #: the reasoned exception a world-open, private or wide public CIDR needs (rules.cluster_rules)
    public_cidrs_exception: CidrException | None = None


class Capabilities(StrictModel):
    gpu_node_pools: list[GpuNodePool] = Field(default_factory=list)
    storage_class: DnsLabel = "gp3"
    ingress: IngressCapability


class ArgoDestination(StrictModel):
    """The cluster as Argo CD knows it (its cluster secret): name, and the API server URL."""

    #: the cluster secret's name; `in-cluster` for the cluster Argo CD runs on
    name: DnsLabel
    server: ServerUrl


class ClusterSpec(StrictModel):
    name: DnsLabel
    role: ClusterRole
    environment: Environment
    region: AwsRegion
    kubernetes_version: KubernetesVersion
    argocd: ArgoDestination
    aws_account_id: str = Field(pattern=r"^[0-9]{12}$")
    #: the VPC's CIDR (pods live here too with the EKS VPC CNI, so no policy allows all of it)
    vpc_cidr: Cidr
    #: the subnets of the managed data services (RDS, ElastiCache): database egress goes here only
    data_subnets: list[Cidr] = Field(min_length=1)
    capabilities: Capabilities

    @property
    def has_gpu(self) -> bool:
        return bool(self.capabilities.gpu_node_pools)

    @property
    def gpu_pool(self) -> GpuNodePool | None:
        pools = self.capabilities.gpu_node_pools
        return pools[0] if pools else None


class GitOpsSource(StrictModel):
    """Where Argo CD reads this repository from."""

    repo_url: RepoUrl
    revision: GitRevision = "main"


class ClusterInventory(StrictModel):
    gitops: GitOpsSource
    clusters: list[ClusterSpec] = Field(min_length=1)

    def by_name(self) -> dict[str, ClusterSpec]:
        return {c.name: c for c in self.clusters}

    def central_for(self, environment: Environment) -> ClusterSpec | None:
        for cluster in self.clusters:
            if cluster.role is ClusterRole.CENTRAL and cluster.environment is environment:
                return cluster
        return None

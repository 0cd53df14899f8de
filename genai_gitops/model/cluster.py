"""The cluster inventory: where stacks go and what those clusters can do."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from genai_gitops.model.base import DnsLabel, KubernetesVersion, StrictModel
from genai_gitops.model.grammar import (
    AwsRegion,
    Cidr,
    CronSchedule,
    DnsName,
    GitRevision,
    LabelKey,
    LabelValue,
    Reason,
    RepoUrl,
    ResourceName,
    S3Bucket,
    ServerUrl,
    SlackChannel,
)
from genai_gitops.model.secrets import SecretRef


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
    gpus_per_node: int = Field(default=1, ge=1, le=64)
    gpu_resource: ResourceName = "nvidia.com/gpu"


class CidrException(StrictModel):
    """Public CIDRs that are world-open, private or wider than /16, allowed on purpose: which, and why."""

    #: exactly the entries of public_cidrs this exception covers (a new wide entry needs its own decision)
    cidrs: list[Cidr] = Field(min_length=1)
    #: why the tenants' egress to this ingress may be this wide (reviewed like code: say who decided and why)
    reason: Reason


class IngressCapability(StrictModel):
    """The cluster's public entry: Envoy Gateway (Gateway API); community ingress-nginx is retired."""

    #: the GatewayClass every `public` Gateway of the cluster uses (the cluster-config app creates it)
    class_name: DnsLabel = "envoy"
    #: hosts of tenants on this cluster should live under this domain (not enforced: white-label hosts)
    domain: DnsName
    #: namespace of the gateway's Envoy proxies, for NetworkPolicy ingress rules
    controller_namespace: DnsLabel = "envoy-gateway-system"
    #: public CIDRs of this cluster's load balancer; other clusters' egress to it is limited to them
    public_cidrs: list[Cidr] = Field(default_factory=list)
    #: the reasoned exception a world-open, private or wide public CIDR needs (network_rules.cluster_rules)
    public_cidrs_exception: CidrException | None = None
    #: on a central cluster: more client ranges (offices, partners) allowed to call the public LiteLLM API,
    #: besides the NAT egress ranges of the environment's clusters; the API is open when both are empty
    api_client_cidrs: list[Cidr] = Field(default_factory=list)


class Capabilities(StrictModel):
    gpu_node_pools: list[GpuNodePool] = Field(default_factory=list)
    storage_class: DnsLabel = "gp3"
    ingress: IngressCapability


class ReceiverType(StrEnum):
    SLACK = "slack"
    PAGERDUTY = "pagerduty"
    WEBHOOK = "webhook"


Severity = Literal["critical", "warning", "info"]
DEFAULT_SEVERITIES: tuple[Severity, ...] = ("critical", "warning")


class AlertReceiver(StrictModel):
    """Where this cluster's Alertmanager sends alerts; the credential stays in the secret store."""

    name: DnsLabel
    type: ReceiverType
    #: the Slack webhook URL, PagerDuty routing key or webhook URL (mounted as a file, never in the config)
    secret: SecretRef
    #: Slack only: the channel
    channel: SlackChannel | None = None
    #: the alert severities this receiver gets
    severities: list[Severity] = Field(default_factory=lambda: list(DEFAULT_SEVERITIES), min_length=1)


class Alerting(StrictModel):
    #: the first receiver also gets every alert no other receiver takes
    receivers: list[AlertReceiver] = Field(min_length=1)


class Backups(StrictModel):
    """Backups of the cluster's stores of record, to S3 through IRSA."""

    #: the bucket (in the cluster's account and region) the backup jobs write to
    bucket: S3Bucket
    #: cron schedule (UTC) of the daily backups
    schedule: CronSchedule = "17 2 * * *"
    #: days a backup is kept (the bucket's lifecycle rule deletes older objects; README)
    retention_days: int = Field(default=14, ge=1, le=3650)


class ArgoDestination(StrictModel):
    """The cluster as Argo CD knows it (its cluster secret): name, and the API server URL."""

    #: the cluster secret's name; `in-cluster` for the cluster Argo CD runs on
    name: DnsLabel
    server: ServerUrl


#: a KMS key by id or alias ARN (arn:aws:kms:<region>:<account>:key/<uuid> | alias/<name>), any AWS partition
KMS_KEY_ARN = (r"^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:[0-9]{12}:"
               r"(key/([0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias/[A-Za-z0-9/_-]+)$")


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
    #: the customer-managed KMS key that encrypts this cluster's EBS volumes (the StorageClass names it);
    #: absent: volumes are still encrypted, with the account's AWS-managed `aws/ebs` key
    kms_key_arn: str | None = Field(default=None, pattern=KMS_KEY_ARN)
    #: the public addresses this cluster's pods leave through (NAT gateways): the central LiteLLM API of the
    #: cluster's environment admits these client ranges
    nat_egress_cidrs: list[Cidr] = Field(default_factory=list)
    capabilities: Capabilities
    #: Alertmanager receivers; without them alerts fire and reach no one
    alerting: Alerting | None = None
    #: backups of the stores of record on this cluster (PostgreSQL, ClickHouse, tenant Qdrant)
    backups: Backups | None = None

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

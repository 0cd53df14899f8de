"""One customer (tenant): everything its isolated stack is generated from."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from genai_gitops.model.base import DnsLabel, Quantity, StrictModel
from genai_gitops.model.cluster import Environment
from genai_gitops.model.grammar import (
    ArgoGroup,
    AwsRegion,
    BillingId,
    Cidr,
    ClientId,
    Description,
    FieldPath,
    GatewayModel,
    IssuerUrl,
    Label,
    Name,
    OllamaModel,
    OptionalReason,
    PublicUrl,
    RuleId,
    S3Bucket,
    Scopes,
    UrlPath,
)
from genai_gitops.model.images import full_repository, repository_prefix, under_prefix
from genai_gitops.model.secrets import SecretRef

#: the label every tenant object carries (and tenant Namespaces are found by)
TENANT_LABEL = "genai-gitops.io/tenant"


class UsageMode(StrEnum):
    LOCAL = "local"        # Ollama in the tenant namespace only
    EXTERNAL = "external"  # the central LiteLLM only
    HYBRID = "hybrid"      # both

    @property
    def runs_ollama(self) -> bool:
        return self is not UsageMode.EXTERNAL

    @property
    def uses_litellm(self) -> bool:
        return self is not UsageMode.LOCAL


def _pinned_image(value: str) -> str:
    name, _, digest = value.partition("@")
    tag = name.rpartition(":")[2] if ":" in name.rpartition("/")[2] else ""
    if digest:
        if not digest.startswith("sha256:"):
            raise ValueError(f"{value!r} has a malformed digest; use image@sha256:<64 hex>")
        return value
    if not tag:
        raise ValueError(f"{value!r} has no tag; pin a version, e.g. '{value}:1.2.3' or a digest")
    if tag == "latest" or tag.endswith("-latest"):
        raise ValueError(f"{value!r} uses a moving tag; pin a released version or a digest")
    return value


PinnedImage = Annotated[str, AfterValidator(_pinned_image)]


class AwsAccount(StrictModel):
    account_id: str = Field(pattern=r"^[0-9]{12}$")
    region: AwsRegion
    #: the tenant's S3 bucket: Open WebUI uploads and RAG documents, reached through IRSA (no static keys)
    s3_bucket: S3Bucket


class Branding(StrictModel):
    display_name: Label
    #: optional logo shown by Open WebUI (a URL, never an uploaded file)
    logo_url: PublicUrl | None = None


class Models(StrictModel):
    #: Ollama models pulled into the tenant's Ollama (local and hybrid modes)
    local: list[OllamaModel] = Field(default_factory=list)
    #: model names served by the central LiteLLM (external and hybrid modes)
    external: list[GatewayModel] = Field(default_factory=list)


class Quotas(StrictModel):
    # every number is bounded: an absurd value would pass here and fail on the cluster (int32 replicas,
    # int64 quantities, LiteLLM's limits), or make a quota that confines nothing
    cpu: Quantity
    memory: Quantity
    gpu: int = Field(default=0, ge=0, le=1024)
    storage: Quantity
    monthly_budget_usd: float = Field(gt=0, le=1_000_000_000)
    requests_per_minute: int = Field(gt=0, le=1_000_000_000)
    tokens_per_minute: int | None = Field(default=None, gt=0, le=10**12)


class Rag(StrictModel):
    enabled: bool = False
    #: Qdrant volume size
    storage: Quantity = "10Gi"


class McpServer(StrictModel):
    name: DnsLabel
    image: PinnedImage
    port: int = Field(default=8000, ge=1024, le=65535)
    #: appended to http://<server>.<namespace>.svc.cluster.local:<port>: a path, never anything that moves the host
    path: UrlPath = "/mcp"
    description: Description = ""
    #: bearer token clients present; referenced, never inline
    auth_token: SecretRef | None = None


class Oidc(StrictModel):
    issuer_url: IssuerUrl
    client_id: ClientId
    client_secret: SecretRef
    provider_name: Label = "SSO"
    #: `groups` puts the user's groups into the ID token (Open WebUI maps roles from them)
    scopes: Scopes = "openid email profile groups"
    #: OIDC groups whose members may read and sync this tenant's Argo CD applications (Argo CD writes each
    #: into a Casbin policy line, hence the strict grammar)
    argocd_groups: list[ArgoGroup] = Field(default_factory=list, max_length=20)
    #: OIDC groups whose members are Open WebUI admins
    admin_groups: list[ArgoGroup] = Field(default_factory=list, max_length=20)
    #: OIDC groups whose members may use Open WebUI; empty: every signed-in user of the IdP client
    user_groups: list[ArgoGroup] = Field(default_factory=list, max_length=20)


class Ingress(StrictModel):
    host: str = Field(pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")


class Billing(StrictModel):
    lago_customer_id: BillingId
    plan: BillingId


class TenantSecrets(StrictModel):
    """References for the tenant's own credentials (the platform generates the rest)."""

    #: the tenant's LiteLLM virtual key, used by Open WebUI (external/hybrid)
    litellm_api_key: SecretRef | None = None
    #: Open WebUI session signing key, shared by all replicas
    webui_secret_key: SecretRef
    #: Open WebUI database URL (managed PostgreSQL in the VPC; holds a password, hence a reference)
    database_url: SecretRef


class Scaling(StrictModel):
    """Open WebUI replica bounds for its HPA (more than 1 needs PostgreSQL and Redis websockets)."""

    min_replicas: int = Field(default=1, ge=1, le=1000)
    max_replicas: int = Field(default=3, ge=1, le=1000)


class Suppression(StrictModel):
    """A finding this tenant accepts, and why: `genai-gitops rules list` names the rules.

    The reason is checked by the report, not here, so an empty one is a finding like an empty
    ignore-check annotation's (and the file still loads)."""

    #: a rule id, e.g. capacity/quota-exceeded-at-hpa-max
    rule: RuleId
    #: only findings about this tenant field (e.g. quotas.cpu); empty: any object of the tenant
    field: FieldPath = ""
    reason: OptionalReason = ""


class TenantSpec(StrictModel):
    id: DnsLabel
    name: Name
    environment: Environment
    cluster: DnsLabel
    aws: AwsAccount
    usage_mode: UsageMode
    branding: Branding
    models: Models = Field(default_factory=Models)
    quotas: Quotas
    rag: Rag = Field(default_factory=Rag)
    mcp_servers: list[McpServer] = Field(default_factory=list)
    #: the repository prefixes the tenant's own images (MCP servers) come from, e.g. `ghcr.io/acme-corp/`:
    #: trusted in the tenant's namespace only (the trusted-images policy's tenantRepositories)
    image_repositories: list[Annotated[str, AfterValidator(repository_prefix)]] = Field(default_factory=list,
                                                                                   validate_default=True)

    @field_validator("image_repositories")
    @classmethod
    def _mcp_images_trusted(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for index, server in enumerate(info.data.get("mcp_servers") or []):
            if not under_prefix(server.image, value):
                raise ValueError(
                    f"mcp_servers[{index}].image {server.image!r} (repository {full_repository(server.image)}) "
                    f"is under none of the tenant's image_repositories {value}; add the prefix of the "
                    "repository the tenant publishes it under (e.g. 'ghcr.io/<organisation>/') or use an "
                    "image from one")
        return value

    oidc: Oidc
    ingress: Ingress
    billing: Billing
    secrets: TenantSecrets
    #: where the tenant's own databases live (its RDS instance's subnet block or addresses), inside a data subnet
    #: of its cluster and disjoint from every other tenant's: Open WebUI's database egress opens these only.
    #: Without them it opens the cluster's whole data subnets, and the isolation check warns when another
    #: tenant's databases share them
    database_endpoints: list[Cidr] = Field(default_factory=list, max_length=16)
    #: run local models on CPU when the cluster has no GPU pool (slow, but explicit)
    cpu_fallback: bool = False
    scaling: Scaling = Field(default_factory=lambda: Scaling())
    #: findings accepted with a reason (counted apart; rules that protect every tenant cannot be)
    suppressions: list[Suppression] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_length(cls, value: str) -> str:
        # the namespace is "tenant-<id>" and must stay a DNS label (63 characters)
        if len(value) > 56:
            raise ValueError(f"{value!r} is too long; the namespace 'tenant-<id>' must fit in 63 characters")
        return value

    @property
    def namespace(self) -> str:
        return f"tenant-{self.id}"


"""Rules that span fields or files; each yields (field, message) so errors name what to fix."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.model.network_rules import ClaimedEndpoints, database_endpoint_rules
from genai_gitops.model.secrets import secret_refs, tenant_secret_prefix
from genai_gitops.model.tenant import TenantSpec

FieldProblem = tuple[str, str]

#: workload and object names the tenant stack uses itself; an MCP server must not take them
RESERVED_WORKLOAD_NAMES = frozenset({"open-webui", "open-webui-oidc", "ollama", "qdrant", "qdrant-headless",
                                     "redis", "acme-http01-solver", "default-deny", "tenant-secrets"})


#: the one name under a tenant's prefix the central LiteLLM reads (its tenant-keys store's IAM policy allows
#: `genai/tenants/*/litellm` and nothing else, so a tenant file cannot steer the platform to any other secret)
LITELLM_KEY_NAME = "litellm"


def secret_confinement(tenant: TenantSpec) -> Iterator[FieldProblem]:
    """Every secret reference in a tenant file stays under the tenant's own prefix.

    The tenant's SecretStore could not read anything else anyway, but the central team sync reads the
    LiteLLM key on the central cluster: a reference there must never name a platform or another tenant's
    secret (its store, tenant-litellm-keys, could not read one either: two locks, README "Secret stores").
    """
    allowed = tenant_secret_prefix(tenant.id)
    for field, ref in secret_refs(tenant):
        if not ref.key.startswith(allowed):
            yield f"{field}.key", (f"{ref.key!r} is outside this tenant's secrets; a tenant file may reference only "
                                   f"keys under {allowed!r}, e.g. '{allowed}<name>'")
    key = tenant.secrets.litellm_api_key
    if key is not None and key.key.startswith(allowed) and key.key != allowed + LITELLM_KEY_NAME:
        yield "secrets.litellm_api_key.key", (
            f"{key.key!r}: the central LiteLLM reads a tenant's virtual key from '{allowed}{LITELLM_KEY_NAME}' "
            f"only; store the key there and set key: {allowed}{LITELLM_KEY_NAME}")


def tenant_rules(tenant: TenantSpec) -> Iterator[FieldProblem]:
    """Rules within one tenant file."""
    yield from secret_confinement(tenant)
    mode = tenant.usage_mode
    if mode.runs_ollama and not tenant.models.local:
        yield "models.local", (f"usage_mode {mode.value!r} runs Ollama but no local model is listed; "
                               "add one (e.g. 'qwen3:8b') or set usage_mode: external")
    if not mode.runs_ollama and tenant.models.local:
        yield "models.local", ("usage_mode 'external' runs no Ollama; remove models.local "
                               "or set usage_mode: hybrid")
    if mode.uses_litellm and not tenant.models.external:
        yield "models.external", (f"usage_mode {mode.value!r} uses the central LiteLLM but no model is listed; "
                                  "add one (e.g. 'gpt-4o') or set usage_mode: local")
    if not mode.uses_litellm and tenant.models.external:
        yield "models.external", ("usage_mode 'local' does not use the central LiteLLM; remove models.external "
                                  "or set usage_mode: hybrid")
    if mode.uses_litellm and tenant.secrets.litellm_api_key is None:
        yield "secrets.litellm_api_key", (f"usage_mode {mode.value!r} needs the tenant's LiteLLM virtual key; "
                                          "add {key: genai/tenants/" + tenant.id + "/litellm, property: api_key}")
    if tenant.scaling.min_replicas > tenant.scaling.max_replicas:
        yield "scaling.min_replicas", "must not exceed scaling.max_replicas"
    for server in tenant.mcp_servers:
        if server.name in RESERVED_WORKLOAD_NAMES:
            yield "mcp_servers", (f"server name {server.name!r} is the name of a platform workload; "
                                  f"rename it (e.g. 'mcp-{server.name}')")
    names = [m.name for m in tenant.mcp_servers]
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield "mcp_servers", f"server name {name!r} is used twice; names must be unique within a tenant"
    if tenant.quotas.gpu and not mode.runs_ollama:
        yield "quotas.gpu", "only Ollama uses GPUs in a tenant; set quotas.gpu: 0 for usage_mode 'external'"


def platform_rules(tenants: Sequence[tuple[str, TenantSpec]],
                   inventory: ClusterInventory) -> Iterator[tuple[str, str, str]]:
    """Rules across files; yields (file, field, message)."""
    clusters = inventory.by_name()
    seen_ids: dict[str, str] = {}
    seen_hosts: dict[str, str] = {}
    #: cluster -> the database endpoints claimed so far, with the file that claimed them
    endpoints: dict[str, ClaimedEndpoints] = {}
    for file, tenant in tenants:
        if tenant.id in seen_ids:
            yield file, "id", f"tenant id {tenant.id!r} is already used by {seen_ids[tenant.id]}; ids must be unique"
        seen_ids.setdefault(tenant.id, file)
        host = tenant.ingress.host
        if host in seen_hosts:
            yield file, "ingress.host", f"{host!r} is already the host of {seen_hosts[host]}; pick another host"
        seen_hosts.setdefault(host, file)
        stem = file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if stem != tenant.id:
            yield file, "id", f"the file is named {stem!r} but id is {tenant.id!r}; rename the file to {tenant.id}.yaml"
        cluster = clusters.get(tenant.cluster)
        if cluster is None:
            known = ", ".join(sorted(clusters))
            yield file, "cluster", f"unknown cluster {tenant.cluster!r}; use one of: {known}"
            continue
        yield from ((file, f, m) for f, m in database_endpoint_rules(tenant, cluster, endpoints, file))
        if cluster.environment is not tenant.environment:
            yield file, "environment", (f"{tenant.environment.value!r} but cluster {cluster.name} is "
                                        f"{cluster.environment.value!r}; use the cluster's environment")
        if tenant.usage_mode.uses_litellm and inventory.central_for(tenant.environment) is None:
            yield file, "usage_mode", (f"{tenant.usage_mode.value!r} needs the central LiteLLM but no central "
                                       f"cluster serves environment {tenant.environment.value!r}; add one to the "
                                       "inventory or set usage_mode: local")
        if not cluster.has_gpu:
            if tenant.quotas.gpu:
                yield file, "quotas.gpu", (f"cluster {cluster.name} has no GPU node pool; set cluster to a GPU "
                                           "cluster or quotas.gpu: 0")
            elif tenant.usage_mode.runs_ollama and not tenant.cpu_fallback:
                yield file, "cluster", (f"cluster {cluster.name} has no GPU node pool for local models; pick a GPU "
                                        "cluster, set cpu_fallback: true, or set usage_mode: external")


#: StorageClasses EKS creates itself: the platform's own class must not take their name (Argo CD would fight
#: over the immutable parameters of an object it does not own)
EKS_STORAGE_CLASSES = frozenset({"gp2"})


def inventory_rules(inventory: ClusterInventory) -> Iterator[FieldProblem]:
    """Rules within one cluster entry of the inventory; fields are relative to the inventory file."""
    for index, cluster in enumerate(inventory.clusters):
        at = f"clusters[{index}]"
        if cluster.kms_key_arn is not None:
            _, _, _, region, account, _ = cluster.kms_key_arn.split(":", 5)
            if region != cluster.region:
                yield f"{at}.kms_key_arn", (f"the key is in region {region!r} but the cluster is in "
                                            f"{cluster.region!r}; EBS can only use a key of the volume's region")
            if account != cluster.aws_account_id:
                yield f"{at}.kms_key_arn", (f"the key belongs to account {account} but the cluster is in "
                                            f"{cluster.aws_account_id}; use a key of the cluster's account (or grant "
                                            "it cross-account and name it by key/<id> in the cluster's account)")
        if cluster.capabilities.storage_class in EKS_STORAGE_CLASSES:
            yield f"{at}.capabilities.storage_class", (
                f"{cluster.capabilities.storage_class!r} is the class EKS creates itself (unencrypted gp2); name the "
                "platform's class differently, e.g. gp3")

"""Rules that span fields or files; each yields (field, message) so errors name what to fix."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.secrets import secret_refs, tenant_secret_prefix
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.model.traffic import PRIVATE_RANGES

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
    LiteLLM key through a platform store: a reference there must never name a platform or another
    tenant's secret.
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


#: a public CIDR wider than this needs a reasoned exception (a load balancer has a handful of addresses)
WIDEST_PUBLIC_PREFIX = 16
_PRIVATE = tuple(ipaddress.IPv4Network(r) for r in PRIVATE_RANGES)


def _why_wide(network: ipaddress.IPv4Network) -> str | None:
    """Why tenants' egress to this "public" CIDR would open more than a load balancer, or None."""
    if network.prefixlen == 0:
        return "is the whole internet"
    private = [str(p) for p in _PRIVATE if network.overlaps(p)]
    if private:
        return f"overlaps the private range {private[0]} (the clusters' own pods and services live there)"
    if network.prefixlen < WIDEST_PUBLIC_PREFIX:
        return f"is wider than /{WIDEST_PUBLIC_PREFIX}"
    return None


#: ranges no load balancer has: opening them is never an exception (169.254.169.254 is the instance metadata API)
_NEVER_PUBLIC = tuple((ipaddress.IPv4Network(r), what) for r, what in (
    ("0.0.0.0/8", "'this network'"), ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local, the metadata API"),
    ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved")))


def _never_public(network: ipaddress.IPv4Network) -> str | None:
    """Inside a range no load balancer has (a wider range holding one is reported as wide)."""
    for reserved, what in _NEVER_PUBLIC:
        if network.subnet_of(reserved):
            return f"is inside {reserved} ({what})"
    return None


def cluster_rules(cluster: ClusterSpec) -> Iterator[FieldProblem]:
    """Network inputs of one cluster: they become NetworkPolicy ipBlocks, so they are checked as networks."""
    vpc = ipaddress.IPv4Network(cluster.vpc_cidr)
    if not any(vpc.subnet_of(p) for p in _PRIVATE):
        ranges = ", ".join(PRIVATE_RANGES)
        yield "vpc_cidr", (f"{cluster.vpc_cidr!r} is not inside a private range ({ranges}); tenants' internet egress "
                           "excludes only those, so pods at these addresses would count as internet")
    seen: list[tuple[int, ipaddress.IPv4Network]] = []
    for index, text in enumerate(cluster.data_subnets):
        subnet = ipaddress.IPv4Network(text)
        where = f"data_subnets[{index}]"
        if subnet == vpc:
            yield where, (f"{text!r} is the whole VPC; pods have VPC addresses too (VPC CNI), so list only the "
                          "subnets of the managed data services")
        elif not subnet.subnet_of(vpc):
            yield where, (f"{text!r} is not inside vpc_cidr {cluster.vpc_cidr!r}; database egress is opened to it, "
                          "so list only subnets of this cluster's VPC")
        else:
            for other, earlier in seen:
                if subnet.overlaps(earlier):
                    yield where, f"{text!r} overlaps data_subnets[{other}] {str(earlier)!r}; list each subnet once"
                    break
            seen.append((index, subnet))
    ingress = cluster.capabilities.ingress
    excepted = ingress.public_cidrs_exception
    covered = set(excepted.cidrs) if excepted else set()
    for index, text in enumerate(ingress.public_cidrs):
        network = ipaddress.IPv4Network(text)
        where = f"capabilities.ingress.public_cidrs[{index}]"
        never = _never_public(network)
        if never:
            yield where, f"{text!r} {never}; no load balancer has such addresses, list its public addresses"
            continue
        why = _why_wide(network)
        if why and text not in covered:
            yield where, (f"{text!r} {why}; other clusters' tenants may send to these addresses, so list the load "
                          "balancer's own addresses, or declare the decision: public_cidrs_exception: "
                          f"{{cidrs: [{text}], reason: <why this range is safe>}}")
    for index, text in enumerate(excepted.cidrs if excepted else ()):
        where = f"capabilities.ingress.public_cidrs_exception.cidrs[{index}]"
        if text not in ingress.public_cidrs:
            yield where, f"{text!r} is not in public_cidrs; remove it from the exception"
        elif _why_wide(ipaddress.IPv4Network(text)) is None:
            yield where, f"{text!r} needs no exception (a narrow public range); remove it from the exception"


def _database_endpoints(file: str, tenant: TenantSpec, cluster: ClusterSpec,
                        claimed: dict[str, list[tuple[ipaddress.IPv4Network, str]]]) -> Iterator[tuple[str, str, str]]:
    """A tenant's database endpoints lie in its cluster's data subnets and belong to no other tenant."""
    subnets = [ipaddress.IPv4Network(s) for s in cluster.data_subnets]
    taken = claimed.setdefault(cluster.name, [])
    for index, text in enumerate(tenant.database_endpoints):
        network = ipaddress.IPv4Network(text)
        where = f"database_endpoints[{index}]"
        if not any(network.subnet_of(s) for s in subnets):
            yield file, where, (f"{text!r} is not inside a data subnet of cluster {cluster.name} "
                                f"({', '.join(cluster.data_subnets)}); list the addresses of the tenant's own "
                                "database there")
            continue
        other = next((owner for net, owner in taken if net.overlaps(network) and owner != file), None)
        if other is not None:
            yield file, where, (f"{text!r} overlaps the database endpoints of {other}; each tenant's databases need "
                                "addresses of their own (a separate subnet block or instance)")
        taken.append((network, file))


def platform_rules(tenants: Sequence[tuple[str, TenantSpec]],
                   inventory: ClusterInventory) -> Iterator[tuple[str, str, str]]:
    """Rules across files; yields (file, field, message)."""
    clusters = inventory.by_name()
    seen_ids: dict[str, str] = {}
    seen_hosts: dict[str, str] = {}
    #: cluster -> the database endpoints claimed so far, with the file that claimed them
    endpoints: dict[str, list[tuple[ipaddress.IPv4Network, str]]] = {}
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
        yield from _database_endpoints(file, tenant, cluster, endpoints)
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

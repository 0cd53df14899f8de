"""Findings on generated objects, pointed back at what the user edits: `tenants/acme.yaml: quotas.memory`.

The synth shapes a tenant's guardrails from its data (tenant stack `GuardrailsStack`): the
ResourceQuota's cpu, memory, storage and GPU hard limits and the LimitRange's per-container max come
from `quotas.*`, the Ingress host from `ingress.host`, an MCP server's Deployment (named after the
server) and its image from `mcp_servers[i]`. A finding about one of those objects in a
tenant namespace is about that field; the finding keeps its object (file, line, kind, name) and
gains `source`, and a fix that says "raise the LimitRange max" names the field to raise instead
(nobody edits dist/ by hand: the next synth would undo it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from genai_gitops.report.finding import Finding

#: a quota or limit resource name -> the tenant field the guardrails derive it from
QUOTA_FIELDS: dict[str, str] = {
    "cpu": "quotas.cpu", "requests.cpu": "quotas.cpu", "limits.cpu": "quotas.cpu",
    "memory": "quotas.memory", "requests.memory": "quotas.memory", "limits.memory": "quotas.memory",
    "requests.storage": "quotas.storage",
    "requests.nvidia.com/gpu": "quotas.gpu", "nvidia.com/gpu": "quotas.gpu", "limits.nvidia.com/gpu": "quotas.gpu",
}
#: `memory: worst case ...` (quota findings) or `container "x": limits.memory 80Gi exceeds ...` (LimitRange)
_QUOTA_RESOURCE = re.compile(r"^(?P<resource>[a-z0-9./-]+): worst case ")
_LIMIT_RESOURCE = re.compile(r"(?:^|: )(?:requests|limits)\.(?P<resource>[a-z0-9./-]+) \S+ exceeds the LimitRange ")
_RAISE_LIMITRANGE = "raise the LimitRange max"
_RAISE_QUOTA = "raise the tenant's quota"
_RAISE_QUOTA_AT_MAX = "or raise the quota"


def field_of(finding: Finding, mcp_servers: Sequence[str] = ()) -> str:
    """The tenant field a finding on a generated object is about ("" when it is about none).

    `mcp_servers`: the names of the tenant's MCP servers, in the order of its file."""
    if finding.validator == "capacity":
        if finding.rule in ("quota-exceeded", "quota-exceeded-at-hpa-max") and finding.kind == "ResourceQuota":
            match = _QUOTA_RESOURCE.match(finding.message)
            return QUOTA_FIELDS.get(match["resource"], "") if match else ""
        if finding.rule == "limitrange-violation":
            match = _LIMIT_RESOURCE.search(finding.message)
            return QUOTA_FIELDS.get(match["resource"], "") if match else ""
        if finding.rule == "gpu-without-gpu-pool":
            return "quotas.gpu"
    if finding.validator == "policy" and finding.rule.startswith("K8sUniqueIngressHost/") and \
            finding.kind == "Ingress":
        return "ingress.host"
    if finding.validator == "policy" and finding.rule.startswith("K8sTrustedImages/") and \
            finding.kind == "Deployment" and finding.name in mcp_servers:
        return f"mcp_servers[{list(mcp_servers).index(finding.name)}].image"
    return ""


def map_to_tenants(findings: Iterable[Finding], tenant_files: Mapping[str, str],
                   mcp_servers: Mapping[str, Sequence[str]] | None = None) -> list[Finding]:
    """`tenant_files`: tenant namespace -> its data file; `mcp_servers`: namespace -> its MCP server names.
    Findings that map gain `source` and a fix naming it."""
    out = []
    for finding in findings:
        file = tenant_files.get(finding.namespace)
        servers = (mcp_servers or {}).get(finding.namespace, ())
        field = field_of(finding, servers) if file and not finding.source else ""
        if field:
            where = f"{field} in {file}"
            message = (finding.message.replace(_RAISE_LIMITRANGE, f"raise {where}")
                       .replace(_RAISE_QUOTA, f"raise {where}")
                       .replace(_RAISE_QUOTA_AT_MAX, f"or raise {where}"))
            finding = replace(finding, source=f"{file}: {field}", message=message)
        out.append(finding)
    return out

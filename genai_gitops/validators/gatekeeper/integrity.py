"""Gatekeeper as a cluster's tree deploys it must be the policy library, whatever else changed.

Constraints and templates are not admission-reviewed, and Gatekeeper's own Config lives in its exempt
namespace, so no constraint can guard them; drift checks can (a fresh synth differs), but a PR that
edits the data and dist/ consistently, or a check run without drift, would not notice. These rules
compare a cluster's tree with what genai_gitops.manifests.cluster_policies derives from policies/ and
the cluster's tenants:

- `gatekeeper-policy-missing`: a template or constraint of policies/ is not in the cluster's tree;
- `gatekeeper-policy-weakened`: a constraint of policies/ differs in the tree (enforcementAction
  dryrun/warn, scoped actions, match, parameters), or a template's Rego or schema differs;
- `gatekeeper-config`: the Config is missing, exempts a tenant namespace (spec.match), or no longer
  syncs a kind the referential policies read (spec.sync.syncOnly);
- `gatekeeper-install`: the Gatekeeper add-on's chart values exempt a tenant namespace
  (controllerManager.exemptNamespaces/Prefixes/Suffixes), narrow its webhook by selector or turn its
  webhook or audit off.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from genai_gitops import safeyaml
from genai_gitops.globs import gatekeeper_wildcard_match
from genai_gitops.manifests.cluster_policies import SYNCED_KINDS, cluster_policy_objects
from genai_gitops.manifests.resource import Resource
from genai_gitops.model.tenant import TENANT_LABEL, TenantSpec
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.gatekeeper.bundle import PolicyBundle
from genai_gitops.validators.gatekeeper.engine import DENY

VALIDATOR = "policy"
TENANT_PREFIX = "tenant-"
CONFIG_GROUP = "config.gatekeeper.sh"


def expected_bundle(policies: PolicyBundle, tenants: Iterable[TenantSpec]) -> PolicyBundle:
    """The library as one cluster with `tenants` runs it (same files and lines as policies/)."""
    constraints = list(policies.constraints.items())
    derived = cluster_policy_objects([r.obj for _, r in constraints], tenants)
    out = PolicyBundle(dict(policies.templates), {}, dict(policies.expansions), list(policies.findings))
    for (key, resource), obj in zip(constraints, derived, strict=True):
        out.constraints[key] = resource if obj is resource.obj else Resource(obj, resource.file, resource.line,
                                                                             resource.digest)
    return out


def integrity_findings(expected: PolicyBundle, tree: PolicyBundle, resources: Sequence[Resource],
                       cluster: str, tenants: Iterable[TenantSpec]) -> list[Finding]:
    out: list[Finding] = []
    for name, template in expected.templates.items():
        deployed = tree.templates.get(name)
        if deployed is None:
            out.append(_missing(template, "ConstraintTemplate", cluster))
        elif deployed.obj.get("spec") != template.obj.get("spec"):
            out.append(_finding(deployed, "gatekeeper-policy-weakened",
                                f"ConstraintTemplate {name} differs from {template.file}: the cluster "
                                "would run other Rego or schema than the library's; change policies/ and re-synth"))
    for key, constraint in expected.constraints.items():
        deployed = tree.constraints.get(key)
        if deployed is None:
            out.append(_missing(constraint, "constraint", cluster))
            continue
        difference = _constraint_difference(_spec(constraint.obj), _spec(deployed.obj))
        if difference:
            out.append(_finding(deployed, "gatekeeper-policy-weakened",
                                f"constraint {key[0]}/{key[1]} {difference}, unlike {constraint.file}; "
                                "constraints are deployed exactly as "
                                "policies/ declares them (change policies/ and re-synth)"))
    namespaces = _tenant_namespaces(resources, tenants)
    out += _config_findings(resources, namespaces)
    out += _install_findings(resources, namespaces)
    return out


def _spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def _constraint_difference(expected: Mapping[str, Any], deployed: Mapping[str, Any]) -> str:
    want, got = expected.get("enforcementAction", DENY), deployed.get("enforcementAction", DENY)
    if want != got:
        return f"is enforced as {got!r} where the library says {want!r}"
    if expected.get("scopedEnforcementActions") != deployed.get("scopedEnforcementActions"):
        return (f"has scopedEnforcementActions {_short(deployed.get('scopedEnforcementActions'))} where the "
                f"library says {_short(expected.get('scopedEnforcementActions'))}")
    for field in ("match", "parameters"):
        want_part, got_part = expected.get(field), deployed.get(field)
        if want_part != got_part:
            return f"has another spec.{field} ({_changes(want_part, got_part)})"
    if expected != deployed:
        extra = sorted(set(deployed) ^ set(expected))
        return f"has another spec ({', '.join(extra) or 'values'})"
    return ""


def _changes(expected: Any, deployed: Any) -> str:
    """The keys of a mapping that differ, each with what it became (lists: what was added and removed)."""
    if not isinstance(expected, Mapping) or not isinstance(deployed, Mapping):
        return _short(deployed)
    parts = []
    for key in sorted(set(expected) | set(deployed)):
        want, got = expected.get(key), deployed.get(key)
        if want == got:
            continue
        if isinstance(want, list) and isinstance(got, list):
            added = [v for v in got if v not in want]
            dropped = [v for v in want if v not in got]
            change = ", ".join(filter(None, (f"adds {_short(added)}" if added else "",
                                             f"drops {_short(dropped)}" if dropped else ""))) or "reorders"
            parts.append(f"{key} {change}")
        else:
            parts.append(f"{key}: {_short(got)}")
    return "; ".join(parts)


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _missing(resource: Resource, what: str, cluster: str) -> Finding:
    return Finding(file=resource.file, line=resource.line, api_version=resource.api_version, kind=resource.kind,
                   namespace="", name=resource.name, validator=VALIDATOR, rule="gatekeeper-policy-missing",
                   severity=Severity.ERROR,
                   message=f"{what} {resource.kind}/{resource.name} of the policy library is not deployed to "
                           f"cluster {cluster}: dist/{cluster}/cluster-config must carry every template and "
                           "constraint of policies/ (run genai-gitops synth)")


def _finding(resource: Resource, rule: str, message: str) -> Finding:
    return Finding.about(resource, validator=VALIDATOR, rule=rule, severity=Severity.ERROR, message=message)


# -- the Gatekeeper Config ----------------------------------------------------------------------

def _tenant_namespaces(resources: Sequence[Resource], tenants: Iterable[TenantSpec]) -> set[str]:
    found = {t.namespace for t in tenants}
    found.update(r.name for r in resources if r.kind == "Namespace" and not r.group
                 and (r.name.startswith(TENANT_PREFIX) or r.labels.get(TENANT_LABEL)))
    return found


def _exempts(pattern: str, namespaces: set[str]) -> str | None:
    """The tenant namespace (or the tenant prefix) a Config namespace entry covers, if any."""
    for namespace in sorted(namespaces):
        if gatekeeper_wildcard_match(pattern, namespace):
            return namespace
    if pattern.startswith(TENANT_PREFIX) or (
            "*" in pattern and gatekeeper_wildcard_match(pattern, f"{TENANT_PREFIX}x")):
        return f"every {TENANT_PREFIX}* namespace"
    return None


def _config_findings(resources: Sequence[Resource], namespaces: set[str]) -> list[Finding]:
    configs = [r for r in resources if r.kind == "Config" and r.group == CONFIG_GROUP]
    if not configs:
        return [Finding(file="dist", line=None, api_version="", kind="Config", namespace="gatekeeper-system",
                        name="config", validator=VALIDATOR, rule="gatekeeper-config", severity=Severity.ERROR,
                        message="no Gatekeeper Config in the cluster's tree: the referential policies (unique "
                                "hosts, tenant guard rails, tenant RBAC) would see no objects; run genai-gitops "
                                "synth")]
    out: list[Finding] = []
    for config in configs:
        spec = _spec(config.obj)
        for entry in spec.get("match") or []:
            if not isinstance(entry, Mapping):
                continue
            for pattern in entry.get("excludedNamespaces") or []:
                covered = _exempts(str(pattern), namespaces)
                if covered:
                    out.append(_finding(config, "gatekeeper-config",
                                        f"Gatekeeper Config exempts {pattern!r} (spec.match excludedNamespaces, "
                                        f"processes {entry.get('processes') or []}), which covers {covered}: tenant "
                                        "namespaces are never exempt from policy"))
        sync = spec.get("sync")
        synced = {(str(k.get("group", "")), str(k.get("version", "")), str(k.get("kind", "")))
                  for k in ((sync.get("syncOnly") if isinstance(sync, Mapping) else None) or [])
                  if isinstance(k, Mapping)}
        for group, version, kind in SYNCED_KINDS:
            if (group, version, kind) not in synced:
                out.append(_finding(config, "gatekeeper-config",
                                    f"Gatekeeper Config no longer syncs {group + '/' if group else ''}{version} "
                                    f"{kind} (spec.sync.syncOnly): the referential policies reading it would pass "
                                    "on an empty inventory"))
    return out


# -- the Gatekeeper add-on ------------------------------------------------------------------------

#: chart values that take objects out of Gatekeeper's sight, and why that matters
_SWITCHES = {
    "disableValidatingWebhook": "turns the admission webhook off: nothing is refused at admission",
    "disableAudit": "turns audit off: objects already in the cluster are never re-checked",
    "validatingWebhookNamespaceSelector": "limits the admission webhook to the namespaces it selects",
    "validatingWebhookObjectSelector": "limits the admission webhook to the objects it selects",
}
_EXEMPTIONS = ("exemptNamespaces", "exemptNamespacePrefixes", "exemptNamespaceSuffixes")


def _helm_values(source: Mapping[str, Any]) -> dict[str, Any]:
    """The values Argo CD passes to Helm: valuesObject, else the `values` text, plus `parameters`."""
    helm = source.get("helm")
    if not isinstance(helm, Mapping):
        return {}
    values: Any = helm.get("valuesObject")
    if not isinstance(values, Mapping) and isinstance(helm.get("values"), str):
        try:
            values = safeyaml.load_yaml(helm["values"])
        except safeyaml.InputError:
            values = None
    out = dict(values) if isinstance(values, Mapping) else {}
    for parameter in helm.get("parameters") or []:
        if isinstance(parameter, Mapping):
            out[f"--set {parameter.get('name', '')}"] = parameter.get("value")
    return out


def _covers(pattern: str, how: str, namespaces: set[str]) -> bool:
    """Whether a chart exemption covers a tenant namespace (or every `tenant-*` one)."""
    candidates = namespaces | {f"{TENANT_PREFIX}x"}
    if how == "exemptNamespacePrefixes":
        return any(n.startswith(pattern) for n in candidates)
    if how == "exemptNamespaceSuffixes":
        return any(n.endswith(pattern) for n in namespaces)
    # exemptNamespaces are exact names to Gatekeeper; read as its wildcards, a glob written there is still
    # reported (it would exempt nothing, or what it names)
    return any(gatekeeper_wildcard_match(pattern, n) for n in candidates)


def _install_findings(resources: Sequence[Resource], namespaces: set[str]) -> list[Finding]:
    out: list[Finding] = []
    for app in resources:
        if app.kind != "Application" or app.group != "argoproj.io":
            continue
        spec = _spec(app.obj)
        listed = spec.get("sources")
        sources: list[Any] = list(listed) if isinstance(listed, list) else [spec.get("source")]
        for source in sources:
            if not isinstance(source, Mapping) or source.get("chart") != "gatekeeper":
                continue
            values = _helm_values(source)
            found = values.get("controllerManager")
            manager: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
            for how in _EXEMPTIONS:
                for pattern in manager.get(how) or []:
                    if _covers(str(pattern), how, namespaces):
                        out.append(_finding(app, "gatekeeper-install",
                                            f"Gatekeeper's chart values exempt {pattern!r} "
                                            f"(controllerManager.{how}), which covers tenant namespaces: no "
                                            "constraint would judge them"))
            for key, why in _SWITCHES.items():
                value = values.get(key)
                if value not in (None, False, {}, ""):
                    out.append(_finding(app, "gatekeeper-install", f"Gatekeeper's chart values set {key}: {why}"))
            for key in values:
                if key.startswith("--set ") and any(part in key for part in (*_EXEMPTIONS, *_SWITCHES)):
                    out.append(_finding(app, "gatekeeper-install",
                                        f"Gatekeeper's chart is installed with helm parameter {key[6:]!r}; set "
                                        "Gatekeeper's scope in valuesObject, where the check reads it"))
    return out

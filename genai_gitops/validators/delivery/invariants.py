"""The fences Argo CD puts around tenants, checked as invariants of the delivered repository.

Argo CD's objects live in its own namespace on the central cluster, where no tenant constraint looks,
so these hold here rather than in Gatekeeper; they do not depend on drift checks, so a PR that edits
the data and dist/ consistently is refused too:

- `project-too-open`: an AppProject permits source repositories, destinations or namespaces by glob
  (`*`), or, for any project but `platform`, reaches a namespace other than its own, permits
  cluster-scoped objects, lets its Applications create the guard-rail kinds, or grants roles on
  another project's Applications;
- `tenant-app-project`: the Application of a tenant folder (`dist/<cluster>/tenant-<id>/`) uses
  another AppProject than `tenant-<id>` (the platform's, the built-in `default` or another tenant's);
- `tenant-folder-namespace`: an object of a tenant's guard rails (`tenant-<id>-guardrails/`, delivered
  through the `platform` project, which permits anything) lives outside `tenant-<id>` or is
  cluster-scoped (other than the tenant's own Namespace). The tenant folder itself is fenced by the
  tenant's AppProject (kept narrow by `project-too-open`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.model.apps import ARGOCD_NAMESPACE, GUARDRAIL_KINDS, PLATFORM_PROJECT
from genai_gitops.report.finding import Finding, Severity

NAME = "delivery"
_GLOB = re.compile(r"[*?\[\]{}]")
#: dist/<cluster>/tenant-<id>[-guardrails]
_TENANT_FOLDER = re.compile(r"^dist/[^/]+/(tenant-[a-z0-9-]+?)(-guardrails)?$")


def tenant_folder(path: str) -> tuple[str, bool] | None:
    """(tenant namespace, is the guard-rails folder) for a tenant folder path, else None."""
    match = _TENANT_FOLDER.match(path.strip("/"))
    return (match.group(1), bool(match.group(2))) if match else None


def _finding(file: str, rule: str, message: str, *, kind: str = "", name: str = "") -> Finding:
    return Finding(file=file, line=None, api_version="argoproj.io/v1alpha1" if kind else "", kind=kind,
                   namespace=ARGOCD_NAMESPACE if kind else "", name=name, validator=NAME, rule=rule,
                   severity=Severity.ERROR, message=message)


def _items(spec: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = spec.get(key)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def project_findings(name: str, spec: Mapping[str, Any], file: str) -> list[Finding]:
    """What makes AppProject `name` wider than the platform generates it."""
    problems: list[str] = []
    for repo in spec.get("sourceRepos") or []:
        if _GLOB.search(str(repo)):
            problems.append(f"permits source repositories {str(repo)!r} by glob; list repositories literally")
    for pattern in spec.get("sourceNamespaces") or []:
        if _GLOB.search(str(pattern)):
            problems.append(f"lets Applications in namespaces {str(pattern)!r} use it (spec.sourceNamespaces)")
    tenant_project = name != PLATFORM_PROJECT
    for dest in _items(spec, "destinations"):
        cluster = str(dest.get("name") or dest.get("server") or "")
        namespace = str(dest.get("namespace") or "")
        if _GLOB.search(cluster) or not cluster:
            problems.append(f"permits destination cluster {cluster!r} by glob; name the cluster")
        if tenant_project and namespace != name:
            problems.append(f"permits namespace {namespace!r} on {cluster}; a tenant project reaches only its "
                            f"own namespace {name}")
    if tenant_project:
        for entry in _items(spec, "clusterResourceWhitelist"):
            problems.append(f"permits cluster-scoped objects {entry.get('group', '')}/{entry.get('kind', '')} "
                            "(spec.clusterResourceWhitelist); a tenant's Namespace comes from the platform's "
                            "guard-rails app and tenants create no cluster-scoped object")
        if isinstance(spec.get("namespaceResourceWhitelist"), list):
            for entry in _items(spec, "namespaceResourceWhitelist"):
                if _GLOB.search(str(entry.get("kind", ""))) or _GLOB.search(str(entry.get("group", ""))):
                    problems.append("permits namespaced kinds by glob (spec.namespaceResourceWhitelist)")
        black = {(str(e.get("group", "")), str(e.get("kind", ""))) for e in _items(spec, "namespaceResourceBlacklist")}
        for group, kind in GUARDRAIL_KINDS:
            if (group, kind) not in black:
                problems.append(f"no longer blacklists {group + '/' if group else ''}{kind} "
                                "(spec.namespaceResourceBlacklist): the tenant could replace its guard rails")
        for role in _items(spec, "roles"):
            for line in role.get("policies") or []:
                fields = [f.strip() for f in str(line).split(",")]
                target = fields[4] if len(fields) > 4 else ""
                rest = target[len(name) + 1:] if target.startswith(f"{name}/") else None
                own = rest == "*" or (rest is not None and rest != "" and not _GLOB.search(rest))
                if not own:
                    problems.append(f"role {role.get('name', '')!r} grants {str(line)!r}, beyond the project's own "
                                    f"Applications ({name}/*)")
    return [_finding(file, "project-too-open", f"AppProject {name} {problem}", kind="AppProject", name=name)
            for problem in problems]


def all_project_findings(projects: Iterable[tuple[str, Mapping[str, Any], str]]) -> list[Finding]:
    return [f for name, spec, file in projects if not file.startswith("(") for f in project_findings(name, spec, file)]


def app_project_finding(app: str, project: str, paths: Sequence[str], anchor: Finding) -> Finding | None:
    """A tenant folder's Application must use that tenant's own AppProject."""
    for path in paths:
        found = tenant_folder(path)
        if found is None or found[1]:
            continue
        namespace = found[0]
        if project != namespace:
            return Finding(file=anchor.file, line=anchor.line, api_version=anchor.api_version, kind=anchor.kind,
                           namespace=anchor.namespace, name=anchor.name, validator=NAME, rule="tenant-app-project",
                           severity=Severity.ERROR,
                           message=f"Application {app} delivers tenant folder {path} with AppProject {project}; a "
                                   f"tenant's Application uses its own AppProject {namespace}, which confines it to "
                                   f"namespace {namespace}")
    return None


def tenant_folder_findings(paths: Sequence[str], objects: Sequence[Resource],
                           namespaced: Callable[[Resource], bool]) -> list[Finding]:
    """Objects of a tenant's guard-rails folder outside the tenant's namespace."""
    out: list[Finding] = []
    for path in paths:
        found = tenant_folder(path)
        if found is None or not found[1]:
            continue
        namespace = found[0]
        for res in objects:
            if not res.kind:
                continue
            if not namespaced(res):
                if res.kind == "Namespace" and not res.group and res.name == namespace:
                    continue
                out.append(Finding.about(res, validator=NAME, rule="tenant-folder-namespace",
                                         message=f"{res.kind} {res.name} in {path} is cluster-scoped; a tenant's "
                                                 f"guard rails hold only its Namespace and objects of namespace "
                                                 f"{namespace}"))
            elif res.namespace and res.namespace != namespace:
                out.append(Finding.about(res, validator=NAME, rule="tenant-folder-namespace",
                                         message=f"{res.describe()} in {path} lives outside the tenant's namespace "
                                                 f"{namespace}, out of reach of the tenant's policies and fences"))
        break
    return out

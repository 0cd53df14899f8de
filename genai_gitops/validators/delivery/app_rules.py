"""The delivery rules on one Application and on each object it delivers, as Argo CD checks them.

An Application (previewed, or shipped as an object by an add-on): its paths exist (`missing-path`),
Argo CD reads nothing there the check does not (`source-not-directory`, `reads-unchecked-file`), its
AppProject exists (`unknown-project`) and permits its sources (`source-not-permitted`) and
destination (`destination-not-permitted`, `unknown-destination`); a tenant folder goes through its
own project (invariants). Each object: the project permits its kind (`cluster-resource-not-permitted`,
`namespaced-resource-not-permitted`) and namespace (`namespace-not-permitted`), plus the tenant
folder and sync-phase rules (invariants.py, sync_phases.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from genai_gitops.argocd.directory import Listing, unchecked_reads
from genai_gitops.manifests import Resource
from genai_gitops.report.finding import Finding
from genai_gitops.validators.delivery.applications import AppView, destination_of, sources_of
from genai_gitops.validators.delivery.clusters import ClusterDirectory
from genai_gitops.validators.delivery.findings import NAME, Located, finding_at
from genai_gitops.validators.delivery.invariants import app_project_finding, tenant_folder_findings
from genai_gitops.validators.delivery.projects import Project
from genai_gitops.validators.delivery.repository import Repository
from genai_gitops.validators.delivery.scopes import KindScopes
from genai_gitops.validators.delivery.sync_phases import sync_phase_findings

#: what Argo CD would read that the check does not
READS_RULES = {"type": "source-not-directory", "file": "reads-unchecked-file"}


def app_findings(view: AppView, projects: Mapping[str, Project], repo: Repository,
                 clusters: ClusterDirectory) -> list[Located]:
    """The rules on one Application: its paths exist, Argo CD reads nothing the check does not, its
    AppProject exists and permits its sources and destination."""
    out: list[Located] = []

    def add(rule: str, message: str) -> None:
        out.append(Located(view.owner, finding_at(view.anchor, rule, message)))

    sources = sources_of(view.spec)
    for path in repo.repo_paths(sources):
        if not repo.is_dir(path):
            add("missing-path", f"Application {view.name} reads path {path}, which does not exist in the "
                                "repository")
    for source in sources:
        for path in repo.repo_paths([source]):
            if repo.is_dir(path):
                folder = repo.folder_name(path)
                for rule, message in unchecked_reads_findings(repo.root, view.name, source, path,
                                                              repo.listings.get(folder), repo.clean.get(folder),
                                                              folder=repo.folder(path)):
                    add(rule, message)
    wrong_project = app_project_finding(view.name, view.project, repo.repo_paths(sources), view.anchor)
    if wrong_project is not None:
        out.append(Located(view.owner, wrong_project))
    project = projects.get(view.project)
    if project is None:
        add("unknown-project", f"Application {view.name} names AppProject {view.project}, which is defined "
                               "neither in argocd/ nor in dist/*/projects/: Argo CD refuses the Application")
        return out
    for source in sources:
        url = str(source.get("repoURL") or "")
        if url and not project.source_permitted(url):
            add("source-not-permitted",
                f"Application {view.name} reads {url}, which AppProject {project.name} does not permit "
                f"(spec.sourceRepos: {', '.join(map(str, project.spec.get('sourceRepos') or [])) or 'none'})")
    destination = destination_of(view.spec)
    dest = clusters.resolve(destination)
    written = str(destination.get("name") or destination.get("server") or "")
    namespace = str(destination.get("namespace") or "")
    if dest is None:
        add("unknown-destination",
            f"Application {view.name} deploys to cluster {written!r}, which is neither in the cluster "
            "inventory nor Argo CD's own cluster" if written else
            f"Application {view.name} has no usable destination (set exactly one of name and server)")
    elif not project.destination_permitted(dest, namespace):
        add("destination-not-permitted",
            f"Application {view.name} deploys to {written}/{namespace or '(no namespace)'}, which AppProject "
            f"{project.name} does not permit (spec.destinations: {project.describe_destinations()})")
    return out


def unchecked_reads_findings(root: Path, name: str, source: Mapping[str, Any], path: str,
                             listing: Listing | None = None,
                             files: Collection[str] | None = None, *,
                             folder: Path | None = None) -> Iterator[tuple[str, str]]:
    """What Argo CD would read from `path` that this check does not (argocd/directory.py); `listing`:
    the folder's entries, when the check listed them already; `files`: the folder's only files, when
    known (Repository.clean); `folder`: `root / path`, when the caller has it."""
    kind, unchecked = unchecked_reads(source, root / path if folder is None else folder, root, listing=listing,
                                      files=files)
    fix = ("set spec.source.directory.include to '*.{yaml,yml,json}' and exclude to '.*', as the generated "
           "ApplicationSets do")
    if kind != "Directory":
        yield (READS_RULES["type"], f"Application {name}: Argo CD renders {path} as {kind}, which the check "
                                   f"does not render (it reads plain manifests only); {fix}")
    for rel in unchecked:
        yield (READS_RULES["file"], f"Application {name}: Argo CD reads {path}/{rel}, which the check does "
                                   f"not read (Jsonnet, a hidden file or a symbolic link); remove it and "
                                   f"{fix}")


def object_findings(view: AppView, objects: Sequence[Resource], project: Project, repo: Repository,
                    clusters: ClusterDirectory, scopes: KindScopes) -> list[Finding]:
    """The rules on each object of one Application: its AppProject permits its kind and namespace;
    tenant folders hold guard rails only in the tenant's namespace; hooks and waves inside it."""
    out: list[Finding] = []
    destination = destination_of(view.spec)
    dest = clusters.resolve(destination)
    dest_ns = str(destination.get("namespace") or "")
    for res in objects:
        if not res.kind:
            continue
        if not scopes.namespaced(res):
            problem = project.cluster_resource_problem(res.group, res.kind, res.name)
            if problem:
                out.append(Finding.about(
                    res, validator=NAME, rule="cluster-resource-not-permitted",
                    message=f"{res.kind} {res.name} is cluster-scoped; {problem}"))
            continue
        problem = project.namespaced_resource_problem(res.group, res.kind)
        if problem:
            out.append(Finding.about(
                res, validator=NAME, rule="namespaced-resource-not-permitted",
                message=f"{res.describe()} in Application {view.name}: {problem}"))
        namespace = res.namespace or dest_ns
        if dest is not None and not project.destination_permitted(dest, namespace):
            if namespace == dest_ns:
                continue  # the Application's own destination is reported once, on the Application
            out.append(Finding.about(
                res, validator=NAME, rule="namespace-not-permitted",
                message=f"{res.kind} {namespace}/{res.name}: namespace {namespace} on cluster {dest.label} is "
                        f"not permitted by AppProject {project.name} (spec.destinations: "
                        f"{project.describe_destinations()})"))
    out += tenant_folder_findings(repo.repo_paths(sources_of(view.spec)), objects, scopes.namespaced)
    # hooks and waves inside this Application, as Argo CD orders them (sync_phases.py)
    out += sync_phase_findings(view.name, [r for r in objects if r.kind], NAME, dest_ns)
    return out

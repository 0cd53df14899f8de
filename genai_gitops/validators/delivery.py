"""Delivery: will Argo CD actually deliver every rendered folder, and accept what each one holds?

The ApplicationSets in argocd/ are previewed offline (genai_gitops.argocd.preview); then:

- folders: every `dist/<cluster>/<app>/` is claimed by exactly one Application (`unclaimed-folder`,
  `folder-claimed-twice`), and every Application's path exists (`missing-path`);
- AppProjects (argocd/ for the platform, dist/*/projects/ for tenants; `unknown-project`): each
  Application's source (`source-not-permitted`) and destination (`destination-not-permitted`,
  `unknown-destination`), and each object in its folder, are checked the way Argo CD checks them
  (`cluster-resource-not-permitted`, `namespaced-resource-not-permitted`, `namespace-not-permitted`);
  Applications shipped as objects (the add-ons) get the project, source and destination checks too;
- invariants (delivery_invariants): AppProjects no wider than the platform generates them
  (`project-too-open`), tenant folders delivered through their own project (`tenant-app-project`),
  guard rails only in the tenant's namespace (`tenant-folder-namespace`);
- sync phases inside an Application (sync_phases.py): a PostSync hook that waits for unrelated
  workloads (`hook-waits-for-unrelated`), a pod started before the Secret or ConfigMap it reads
  (`applied-before-its-inputs`);
- ordering: an object whose CRD or Namespace another Application delivers must sit in a strictly
  later sync wave than that Application (`sync-wave-order`); a CRD group nothing delivers is
  `crd-not-provided`. Note that Argo CD honours waves between Applications only when a parent
  Application syncs them (app of apps) and only with the Application health check restored in
  argocd-cm; for ApplicationSet-generated apps the wave states intent, and this rule keeps the
  intent consistent.

Findings are computed once per repository and handed out per target: a cluster target gets the
findings of its own folders, plus (for the first inventory cluster) those belonging to no cluster.

Incremental with the run's cache: objects are parsed through the parse cache `check` fills; per
Application, the facts the repository-wide rules need (delivery_cache.AppFacts) and the findings about
its objects are cached by its folders' content, and the preview by argocd/ and what it read. Only
changed folders are parsed. `cache_context` digests a target's findings themselves: exact whatever
they depend on (a cluster's findings depend on other clusters' folders too: CRD scopes, what syncs
first on a shared destination), and a cluster whose findings did not change is answered from the
cache without its folders being parsed.
"""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from genai_gitops import cache_keys
from genai_gitops.argocd.directory import unchecked_reads
from genai_gitops.argocd.generators.git import normalize_repo_url, path_match, same_repository
from genai_gitops.argocd.globs import glob_match
from genai_gitops.argocd.preview import PreviewApp, PreviewError
from genai_gitops.cache import NO_CACHE, ResultCache, digest, digest_json
from genai_gitops.manifests import ManifestSet, Resource
from genai_gitops.manifests.cached import Folder, load_folders, parse_folders
from genai_gitops.manifests.scope import scope_of
from genai_gitops.model.apps import ARGOCD_NAMESPACE
from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.errors import ModelError
from genai_gitops.model.loader import load_inventory
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.delivery_cache import ARGOCD_GROUP, NAME, AppFacts, Child, cached_preview, describe
from genai_gitops.validators.delivery_invariants import (
    all_project_findings,
    app_project_finding,
    tenant_folder_findings,
)
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.sync_phases import sync_phase_findings

LOCAL_NAME, LOCAL_SERVER = "in-cluster", "https://kubernetes.default.svc"

#: API groups every cluster serves without a CRD
BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "apiregistration.k8s.io",
    "scheduling.k8s.io", "node.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    "resource.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
})
#: the add-on (Helm chart of an Application in dist/<cluster>/addons) that brings each CRD group
ADDON_CRD_GROUPS: Mapping[str, tuple[str, ...]] = {
    "external-secrets": ("external-secrets.io", "generators.external-secrets.io"),
    "kube-prometheus-stack": ("monitoring.coreos.com",),
    "gatekeeper": ("templates.gatekeeper.sh", "constraints.gatekeeper.sh", "config.gatekeeper.sh",
                   "status.gatekeeper.sh", "mutations.gatekeeper.sh", "expansion.gatekeeper.sh",
                   "externaldata.gatekeeper.sh", "syncset.gatekeeper.sh"),
    "cert-manager": ("cert-manager.io", "acme.cert-manager.io"),
    # Envoy Gateway's chart bundles the Gateway API CRDs (standard channel)
    "gateway-helm": ("gateway.networking.k8s.io", "gateway.envoyproxy.io"),
}
#: Argo CD's built-in `default` project, used when the repository does not define one
DEFAULT_PROJECT = {"sourceRepos": ["*"], "destinations": [{"server": "*", "name": "*", "namespace": "*"}],
                   "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
#: cache namespace: per Application's folder content, its AppFacts and the findings about its objects
APPS_NAMESPACE = cache_keys.DELIVERY_APPS
#: what Argo CD would read that the check does not
READS_RULES = {"type": "source-not-directory", "file": "reads-unchecked-file"}
#: findings about an app's objects kept per cache entry, for as many (view, project, scopes) contexts
MAX_OBJECT_CONTEXTS = 4
_T = TypeVar("_T")


@dataclass(frozen=True)
class Located:
    """A finding and the inventory cluster it belongs to (None: the repository as a whole)."""

    cluster: str | None
    finding: Finding


# ---------------------------------------------------------------------------------------------
# Clusters and projects
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Destination:
    """A resolved Argo CD destination cluster: its secret's name and server, and inventory entry."""

    name: str
    server: str
    cluster: ClusterSpec | None

    @property
    def label(self) -> str:
        return self.cluster.name if self.cluster else self.name


class ClusterDirectory:
    """Argo CD's cluster secrets (the inventory) plus its own local cluster."""

    def __init__(self, inventory: ClusterInventory) -> None:
        self.by_name: dict[str, Destination] = {}
        self.by_server: dict[str, Destination] = {}
        for cluster in inventory.clusters:
            dest = Destination(cluster.argocd.name, cluster.argocd.server, cluster)
            self.by_name[dest.name] = dest
            self.by_server[dest.server] = dest
        if LOCAL_SERVER not in self.by_server:  # the local cluster exists even without a secret
            local = self.by_name.get(LOCAL_NAME) or Destination(LOCAL_NAME, LOCAL_SERVER, None)
            self.by_server.setdefault(LOCAL_SERVER, local)
            self.by_name.setdefault(LOCAL_NAME, local)

    def resolve(self, destination: Mapping[str, Any]) -> Destination | None:
        name, server = str(destination.get("name") or ""), str(destination.get("server") or "")
        if name and server:
            return None  # Argo CD: "application destination can't have both name and server defined"
        return self.by_name.get(name) if name else self.by_server.get(server)


@dataclass(frozen=True)
class Project:
    name: str
    spec: Mapping[str, Any]
    file: str
    #: destination_permitted answers: every object of an Application asks the same question
    _permitted: dict[tuple[str, str, str], bool] = field(default_factory=dict, compare=False, repr=False)
    #: source_permitted answers, by repoURL
    _sources: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def _list(self, key: str) -> list[Mapping[str, Any]]:
        value = self.spec.get(key)
        return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []

    @property
    def destinations(self) -> list[Mapping[str, Any]]:
        return self._list("destinations")

    def destination_permitted(self, dest: Destination, namespace: str) -> bool:
        """AppProject.isDestinationMatched, with name and server both known as Argo CD resolves them."""
        key = (dest.name, dest.server, namespace)
        if key not in self._permitted:
            self._permitted[key] = self._destination_matched(dest, namespace)
        return self._permitted[key]

    def _destination_matched(self, dest: Destination, namespace: str) -> bool:
        matched_any = False
        for item in self.destinations:
            item_name, item_server = str(item.get("name") or ""), str(item.get("server") or "")
            item_ns = str(item.get("namespace") or "")
            name_ok = bool(dest.name) and glob_match(item_name, dest.name)
            server_ok = bool(dest.server) and glob_match(item_server, dest.server)
            ns_ok = glob_match(item_ns, namespace)
            if (server_ok or name_ok) and ns_ok:
                matched_any = True
                continue
            # a deny pattern (`!x`) that the destination fails ends the search (Go's operator precedence)
            denied_cluster = (not name_ok and item_name.startswith("!")) or (
                not server_ok and item_server.startswith("!") and ns_ok)
            denied_namespace = not ns_ok and item_ns.startswith("!") and server_ok
            if denied_cluster or denied_namespace:
                return False
        return matched_any

    def source_permitted(self, repo_url: str) -> bool:
        """AppProject.IsSourcePermitted: globs over normalized URLs, `/` separates, `!` denies."""
        if repo_url not in self._sources:
            self._sources[repo_url] = self._source_matched(repo_url)
        return self._sources[repo_url]

    def _source_matched(self, repo_url: str) -> bool:
        source = normalize_repo_url(repo_url)
        matched = False
        for raw in self.spec.get("sourceRepos") or []:
            pattern = str(raw)
            deny = pattern.startswith("!")
            normalized = ("!" if deny else "") + normalize_repo_url(pattern.removeprefix("!"))
            if glob_match(normalized, source, separators="/"):
                matched = True
            elif deny:
                return False
        return matched

    def describe_destinations(self) -> str:
        parts = [f"{d.get('name') or d.get('server') or '?'}/{d.get('namespace') or ''}" for d in self.destinations]
        return ", ".join(parts) or "none"

    def cluster_resource_problem(self, group: str, kind: str, name: str) -> str | None:
        white, black = self._list("clusterResourceWhitelist"), self._list("clusterResourceBlacklist")
        if not white:
            return (f"AppProject {self.name} permits no cluster-scoped objects "
                    "(spec.clusterResourceWhitelist is empty)")
        if not _named_in(white, group, kind, name):
            return (f"AppProject {self.name} permits only the cluster-scoped kinds in "
                    f"spec.clusterResourceWhitelist, which does not list {_gk(group, kind)}")
        if _named_in(black, group, kind, name):
            return f"AppProject {self.name}'s spec.clusterResourceBlacklist forbids {_gk(group, kind)}"
        return None

    def namespaced_resource_problem(self, group: str, kind: str) -> str | None:
        white = self.spec.get("namespaceResourceWhitelist")
        black = self._list("namespaceResourceBlacklist")
        if isinstance(white, list) and not white:
            # Argo CD reads a present-but-empty whitelist as "nothing", an absent one as "anything"
            return (f"AppProject {self.name} permits no namespaced objects "
                    "(spec.namespaceResourceWhitelist is empty)")
        if isinstance(white, list) and not _named_in(self._list("namespaceResourceWhitelist"), group, kind, None):
            return (f"AppProject {self.name} permits only the namespaced kinds in "
                    f"spec.namespaceResourceWhitelist, which does not list {_gk(group, kind)}")
        if _named_in(black, group, kind, None):
            return f"AppProject {self.name}'s spec.namespaceResourceBlacklist forbids {_gk(group, kind)}"
        return None


def _gk(group: str, kind: str) -> str:
    return f"{group}/{kind}" if group else f"{kind} (core group)"


def _named_in(items: Sequence[Mapping[str, Any]], group: str, kind: str, name: str | None) -> bool:
    """Argo CD's isResourceInList / isNamedResourceInList: filepath.Match on kind, group (and name)."""
    for item in items:
        if not path_match(str(item.get("kind", "")), kind) or not path_match(str(item.get("group", "")), group):
            continue
        item_name = str(item.get("name") or "")
        if name is None or not item_name or path_match(item_name, name):
            return True
    return False


def project_folders(root: Path) -> list[Path]:
    """Where the AppProjects Argo CD will know live: argocd/ (platform) and dist/*/projects/ (tenants)."""
    return [f for f in (root / "argocd", *sorted((root / "dist").glob("*/projects"))) if f.is_dir()]


def load_projects(root: Path, *, cache: ResultCache = NO_CACHE,
                  folders: Sequence[Folder] | None = None) -> tuple[dict[str, Project], list[Resource]]:
    """AppProjects of `project_folders(root)` by name, and those defined twice with different specs.

    `folders`: the manifest folders below project_folders(root), when the caller read them already;
    they are parsed through `cache` (a folder parsed before is a JSON load)."""
    if folders is None:
        folders = load_folders(project_folders(root))
    projects: dict[str, Project] = {}
    duplicates: list[Resource] = []
    for res in in_file_order(parse_cached(folders, cache).resources):
        if res.kind != "AppProject" or res.group != ARGOCD_GROUP or res.namespace not in ("", ARGOCD_NAMESPACE):
            continue
        spec = _mapping(res.obj.get("spec"))
        if res.name in projects and projects[res.name].spec != spec:
            duplicates.append(res)
            continue
        projects[res.name] = Project(res.name, spec, res.file)
    projects.setdefault("default", Project("default", DEFAULT_PROJECT, "(Argo CD built-in)"))
    return projects, duplicates


def parse_cached(folders: Sequence[Folder], cache: ResultCache) -> ManifestSet:
    """parse_folders through `cache`; without it when an object cannot be cached (JSON has no YAML timestamp)."""
    try:
        return parse_folders(folders, cache=cache)
    except (TypeError, ValueError):
        if not cache.enabled:
            raise
        return parse_folders(folders)


def in_file_order(resources: Iterable[Resource]) -> list[Resource]:
    """`read_paths`'s order (files sorted by path, documents in file order) of folder-by-folder results."""
    return sorted(resources, key=lambda r: r.file)


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------

@dataclass
class _AppView:
    """A previewed Application, or an Application shipped as an object, with what the checks need."""

    name: str
    project: str
    spec: Mapping[str, Any]
    wave: int
    #: where findings about the Application itself point
    anchor: Finding
    #: the inventory cluster its folder belongs to (dist/<cluster>/...), if any
    owner: str | None


@dataclass(frozen=True)
class _Source:
    """A folder of this repository an Application reads, and what was read from it."""

    path: str
    recurse: bool
    exists: bool
    #: the manifest folder itself, or (recurse) every manifest folder below it
    folders: tuple[Folder, ...]
    #: digest of the above, with every read folder's content (Folder.key)
    key: str


@dataclass
class _Inputs:
    """What the checks read from the repository: the preview and every Application's folders."""

    apps: list[PreviewApp]
    views: list[_AppView]
    sources: dict[str, list[_Source]]
    #: per Application, the digest of everything read from its sources (the key of its AppFacts)
    keys: dict[str, str]
    #: (cluster folder, app folder, holds any file) for every dist/<cluster>/<app>/
    listing: list[tuple[str, str, bool]]
    #: the manifest folders of project_folders()
    project_folders: list[Folder]
    facts: dict[str, AppFacts] | None = None


class DeliveryCheck:
    """All delivery findings for one repository and inventory.

    With a `cache` (the run's), objects are parsed through the parse cache `check` fills, and per
    Application its AppFacts (what the repository-wide checks need) and the findings about its
    objects are kept by content: an unchanged Application costs reading and hashing its files and
    one small cache load, never a parse. The findings are the same with or without a cache.
    """

    def __init__(self, root: Path, inventory: ClusterInventory, *, cache: ResultCache = NO_CACHE) -> None:
        self.root = root
        self.inventory = inventory
        self.clusters = ClusterDirectory(inventory)
        self.known = {c.name for c in inventory.clusters}
        self.repo_url = inventory.gitops.repo_url
        self.crd_scopes: dict[tuple[str, str], bool] = {}
        self.cache = cache
        self._inputs: _Inputs | list[Located] | None = None
        self._objects: dict[str, list[Resource]] = {}
        self._project_keys: dict[str, str] = {}
        self._dirs: dict[str, bool] = {}
        self._same_repo: dict[str, bool] = {}
        #: per Application, the object findings its cache entry holds, by what they depend on
        self._stored: dict[str, dict[str, Any]] = {}

    def run(self) -> list[Located]:
        inputs = self._read()
        if isinstance(inputs, list):
            return list(inputs)
        projects, duplicates = load_projects(self.root, cache=self.cache, folders=inputs.project_folders)
        out = [Located(None, Finding.about(r, validator=NAME, rule="project-defined-twice",
                                           message=f"AppProject {r.name} is defined twice with different specs "
                                                   f"(also in {projects[r.name].file})")) for r in duplicates]
        out += [Located(self._file_owner(f.file), f)
                for f in all_project_findings((p.name, p.spec, p.file) for p in projects.values())]
        out += self._folders(inputs)
        facts = self._facts(inputs)
        self._learn_crd_scopes(facts.values())
        children: list[tuple[_AppView, _AppView]] = []
        for view in inputs.views:
            out += self._app_checks(view, projects)
            for item in facts[view.name].children:
                child = self._child_view(item, view)
                children.append((view, child))
                out += self._app_checks(child, projects)
            project = projects.get(view.project)
            if project is not None:
                out += [Located(view.owner, f) for f in self._object_findings(view, inputs, project)]
        out += self._sync_waves(inputs.views, facts, children)
        return out

    # -- reading ------------------------------------------------------------------------------
    def _read(self) -> _Inputs | list[Located]:
        """The preview, every Application's folders (read, not parsed), dist/ and the project folders."""
        if self._inputs is None:
            listing = [(cluster_dir.name, app_dir.name, any(files for _r, _d, files in os.walk(app_dir)))
                       for cluster_dir in _subfolders(self.root / "dist") for app_dir in _subfolders(cluster_dir)]
            loaded: dict[tuple[str, bool], tuple[Folder, ...]] = {}
            projects = [f for folder in project_folders(self.root) for f in _load(folder, True, loaded)]
            argocd = self.root / "argocd"
            try:
                apps = cached_preview(self.root, self.inventory, _load(argocd, True, loaded) if argocd.is_dir() else (),
                                      self.cache, non_empty={f"dist/{c}/{a}": found for c, a, found in listing})
            except PreviewError as exc:
                rule = "unsupported-feature" if exc.unsupported else "preview-failed"
                message = f"cannot preview the ApplicationSets: {exc}"
                self._inputs = [Located(None, _finding(str(self.root / "argocd"), rule, message))]
                return self._inputs
            sources = {app.name: self._sources(app, loaded) for app in apps}
            self._inputs = _Inputs(apps, [self._view(app) for app in apps], sources,
                                   {name: cache_keys.delivery_facts(s.key for s in found)
                                    for name, found in sources.items()},
                                   listing, projects)
        return self._inputs

    def _sources(self, app: PreviewApp, loaded: dict[tuple[str, bool], tuple[Folder, ...]]) -> list[_Source]:
        """The folders Argo CD reads for `app`: manifest files, recursing only when asked."""
        out = []
        for source in app.sources:
            paths = self._repo_paths([source])
            if not paths:
                continue
            folder = self.root / paths[0]
            recurse = bool(_mapping(source.get("directory")).get("recurse"))
            exists = self._is_dir(paths[0])
            folders = _load(folder, recurse, loaded) if exists else ()
            key = cache_keys.delivery_source(path=paths[0], recurse=recurse, exists=exists,
                                             folders=(f.key for f in folders))
            out.append(_Source(paths[0], recurse, exists, folders, key))
        return out

    def _app_objects(self, name: str, inputs: _Inputs) -> list[Resource]:
        """The objects of Application `name`, parsed (through the parse cache) on first use."""
        if name not in self._objects:
            objects: list[Resource] = []
            for source in inputs.sources[name]:
                if source.exists:
                    objects += in_file_order(parse_cached(source.folders, self.cache).resources)
            self._objects[name] = objects
        return self._objects[name]

    def _facts(self, inputs: _Inputs) -> dict[str, AppFacts]:
        """Every Application's AppFacts, from its cache entry (which also holds its object findings,
        by what they depend on: one load per unchanged Application) or from its objects."""
        if inputs.facts is None:
            inputs.facts = {}
            for app in inputs.apps:
                key = inputs.keys[app.name]
                entry = _cached(self.cache, APPS_NAMESPACE, key, _entry_from)
                if entry is None:
                    facts = AppFacts.of(self._app_objects(app.name, inputs))
                    self._stored[app.name] = {}
                    if self.cache.enabled:
                        _store(self.cache, APPS_NAMESPACE, key, {"facts": facts.to_json(), "objects": {}})
                else:
                    facts, self._stored[app.name] = entry
                inputs.facts[app.name] = facts
        return inputs.facts

    # -- views --------------------------------------------------------------------------------
    def _view(self, app: PreviewApp) -> _AppView:
        anchor = Finding(file=app.file, line=None, api_version=f"{ARGOCD_GROUP}/v1alpha1", kind="Application",
                         namespace=ARGOCD_NAMESPACE, name=app.name, validator=NAME, rule="", severity=Severity.ERROR,
                         message="")
        return _AppView(app.name, app.project, app.spec, app.sync_wave, anchor, self._owner(app))

    def _child_view(self, child: Child, parent: _AppView) -> _AppView:
        return _AppView(child.name, child.project, child.spec, child.wave, child.anchor, parent.owner)

    def _owner(self, app: PreviewApp) -> str | None:
        parts = app.path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "dist" and parts[1] in self.known:
            return parts[1]
        dest = self.clusters.resolve(app.destination)
        return dest.cluster.name if dest is not None and dest.cluster is not None else None

    # -- folders ------------------------------------------------------------------------------
    def _folders(self, inputs: _Inputs) -> list[Located]:
        claims: dict[str, list[str]] = defaultdict(list)
        for app in inputs.apps:
            for path in self._repo_paths(app.sources):
                claims[path].append(app.name)
        out: list[Located] = []
        for cluster, app_name, has_files in inputs.listing:
            if not has_files:
                continue  # git keeps no empty folder: nothing to deliver
            owner = cluster if cluster in self.known else None
            app_dir = self.root / "dist" / cluster / app_name
            rel = f"dist/{cluster}/{app_name}"
            names = claims.get(rel, [])
            if not names:
                out.append(Located(owner, _finding(
                    str(app_dir), "unclaimed-folder",
                    f"{rel}/ is delivered by no Application: no ApplicationSet generates one for it, so its "
                    "objects never reach a cluster")))
            elif len(names) > 1:
                out.append(Located(owner, _finding(
                    str(app_dir), "folder-claimed-twice",
                    f"{rel}/ is the source of Applications {', '.join(sorted(names))}: they would manage the "
                    "same objects and overwrite each other")))
        return out

    def _repo_paths(self, sources: Iterable[Mapping[str, Any]]) -> list[str]:
        paths = []
        for source in sources:
            path = str(source.get("path") or "")
            if path and self._in_repository(str(source.get("repoURL", ""))):
                paths.append(os.path.normpath(path).replace(os.sep, "/").strip("/"))
        return paths

    def _in_repository(self, url: str) -> bool:
        if url not in self._same_repo:
            self._same_repo[url] = same_repository(url, self.repo_url)
        return self._same_repo[url]

    def _file_owner(self, file: str) -> str | None:
        """The inventory cluster of a file under dist/<cluster>/, else None (the repository as a whole)."""
        try:
            parts = Path(file).resolve().relative_to(self.root.resolve()).parts
        except ValueError:
            return None
        return parts[1] if len(parts) > 2 and parts[0] == "dist" and parts[1] in self.known else None

    def _is_dir(self, path: str) -> bool:
        """Whether repository path `path` is a folder (asked once per check)."""
        if path not in self._dirs:
            self._dirs[path] = (self.root / path).is_dir()
        return self._dirs[path]

    # -- one Application ----------------------------------------------------------------------
    def _app_checks(self, view: _AppView, projects: Mapping[str, Project]) -> list[Located]:
        out: list[Located] = []

        def add(rule: str, message: str) -> None:
            out.append(Located(view.owner, _with(view.anchor, rule, message)))

        sources = _sources_of(view.spec)
        for path in self._repo_paths(sources):
            if not self._is_dir(path):
                add("missing-path", f"Application {view.name} reads path {path}, which does not exist in the "
                                    "repository")
        for source in sources:
            for path in self._repo_paths([source]):
                if self._is_dir(path):
                    for rule, message in self._reads(view.name, source, path):
                        add(rule, message)
        wrong_project = app_project_finding(view.name, view.project, self._repo_paths(sources), view.anchor)
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
        destination = _destination(view.spec)
        dest = self.clusters.resolve(destination)
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

    def _reads(self, name: str, source: Mapping[str, Any], path: str) -> Iterator[tuple[str, str]]:
        """What Argo CD would read from `path` that this check does not (argocd/directory.py)."""
        kind, unchecked = unchecked_reads(source, self.root / path, self.root)
        fix = ("set spec.source.directory.include to '*.{yaml,yml,json}' and exclude to '.*', as the generated "
               "ApplicationSets do")
        if kind != "Directory":
            yield (READS_RULES["type"], f"Application {name}: Argo CD renders {path} as {kind}, which the check "
                                           f"does not render (it reads plain manifests only); {fix}")
        for rel in unchecked:
            yield (READS_RULES["file"], f"Application {name}: Argo CD reads {path}/{rel}, which the check does "
                                           f"not read (Jsonnet, a hidden file or a symbolic link); remove it and "
                                           f"{fix}")

    def _learn_crd_scopes(self, facts: Iterable[AppFacts]) -> None:
        for item in facts:
            for group, kind, namespaced in item.crds:
                self.crd_scopes[(group, kind)] = namespaced

    def namespaced(self, res: Resource) -> bool:
        return self._namespaced(res.group, res.kind)

    def _namespaced(self, group: str, kind: str) -> bool:
        known = scope_of(group, kind)
        if known is not None:
            return known
        if (group, kind) in self.crd_scopes:
            return self.crd_scopes[(group, kind)]
        return True  # an unknown kind: namespaced, as most custom resources are (Argo CD asks discovery)

    def _object_findings(self, view: _AppView, inputs: _Inputs, project: Project) -> list[Finding]:
        """_object_checks, cached by what they depend on: the app's objects, its name and destination,
        its AppProject, and the scopes of the custom kinds it uses that a CRD defines."""
        facts = self._facts(inputs)[view.name]
        destination = _destination(view.spec)
        dest = self.clusters.resolve(destination)
        scopes = sorted({(u.group, u.kind, self.crd_scopes[(u.group, u.kind)]) for u in facts.uses
                         if (u.group, u.kind) in self.crd_scopes and scope_of(u.group, u.kind) is None})
        if project.name not in self._project_keys:
            self._project_keys[project.name] = cache_keys.delivery_project(project.name, project.spec)
        key = cache_keys.delivery_objects(application=view.name, destination=destination,
                                          resolved="" if dest is None else f"{dest.name}\0{dest.server}\0{dest.label}",
                                          project=self._project_keys[project.name], scopes=scopes)
        stored = self._stored.setdefault(view.name, {})
        found = _restore(_findings_from, stored[key]) if key in stored else None
        if found is None:
            found = self._object_checks(view, self._app_objects(view.name, inputs), project)
            if not self.cache.enabled:
                return found
            # a few contexts per entry: Applications reading the same folder share it
            kept = list(stored.items())[-(MAX_OBJECT_CONTEXTS - 1):]
            stored.clear()
            stored.update(kept)
            stored[key] = [f.to_dict() for f in found]
            _store(self.cache, APPS_NAMESPACE, inputs.keys[view.name], {"facts": facts.to_json(), "objects": stored})
        return found

    def _object_checks(self, view: _AppView, objects: Sequence[Resource], project: Project) -> list[Finding]:
        out: list[Finding] = []
        destination = _destination(view.spec)
        dest = self.clusters.resolve(destination)
        dest_ns = str(destination.get("namespace") or "")
        for res in objects:
            if not res.kind:
                continue
            if not self.namespaced(res):
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
        out += tenant_folder_findings(self._repo_paths(_sources_of(view.spec)), objects, self.namespaced)
        # hooks and waves inside this Application, as Argo CD orders them (sync_phases.py)
        out += sync_phase_findings(view.name, [r for r in objects if r.kind], NAME, dest_ns)
        return out

    # -- sync waves ---------------------------------------------------------------------------
    def _sync_waves(self, views: Sequence[_AppView], facts: Mapping[str, AppFacts],
                    children: Sequence[tuple[_AppView, _AppView]]) -> list[Located]:
        providers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        waves = {v.name: v.wave for v in views}
        dests: dict[str, Destination | None] = {}
        for view in views:
            dest = dests[view.name] = self.clusters.resolve(_destination(view.spec))
            if dest is None:
                continue
            for what, value in facts[view.name].provides:
                providers[(dest.server, what, value)].add(view.name)
            own_namespace = str(_destination(view.spec).get("namespace") or "")
            if own_namespace and _creates_namespace(view.spec):
                providers[(dest.server, "namespace", own_namespace)].add(view.name)
        for parent, child in children:
            dest = self.clusters.resolve(_destination(child.spec))
            if dest is None:
                continue
            for group in ADDON_CRD_GROUPS.get(_chart(child), ()):
                providers[(dest.server, "group", group)].add(parent.name)
            namespace = _destination(child.spec).get("namespace")
            if namespace and _creates_namespace(child.spec):
                providers[(dest.server, "namespace", str(namespace))].add(parent.name)

        out: list[Located] = []
        for view in views:
            dest = dests[view.name]
            if dest is None:
                continue
            dest_ns = str(_destination(view.spec).get("namespace") or "")
            # what the app's objects need, with the first object needing it and how many do
            needs: dict[tuple[str, str], list[Any]] = {}
            for use in facts[view.name].uses:
                wanted = []
                if use.group not in BUILTIN_GROUPS and use.group != ARGOCD_GROUP:
                    wanted.append(("group", use.group))
                if self._namespaced(use.group, use.kind) and (use.namespace or dest_ns):
                    wanted.append(("namespace", use.namespace or dest_ns))
                for need in wanted:
                    if need in needs:
                        needs[need][1] += use.count
                    else:
                        needs[need] = [use.first, use.count]
            for (what, value), (first, users) in needs.items():
                found = providers.get((dest.server, what, value), set())
                if view.name in found:
                    continue
                count = f" (and {users - 1} more object(s))" if users > 1 else ""
                thing = f"CRD group {value}" if what == "group" else f"Namespace {value}"
                if not found:
                    if what == "group":
                        out.append(Located(view.owner, _with(
                            first, "crd-not-provided",
                            f"{describe(first)}{count} in Application {view.name} needs {thing} on "
                            f"{dest.label}, which no Application delivers (no add-on and no "
                            "CustomResourceDefinition provides it)")))
                    continue
                for provider in sorted(found):
                    if waves[view.name] > waves[provider]:
                        continue
                    out.append(Located(view.owner, _with(
                        first, "sync-wave-order",
                        f"{describe(first)}{count} in Application {view.name} (sync wave "
                        f"{waves[view.name]}) needs {thing}, which Application {provider} delivers in "
                        f"sync wave {waves[provider]}: {view.name} must sync in a later wave")))
        return out


def _load(folder: Path, recurse: bool, loaded: dict[tuple[str, bool], tuple[Folder, ...]]) -> tuple[Folder, ...]:
    """The manifest folders Argo CD reads from `folder` (read once per check): with `recurse` every
    folder below it, else its own manifest files only (the same Folder `check` reads, in the usual
    case of no hidden files, so the parse cache is shared)."""
    key = (str(folder), recurse)
    if key not in loaded:
        loaded[key] = tuple(load_folders([folder])) if recurse else _own_files(str(folder))
    return loaded[key]


def _own_files(directory: str) -> tuple[Folder, ...]:
    """load_folders of the manifest files directly in `directory`, without hidden ones (Path.suffix
    of a name not starting with a dot is one of the suffixes exactly when the name ends with it)."""
    with os.scandir(directory) as entries:
        files = sorted(e.path for e in entries
                       if not e.name.startswith(".") and e.name.endswith(_MANIFEST_SUFFIXES) and e.is_file())
    if not files:
        return ()
    bodies = []
    for file in files:
        with open(file, "rb") as handle:
            bodies.append((file, handle.read()))
    return (Folder(directory, bodies),)


def _cached(cache: ResultCache, namespace: str, key: str, restore: Callable[[Any], _T]) -> _T | None:
    """The cached value, restored; None when absent, damaged or of another shape (then recomputed)."""
    data = cache.get(namespace, key)
    return None if data is None else _restore(restore, data)


def _restore(restore: Callable[[Any], _T], data: Any) -> _T | None:
    try:
        return restore(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _entry_from(data: Any) -> tuple[AppFacts, dict[str, Any]]:
    objects = data["objects"]
    if not isinstance(objects, dict):
        raise ValueError("expected the object findings by context")
    return AppFacts.from_json(data["facts"]), objects


def _store(cache: ResultCache, namespace: str, key: str, value: Any) -> None:
    # a value JSON cannot hold (a YAML timestamp in a spec) is not cached: recomputed next time
    with contextlib.suppress(TypeError, ValueError):
        cache.put(namespace, key, value)


def _findings_from(data: Any) -> list[Finding]:
    if not isinstance(data, list):
        raise ValueError("expected a list of findings")
    return [Finding.from_dict(item) for item in data]


def _sources_of(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An Application's `spec.sources`, or its `spec.source`."""
    if isinstance(spec.get("sources"), list):
        return [s for s in spec["sources"] if isinstance(s, Mapping)]
    return [spec["source"]] if isinstance(spec.get("source"), Mapping) else []


def _subfolders(folder: Path) -> list[Path]:
    """Non-hidden folders in `folder`, sorted (none when it does not exist)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else {}: manifests are user input and may be malformed anywhere."""
    return value if isinstance(value, Mapping) else {}


def _destination(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(spec.get("destination"))


def _creates_namespace(spec: Mapping[str, Any]) -> bool:
    policy = _mapping(spec.get("syncPolicy"))
    return "CreateNamespace=true" in (policy.get("syncOptions") or [])


def _chart(view: _AppView) -> str:
    source = _mapping(view.spec.get("source"))
    url = str(source.get("repoURL") or "")
    if not source.get("chart") and url.startswith("oci://"):
        return url.rstrip("/").rsplit("/", 1)[-1]  # Argo CD's OCI source: the artifact is the chart
    return str(source.get("chart") or "")


def _finding(file: str, rule: str, message: str) -> Finding:
    return Finding(file=file, line=None, api_version="", kind="", namespace="", name="", validator=NAME,
                   rule=rule, severity=Severity.ERROR, message=message)


def _with(anchor: Finding, rule: str, message: str) -> Finding:
    return Finding(file=anchor.file, line=anchor.line, api_version=anchor.api_version, kind=anchor.kind,
                   namespace=anchor.namespace, name=anchor.name, validator=NAME, rule=rule,
                   severity=Severity.ERROR, message=message)


# ---------------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------------

class DeliveryValidator(Validator):
    """The delivery checks as a validator: computed once per repository and inventory, handed out per
    target."""

    name = NAME
    options_used = ("repo_root", "clusters_file", "cache")

    def __init__(self, options: ValidatorOptions) -> None:
        self.repo_root = options.repo_root
        self.clusters_file = options.clusters_file
        self.cache = options.cache
        self._checks: dict[tuple[str, str], DeliveryCheck] = {}
        self._memo: dict[tuple[str, str], list[Located]] = {}

    def cache_context(self, target: Target) -> str:
        """The digest of the target's findings themselves. What they depend on beyond the target's own
        folders is most of the repository (argocd/, the inventory, dist/'s folders, the AppProjects,
        and other clusters' folders: CRD scopes are global, providers on a shared destination count),
        so a digest of those inputs would change with any edit and have `check` load every cluster.
        The findings are cheap to compute with the cache (no parse of an unchanged folder), exact,
        and unchanged for a cluster an edit does not concern: that cluster is then never loaded."""
        try:
            found = list(self.validate(target))
        except Exception as exc:  # no key to reuse: the runner validates, and reports the error itself
            return digest(NAME, "failed", type(exc).__name__, str(exc))
        return digest(NAME, digest_json([f.to_dict() for f in found]))

    def validate(self, target: Target) -> Iterator[Finding]:
        setup = self._setup(target)
        if setup is None:
            return  # ad-hoc manifests, not a repository with argocd/ and dist/: nothing to deliver
        if isinstance(setup, Finding):
            yield setup
            return
        key, check = setup
        if key not in self._memo:
            self._memo[key] = check.run()
        first = min((c.name for c in check.inventory.clusters), default=None)
        mine = target.cluster.name if target.cluster is not None else None
        for located in self._memo[key]:
            if mine is None or located.cluster == mine or (located.cluster is None and mine == first):
                yield located.finding

    def _setup(self, target: Target) -> tuple[tuple[str, str], DeliveryCheck] | Finding | None:
        """The check of the target's repository and inventory (one per both), or why there is none."""
        root = self.repo_root or find_repo_root(target.resources)
        if root is None:
            return None
        inventory = target.inventory
        if inventory is None:
            path = self.clusters_file or root / "clusters.yaml"
            try:
                inventory = load_inventory(path)
            except (ModelError, OSError) as exc:
                return _finding(str(path), "no-inventory", f"delivery checks need the cluster inventory: {exc}")
        key = (str(root.resolve()), digest(inventory.model_dump_json()))
        if key not in self._checks:
            self._checks[key] = DeliveryCheck(root, inventory, cache=self.cache)
        return key, self._checks[key]


def find_repo_root(resources: Sequence[Resource]) -> Path | None:
    """The repository a target's files come from: the nearest folder above them holding argocd/ and dist/."""
    for res in resources[:1]:
        for folder in Path(res.file).parents:
            if (folder / "argocd").is_dir() and (folder / "dist").is_dir():
                return folder
    return None

"""Delivery: will Argo CD actually deliver every rendered folder, and accept what each one holds?

The ApplicationSets in argocd/ are previewed offline (genai_gitops.argocd.preview); then:

- folders: every `dist/<cluster>/<app>/` is claimed by exactly one Application (`unclaimed-folder`,
  `folder-claimed-twice`), and every Application's path exists (`missing-path`);
- AppProjects (argocd/ for the platform, dist/*/projects/ for tenants; `unknown-project`): each
  Application's source (`source-not-permitted`) and destination (`destination-not-permitted`,
  `unknown-destination`), and each object in its folder, are checked the way Argo CD checks them
  (`cluster-resource-not-permitted`, `namespaced-resource-not-permitted`, `namespace-not-permitted`);
  Applications shipped as objects (the add-ons) get the project, source and destination checks too;
- ordering: an object whose CRD or Namespace another Application delivers must sit in a strictly
  later sync wave than that Application (`sync-wave-order`); a CRD group nothing delivers is
  `crd-not-provided`. Note that Argo CD honours waves between Applications only when a parent
  Application syncs them (app of apps) and only with the Application health check restored in
  argocd-cm; for ApplicationSet-generated apps the wave states intent, and this rule keeps the
  intent consistent.

Findings are computed once per repository and handed out per target: a cluster target gets the
findings of its own folders, plus (for the first inventory cluster) those belonging to no cluster.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from genai_gitops.argocd.generators.git import normalize_repo_url, path_match, same_repository
from genai_gitops.argocd.preview import PreviewApp, PreviewError, preview
from genai_gitops.manifests import Resource, read_paths
from genai_gitops.manifests.scope import scope_of
from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.errors import ModelError
from genai_gitops.model.loader import load_inventory
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions

NAME = "delivery"
ARGOCD_NAMESPACE = "argocd"
LOCAL_NAME, LOCAL_SERVER = "in-cluster", "https://kubernetes.default.svc"

#: API groups every cluster serves without a CRD
BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "apiregistration.k8s.io",
    "scheduling.k8s.io", "node.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    "resource.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
})
#: Argo CD's own CRDs: installed with Argo CD, where its Applications and AppProjects live
ARGOCD_GROUP = "argoproj.io"
#: the add-on (Helm chart of an Application in dist/<cluster>/addons) that brings each CRD group
ADDON_CRD_GROUPS: Mapping[str, tuple[str, ...]] = {
    "external-secrets": ("external-secrets.io", "generators.external-secrets.io"),
    "kube-prometheus-stack": ("monitoring.coreos.com",),
    "gatekeeper": ("templates.gatekeeper.sh", "constraints.gatekeeper.sh", "config.gatekeeper.sh",
                   "status.gatekeeper.sh", "mutations.gatekeeper.sh", "expansion.gatekeeper.sh",
                   "externaldata.gatekeeper.sh", "syncset.gatekeeper.sh"),
    "cert-manager": ("cert-manager.io", "acme.cert-manager.io"),
}
#: Argo CD's built-in `default` project, used when the repository does not define one
DEFAULT_PROJECT = {"sourceRepos": ["*"], "destinations": [{"server": "*", "name": "*", "namespace": "*"}],
                   "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Located:
    """A finding and the inventory cluster it belongs to (None: the repository as a whole)."""

    cluster: str | None
    finding: Finding


# ---------------------------------------------------------------------------------------------
# Globs as Argo CD matches them
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1024)
def _glob_regex(pattern: str, separators: str) -> re.Pattern[str]:
    """gobwas/glob: `*` (not across separators), `**`, `?`, `[a-z]`/`[!a-z]`, `{a,b}`, `\\` escapes."""
    sep = re.escape(separators)
    any_char = f"[^{sep}]" if separators else "."
    out, i, depth = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 1
            else:
                out.append(f"{any_char}*")
        elif c == "?":
            out.append(any_char)
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:end]
                negate = body.startswith("!")
                chars = re.escape(body[1:] if negate else body).replace("\\-", "-")
                out.append(f"[{'^' if negate else ''}{chars}]")
                i = end
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def glob_match(pattern: str, value: str, *, negation: bool = True, separators: str = "") -> bool:
    """Argo CD's globMatch: a leading `!` inverts the match; `*` alone matches anything."""
    if negation and pattern.startswith("!"):
        return not glob_match(pattern[1:], value, negation=False, separators=separators)
    if pattern == "*":
        return True
    return _glob_regex(pattern, separators).match(value) is not None


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


def load_projects(root: Path) -> tuple[dict[str, Project], list[Resource]]:
    """AppProjects Argo CD will know: argocd/ (platform) and dist/*/projects/ (tenants); plus parse problems."""
    folders = [root / "argocd", *sorted((root / "dist").glob("*/projects"))]
    manifests = read_paths([f for f in folders if f.is_dir()])
    projects: dict[str, Project] = {}
    duplicates: list[Resource] = []
    for res in manifests.resources:
        if res.kind != "AppProject" or res.group != ARGOCD_GROUP or res.namespace not in ("", ARGOCD_NAMESPACE):
            continue
        spec = _mapping(res.obj.get("spec"))
        if res.name in projects and projects[res.name].spec != spec:
            duplicates.append(res)
            continue
        projects[res.name] = Project(res.name, spec, res.file)
    projects.setdefault("default", Project("default", DEFAULT_PROJECT, "(Argo CD built-in)"))
    return projects, duplicates


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


class DeliveryCheck:
    """All delivery findings for one repository and inventory."""

    def __init__(self, root: Path, inventory: ClusterInventory) -> None:
        self.root = root
        self.inventory = inventory
        self.clusters = ClusterDirectory(inventory)
        self.known = {c.name for c in inventory.clusters}
        self.repo_url = inventory.gitops.repo_url
        self.crd_scopes: dict[tuple[str, str], bool] = {}

    def run(self) -> list[Located]:
        try:
            apps = preview(self.root, self.inventory)
        except PreviewError as exc:
            rule = "unsupported-feature" if exc.unsupported else "preview-failed"
            message = f"cannot preview the ApplicationSets: {exc}"
            return [Located(None, _finding(str(self.root / "argocd"), rule, message))]
        projects, duplicates = load_projects(self.root)
        out = [Located(None, Finding.about(r, validator=NAME, rule="project-defined-twice",
                                           message=f"AppProject {r.name} is defined twice with different specs "
                                                   f"(also in {projects[r.name].file})")) for r in duplicates]
        out += self._folders(apps)
        views = [self._view(app) for app in apps]
        objects = {app.name: self._objects(app) for app in apps}
        self._learn_crd_scopes(objects.values())
        children: list[tuple[_AppView, _AppView]] = []
        for view in views:
            out += self._app_checks(view, projects)
            for res in objects[view.name]:
                if res.kind == "Application" and res.group == ARGOCD_GROUP:
                    child = self._child_view(res, view)
                    children.append((view, child))
                    out += self._app_checks(child, projects)
            project = projects.get(view.project)
            if project is not None:
                out += self._object_checks(view, objects[view.name], project)
        out += self._sync_waves(views, objects, children)
        return out

    # -- views --------------------------------------------------------------------------------
    def _view(self, app: PreviewApp) -> _AppView:
        anchor = Finding(file=app.file, line=None, api_version=f"{ARGOCD_GROUP}/v1alpha1", kind="Application",
                         namespace=ARGOCD_NAMESPACE, name=app.name, validator=NAME, rule="", severity=Severity.ERROR,
                         message="")
        return _AppView(app.name, app.project, app.spec, app.sync_wave, anchor, self._owner(app))

    def _child_view(self, res: Resource, parent: _AppView) -> _AppView:
        spec = _mapping(res.obj.get("spec"))
        try:
            wave = int(res.annotations.get("argocd.argoproj.io/sync-wave", "0"))
        except ValueError:
            wave = 0
        anchor = Finding.about(res, validator=NAME, rule="", message="")
        return _AppView(res.name, str(spec.get("project") or "default"), spec, wave, anchor, parent.owner)

    def _owner(self, app: PreviewApp) -> str | None:
        parts = app.path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "dist" and parts[1] in self.known:
            return parts[1]
        dest = self.clusters.resolve(app.destination)
        return dest.cluster.name if dest is not None and dest.cluster is not None else None

    # -- folders ------------------------------------------------------------------------------
    def _folders(self, apps: Sequence[PreviewApp]) -> list[Located]:
        claims: dict[str, list[str]] = defaultdict(list)
        for app in apps:
            for path in self._repo_paths(app.sources):
                claims[path].append(app.name)
        out: list[Located] = []
        for cluster_dir in _subfolders(self.root / "dist"):
            owner = cluster_dir.name if cluster_dir.name in self.known else None
            for app_dir in _subfolders(cluster_dir):
                if not any(files for _r, _d, files in os.walk(app_dir)):
                    continue  # git keeps no empty folder: nothing to deliver
                rel = f"dist/{cluster_dir.name}/{app_dir.name}"
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
            if path and same_repository(str(source.get("repoURL", "")), self.repo_url):
                paths.append(os.path.normpath(path).replace(os.sep, "/").strip("/"))
        return paths

    # -- one Application ----------------------------------------------------------------------
    def _app_checks(self, view: _AppView, projects: Mapping[str, Project]) -> list[Located]:
        out: list[Located] = []

        def add(rule: str, message: str) -> None:
            out.append(Located(view.owner, _with(view.anchor, rule, message)))

        sources = ([s for s in view.spec["sources"] if isinstance(s, Mapping)]
                   if isinstance(view.spec.get("sources"), list)
                   else [view.spec["source"]] if isinstance(view.spec.get("source"), Mapping) else [])
        for path in self._repo_paths(sources):
            if not (self.root / path).is_dir():
                add("missing-path", f"Application {view.name} reads path {path}, which does not exist in the "
                                    "repository")
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

    def _objects(self, app: PreviewApp) -> list[Resource]:
        """The objects Argo CD reads from the app's folder: manifest files, recursing only when asked."""
        objects: list[Resource] = []
        for source in app.sources:
            paths = self._repo_paths([source])
            if not paths or not (self.root / paths[0]).is_dir():
                continue
            directory = _mapping(source.get("directory"))
            folder = self.root / paths[0]
            if directory.get("recurse"):
                files = [folder]
            else:
                files = sorted(p for p in folder.iterdir()
                               if p.is_file() and p.suffix in _MANIFEST_SUFFIXES and not p.name.startswith("."))
            objects += read_paths(files).resources
        return objects

    def _learn_crd_scopes(self, groups: Iterable[list[Resource]]) -> None:
        for objects in groups:
            for res in objects:
                if res.kind == "CustomResourceDefinition":
                    spec = _mapping(res.obj.get("spec"))
                    names = _mapping(spec.get("names"))
                    if spec.get("group") and names.get("kind"):
                        self.crd_scopes[(str(spec["group"]), str(names["kind"]))] = spec.get("scope") != "Cluster"

    def namespaced(self, res: Resource) -> bool:
        known = scope_of(res.group, res.kind)
        if known is not None:
            return known
        if (res.group, res.kind) in self.crd_scopes:
            return self.crd_scopes[(res.group, res.kind)]
        return True  # an unknown kind: namespaced, as most custom resources are (Argo CD asks discovery)

    def _object_checks(self, view: _AppView, objects: Sequence[Resource], project: Project) -> list[Located]:
        out: list[Located] = []
        destination = _destination(view.spec)
        dest = self.clusters.resolve(destination)
        dest_ns = str(destination.get("namespace") or "")
        for res in objects:
            if not res.kind:
                continue
            if not self.namespaced(res):
                problem = project.cluster_resource_problem(res.group, res.kind, res.name)
                if problem:
                    out.append(Located(view.owner, Finding.about(
                        res, validator=NAME, rule="cluster-resource-not-permitted",
                        message=f"{res.kind} {res.name} is cluster-scoped; {problem}")))
                continue
            problem = project.namespaced_resource_problem(res.group, res.kind)
            if problem:
                out.append(Located(view.owner, Finding.about(
                    res, validator=NAME, rule="namespaced-resource-not-permitted",
                    message=f"{res.describe()} in Application {view.name}: {problem}")))
            namespace = res.namespace or dest_ns
            if dest is not None and not project.destination_permitted(dest, namespace):
                if namespace == dest_ns:
                    continue  # the Application's own destination is reported once, on the Application
                out.append(Located(view.owner, Finding.about(
                    res, validator=NAME, rule="namespace-not-permitted",
                    message=f"{res.kind} {namespace}/{res.name}: namespace {namespace} on cluster {dest.label} is "
                            f"not permitted by AppProject {project.name} (spec.destinations: "
                            f"{project.describe_destinations()})")))
        return out

    # -- sync waves ---------------------------------------------------------------------------
    def _sync_waves(self, views: Sequence[_AppView], objects: Mapping[str, Sequence[Resource]],
                    children: Sequence[tuple[_AppView, _AppView]]) -> list[Located]:
        providers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        waves = {v.name: v.wave for v in views}
        dests: dict[str, Destination | None] = {}
        for view in views:
            dest = dests[view.name] = self.clusters.resolve(_destination(view.spec))
            if dest is None:
                continue
            for res in objects[view.name]:
                if res.kind == "Namespace" and not res.group:
                    providers[(dest.server, "namespace", res.name)].add(view.name)
                elif res.kind == "CustomResourceDefinition":
                    spec = _mapping(res.obj.get("spec"))
                    providers[(dest.server, "group", str(spec.get("group", "")))].add(view.name)
                elif res.kind == "ConstraintTemplate":
                    providers[(dest.server, "group", "constraints.gatekeeper.sh")].add(view.name)
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
            needs: dict[tuple[str, str], list[Resource]] = defaultdict(list)
            for res in objects[view.name]:
                if not res.kind:
                    continue
                if res.group not in BUILTIN_GROUPS and res.group != ARGOCD_GROUP:
                    needs[("group", res.group)].append(res)
                if self.namespaced(res) and (res.namespace or dest_ns):
                    needs[("namespace", res.namespace or dest_ns)].append(res)
            for (what, value), users in needs.items():
                found = providers.get((dest.server, what, value), set())
                if view.name in found:
                    continue
                first = users[0]
                count = f" (and {len(users) - 1} more object(s))" if len(users) > 1 else ""
                thing = f"CRD group {value}" if what == "group" else f"Namespace {value}"
                if not found:
                    if what == "group":
                        out.append(Located(view.owner, Finding.about(
                            first, validator=NAME, rule="crd-not-provided",
                            message=f"{first.describe()}{count} in Application {view.name} needs {thing} on "
                                    f"{dest.label}, which no Application delivers (no add-on and no "
                                    "CustomResourceDefinition provides it)")))
                    continue
                for provider in sorted(found):
                    if waves[view.name] > waves[provider]:
                        continue
                    out.append(Located(view.owner, Finding.about(
                        first, validator=NAME, rule="sync-wave-order",
                        message=f"{first.describe()}{count} in Application {view.name} (sync wave "
                                f"{waves[view.name]}) needs {thing}, which Application {provider} delivers in "
                                f"sync wave {waves[provider]}: {view.name} must sync in a later wave")))
        return out


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

class DeliveryValidator:
    name = NAME

    def __init__(self, options: ValidatorOptions) -> None:
        self.repo_root = options.repo_root
        self.clusters_file = options.clusters_file
        self._memo: dict[tuple[str, int], list[Located]] = {}

    def validate(self, target: Target) -> Iterator[Finding]:
        root = self.repo_root or find_repo_root(target.resources)
        if root is None:
            return  # ad-hoc manifests, not a repository with argocd/ and dist/: nothing to deliver
        inventory = target.inventory
        if inventory is None:
            try:
                inventory = load_inventory(self.clusters_file or root / "clusters.yaml")
            except (ModelError, OSError) as exc:
                yield _finding(str(self.clusters_file or root / "clusters.yaml"), "no-inventory",
                               f"delivery checks need the cluster inventory: {exc}")
                return
        key = (str(root.resolve()), id(inventory))
        if key not in self._memo:
            self._memo[key] = DeliveryCheck(root, inventory).run()
        first = min((c.name for c in inventory.clusters), default=None)
        mine = target.cluster.name if target.cluster is not None else None
        for located in self._memo[key]:
            if mine is None or located.cluster == mine or (located.cluster is None and mine == first):
                yield located.finding


def find_repo_root(resources: Sequence[Resource]) -> Path | None:
    """The repository a target's files come from: the nearest folder above them holding argocd/ and dist/."""
    for res in resources[:1]:
        for folder in Path(res.file).parents:
            if (folder / "argocd").is_dir() and (folder / "dist").is_dir():
                return folder
    return None

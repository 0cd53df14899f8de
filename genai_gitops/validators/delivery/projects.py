"""AppProjects: where Argo CD finds them, and what each permits, matched the way Argo CD matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_gitops.argocd.generators.git import normalize_repo_url
from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.globs import argocd_glob_match, go_path_match
from genai_gitops.manifests import Resource
from genai_gitops.manifests.cached import Folder, load_folders
from genai_gitops.model.apps import ARGOCD_NAMESPACE
from genai_gitops.validators.delivery.applications import mapping
from genai_gitops.validators.delivery.clusters import Destination
from genai_gitops.validators.delivery.findings import ARGOCD_GROUP
from genai_gitops.validators.delivery.reading import in_file_order, parse_cached

#: Argo CD's built-in `default` project, used when the repository does not define one
DEFAULT_PROJECT = {"sourceRepos": ["*"], "destinations": [{"server": "*", "name": "*", "namespace": "*"}],
                   "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}


@dataclass(frozen=True)
class Project:
    name: str
    spec: Mapping[str, Any]
    file: str
    #: destination_permitted answers: every object of an Application asks the same question
    _permitted: dict[tuple[str, str, str], bool] = field(default_factory=dict, compare=False, repr=False)
    #: source_permitted answers, by repoURL
    _sources: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    #: cluster_resource_problem and namespaced_resource_problem answers: asked for every object
    _problems: dict[tuple[str, str, str | None, bool], str | None] = field(default_factory=dict, compare=False,
                                                                          repr=False)

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
            name_ok = bool(dest.name) and argocd_glob_match(item_name, dest.name)
            server_ok = bool(dest.server) and argocd_glob_match(item_server, dest.server)
            ns_ok = argocd_glob_match(item_ns, namespace)
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
            if argocd_glob_match(normalized, source, separators="/"):
                matched = True
            elif deny:
                return False
        return matched

    def describe_destinations(self) -> str:
        parts = [f"{d.get('name') or d.get('server') or '?'}/{d.get('namespace') or ''}" for d in self.destinations]
        return ", ".join(parts) or "none"

    def cluster_resource_problem(self, group: str, kind: str, name: str) -> str | None:
        key = (group, kind, name, True)
        if key not in self._problems:
            self._problems[key] = self._cluster_resource_problem(group, kind, name)
        return self._problems[key]

    def namespaced_resource_problem(self, group: str, kind: str) -> str | None:
        key = (group, kind, None, False)
        if key not in self._problems:
            self._problems[key] = self._namespaced_resource_problem(group, kind)
        return self._problems[key]

    def _cluster_resource_problem(self, group: str, kind: str, name: str) -> str | None:
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

    def _namespaced_resource_problem(self, group: str, kind: str) -> str | None:
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
        if not go_path_match(str(item.get("kind", "")), kind) or not go_path_match(str(item.get("group", "")), group):
            continue
        item_name = str(item.get("name") or "")
        if name is None or not item_name or go_path_match(item_name, name):
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
        spec = mapping(res.obj.get("spec"))
        if res.name in projects and projects[res.name].spec != spec:
            duplicates.append(res)
            continue
        projects[res.name] = Project(res.name, spec, res.file)
    projects.setdefault("default", Project("default", DEFAULT_PROJECT, "(Argo CD built-in)"))
    return projects, duplicates

"""`DeliveryCheck`: all delivery findings for one repository and inventory.

It reads the preview and every Application's folders (reading.py), their facts (facts.py, cached per
folder content: app_cache.py), and runs the rules: folders.py, app_rules.py, waves.py, and the
AppProject invariants (invariants.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genai_gitops import cache_keys
from genai_gitops.argocd.preview import PreviewApp, PreviewError
from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.manifests import Resource
from genai_gitops.manifests.cached import Folder
from genai_gitops.manifests.reader import no_collection
from genai_gitops.manifests.scope import scope_of
from genai_gitops.model.apps import ARGOCD_NAMESPACE
from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.delivery.app_cache import (
    APPS_NAMESPACE,
    MAX_DELTA_RECORDS,
    MAX_OBJECT_CONTEXTS,
    entry_from,
    findings_from,
    restored,
    store,
)
from genai_gitops.validators.delivery.app_rules import app_findings, object_findings
from genai_gitops.validators.delivery.applications import AppView, destination_of, mapping
from genai_gitops.validators.delivery.clusters import ClusterDirectory
from genai_gitops.validators.delivery.facts import AppFacts, Child
from genai_gitops.validators.delivery.findings import ARGOCD_GROUP, NAME, Located, file_finding
from genai_gitops.validators.delivery.folders import folder_findings
from genai_gitops.validators.delivery.invariants import all_project_findings
from genai_gitops.validators.delivery.preview_cache import cached_preview
from genai_gitops.validators.delivery.projects import Project, load_projects, project_folders
from genai_gitops.validators.delivery.reading import (
    SharedFolders,
    Source,
    in_file_order,
    load_folder,
    parse_by_folder,
    parse_cached,
    subfolders,
)
from genai_gitops.validators.delivery.repository import Repository
from genai_gitops.validators.delivery.scopes import KindScopes
from genai_gitops.validators.delivery.waves import sync_wave_findings


@dataclass
class _Inputs:
    """What the checks read from the repository: the preview and every Application's folders."""

    apps: list[PreviewApp]
    views: list[AppView]
    sources: dict[str, list[Source]]
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

    def __init__(self, root: Path, inventory: ClusterInventory, *, cache: ResultCache = NO_CACHE,
                 folders: Mapping[str, Folder] | None = None) -> None:
        """`folders`: the Folders `check` read under dist/, by path, reused where they hold exactly what
        Argo CD reads (reading.SharedFolders); without them every folder is read here."""
        self.root = root
        self.inventory = inventory
        self.clusters = ClusterDirectory(inventory)
        self.known = {c.name for c in inventory.clusters}
        self.repo = Repository(root, inventory.gitops.repo_url, self.known)
        self.shared = SharedFolders(folders) if folders is not None else None
        if self.shared is not None:
            self.repo.clean = self.shared.clean
        self.scopes = KindScopes()
        self.cache = cache
        self._inputs: _Inputs | list[Located] | None = None
        self._objects: dict[str, list[Resource]] = {}
        self._project_keys: dict[str, str] = {}
        #: the records of this run's Applications by `delivery_facts` key: {"facts", "objects": findings by
        #: context}; stored in the cache as one entry (one load and one write per run, not per Application)
        self._records: dict[str, dict[str, Any]] = {}
        #: records new or changed in this run, the ones restored from the delta entry, how many of the
        #: index entry's records this run used and how many it held (None: there was none)
        self._dirty: set[str] = set()
        self._from_delta: set[str] = set()
        self._index_used = 0
        self._index_size: int | None = None
        self._delta_held = False

    def run(self) -> list[Located]:
        # the collector paused (manifests.reader.no_collection): restoring every Application's record builds
        # many containers and no cycles; measured at 1,000 tenants, 243 collections took 0.03 s of the
        # check's 0.43 s CPU to find nothing. The first collection afterwards walks them once
        with no_collection():
            return self._run()

    def _run(self) -> list[Located]:
        inputs = self._read()
        if isinstance(inputs, list):
            return list(inputs)
        projects, duplicates = load_projects(self.root, cache=self.cache, folders=inputs.project_folders)
        out = [Located(None, Finding.about(r, validator=NAME, rule="project-defined-twice",
                                           message=f"AppProject {r.name} is defined twice with different specs "
                                                   f"(also in {projects[r.name].file})")) for r in duplicates]
        out += [Located(self.repo.file_owner(f.file), f)
                for f in all_project_findings((p.name, p.spec, p.file) for p in projects.values())]
        out += folder_findings(inputs.apps, inputs.listing, self.repo)
        facts = self._facts(inputs)
        self.scopes.learn(facts.values())
        children: list[tuple[AppView, AppView]] = []
        for view in inputs.views:
            out += app_findings(view, projects, self.repo, self.clusters)
            for item in facts[view.name].children:
                child = self._child_view(item, view)
                children.append((view, child))
                out += app_findings(child, projects, self.repo, self.clusters)
            project = projects.get(view.project)
            if project is not None:
                out += [Located(view.owner, f) for f in self._object_findings(view, inputs, project)]
        out += sync_wave_findings(inputs.views, facts, children, self.clusters, self.scopes)
        self._store_records()
        return out

    def _store_records(self) -> None:
        """This run's records for the next: a few new or changed ones in the small delta entry (the index
        entry untouched), else all of them in the index entry (and the delta emptied). Records are keyed by
        content, so one left over from an earlier run in either entry is still right for its key."""
        if not self.cache.enabled or not self._dirty:
            return
        root = str(self.root)
        pending = self._dirty | self._from_delta
        unused = (self._index_size or 0) - self._index_used
        if self._index_size is None or len(pending) > MAX_DELTA_RECORDS or unused > self._index_size // 8:
            store(self.cache, APPS_NAMESPACE, cache_keys.delivery_index(root=root), self._records)
            if self._delta_held:
                store(self.cache, APPS_NAMESPACE, cache_keys.delivery_delta(root=root), {})
            self._from_delta, self._delta_held = set(), False
        else:
            store(self.cache, APPS_NAMESPACE, cache_keys.delivery_delta(root=root),
                  {key: self._records[key] for key in sorted(pending)})
            self._from_delta, self._delta_held = pending, True
        self._dirty = set()

    # -- reading ------------------------------------------------------------------------------
    def _read(self) -> _Inputs | list[Located]:
        """The preview, every Application's folders (read, not parsed), dist/ and the project folders."""
        if self._inputs is None:
            # paths as strings: str(root / "dist" / c / a) for scandir names, without a Path each
            dist = str(self.root / "dist")
            listing = [(cluster, app, self._holds_files(os.path.join(dist, cluster, app)))
                       for cluster in subfolders(dist) for app in subfolders(os.path.join(dist, cluster))]
            loaded: dict[tuple[str, bool], tuple[Folder, ...]] = {}
            projects = [f for folder in project_folders(self.root) for f in load_folder(folder, True, loaded)]
            argocd = self.root / "argocd"
            try:
                apps = cached_preview(self.root, self.inventory,
                                      load_folder(argocd, True, loaded) if argocd.is_dir() else (), self.cache,
                                      non_empty={f"dist/{c}/{a}": found for c, a, found in listing})
            except PreviewError as exc:
                rule = ("unsupported-template" if exc.template else "unsupported-feature" if exc.unsupported
                        else "preview-failed")
                message = f"cannot preview the ApplicationSets: {exc}"
                self._inputs = [Located(None, file_finding(exc.file or str(self.root / "argocd"), rule, message))]
                return self._inputs
            sources = {app.name: self._sources(app, loaded) for app in apps}
            self._inputs = _Inputs(apps, [self._view(app) for app in apps], sources,
                                   {name: cache_keys.delivery_facts(s.key for s in found)
                                    for name, found in sources.items()},
                                   listing, projects)
        return self._inputs

    def _holds_files(self, app_dir: str) -> bool:
        """Whether anything below `app_dir` is a file (os.walk's files: anything but a folder or a link to
        one); a manifest file `check` read there answers without a walk."""
        if self.shared is not None and self.shared.holds_files(app_dir):
            return True
        return any(files for _r, _d, files in os.walk(app_dir))

    def _sources(self, app: PreviewApp, loaded: dict[tuple[str, bool], tuple[Folder, ...]]) -> list[Source]:
        """The folders Argo CD reads for `app`: manifest files, recursing only when asked."""
        out = []
        for source in app.sources:
            paths = self.repo.repo_paths([source])
            if not paths:
                continue
            folder = self.repo.folder(paths[0])
            recurse = bool(mapping(source.get("directory")).get("recurse"))
            exists = self.repo.is_dir(paths[0])
            folders = load_folder(folder, recurse, loaded, self.repo.listings, self.shared) if exists else ()
            key = cache_keys.delivery_source(path=paths[0], recurse=recurse, exists=exists,
                                             folders=(f"{f.path}:{f.digest}" for f in folders))
            out.append(Source(paths[0], recurse, exists, folders, key))
        return out

    def _app_objects(self, name: str, inputs: _Inputs) -> list[Resource]:
        """The objects of Application `name`, parsed (through the parse cache) on first use."""
        if name not in self._objects:
            self._parse_apps([name], inputs)
        return self._objects[name]

    def _parse_apps(self, names: list[str], inputs: _Inputs) -> None:
        """The objects of Applications `names`, their folders parsed in one batch (through the parse cache)."""
        names = [n for n in names if n not in self._objects]
        folders = list({f.path: f for n in names for s in inputs.sources[n] if s.exists for f in s.folders}.values())
        by_folder = parse_by_folder(folders, self.cache) if folders else {}
        for name in names:
            objects: list[Resource] = []
            for source in inputs.sources[name]:
                if not source.exists:
                    continue
                if by_folder is None:  # an object the cache cannot hold: this source alone, as parse_folders reads
                    objects += in_file_order(parse_cached(source.folders, self.cache).resources)
                else:
                    objects += in_file_order(r for f in source.folders for r in by_folder[f.path])
            self._objects[name] = objects

    def _facts(self, inputs: _Inputs) -> dict[str, AppFacts]:
        """Every Application's AppFacts, from its record in the cache (which also holds its object findings,
        by what they depend on; one load for all) or from its objects (parsed in one batch)."""
        if inputs.facts is None:
            kept = self.cache.get(APPS_NAMESPACE, cache_keys.delivery_index(root=str(self.root)))
            self._index_size = len(kept) if isinstance(kept, dict) else None
            if not isinstance(kept, dict):
                kept = {}
            delta = self.cache.get(APPS_NAMESPACE, cache_keys.delivery_delta(root=str(self.root)))
            if not isinstance(delta, dict):
                delta = {}
            self._delta_held = bool(delta)
            inputs.facts = {}
            missing: list[PreviewApp] = []
            for app in inputs.apps:
                key = inputs.keys[app.name]
                if key in self._records:  # another Application reading the same folders
                    inputs.facts[app.name] = AppFacts.from_json(self._records[key]["facts"])
                    continue
                found = delta if key in delta else kept
                entry = restored(entry_from, found[key]) if key in found else None
                if entry is None:
                    missing.append(app)
                    continue
                facts, objects = entry
                inputs.facts[app.name] = facts
                self._records[key] = {"facts": found[key]["facts"], "objects": objects}
                if found is delta:
                    self._from_delta.add(key)
                else:
                    self._index_used += 1
            self._parse_apps([app.name for app in missing], inputs)
            for app in missing:
                key = inputs.keys[app.name]
                if key not in self._records:
                    facts = AppFacts.of(self._objects[app.name])
                    self._records[key] = {"facts": facts.to_json(), "objects": {}}
                    self._dirty.add(key)
                    inputs.facts[app.name] = facts
                else:
                    inputs.facts[app.name] = AppFacts.from_json(self._records[key]["facts"])
        return inputs.facts

    # -- views --------------------------------------------------------------------------------
    def _view(self, app: PreviewApp) -> AppView:
        anchor = Finding(file=app.file, line=None, api_version=f"{ARGOCD_GROUP}/v1alpha1", kind="Application",
                         namespace=ARGOCD_NAMESPACE, name=app.name, validator=NAME, rule="", severity=Severity.ERROR,
                         message="")
        return AppView(app.name, app.project, app.spec, app.sync_wave, anchor, self._owner(app))

    def _child_view(self, child: Child, parent: AppView) -> AppView:
        return AppView(child.name, child.project, child.spec, child.wave, child.anchor, parent.owner)

    def _owner(self, app: PreviewApp) -> str | None:
        parts = app.path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "dist" and parts[1] in self.known:
            return parts[1]
        dest = self.clusters.resolve(app.destination)
        return dest.cluster.name if dest is not None and dest.cluster is not None else None

    # -- the objects of one Application -------------------------------------------------------
    def _object_findings(self, view: AppView, inputs: _Inputs, project: Project) -> list[Finding]:
        """object_findings, cached by what they depend on: the app's objects, its name and destination,
        its AppProject, and the scopes of the custom kinds it uses that a CRD defines."""
        facts = self._facts(inputs)[view.name]
        destination = destination_of(view.spec)
        dest = self.clusters.resolve(destination)
        scopes = sorted({(u.group, u.kind, self.scopes.crd_scopes[(u.group, u.kind)]) for u in facts.uses
                         if (u.group, u.kind) in self.scopes.crd_scopes and scope_of(u.group, u.kind) is None})
        if project.name not in self._project_keys:
            self._project_keys[project.name] = cache_keys.delivery_project(project.name, project.spec)
        key = cache_keys.delivery_objects(application=view.name, destination=destination,
                                          resolved="" if dest is None else f"{dest.name}\0{dest.server}\0{dest.label}",
                                          project=self._project_keys[project.name], scopes=scopes)
        stored = self._records[inputs.keys[view.name]]["objects"]
        found = restored(findings_from, stored[key]) if key in stored else None
        if found is None:
            found = object_findings(view, self._app_objects(view.name, inputs), project, self.repo, self.clusters,
                                    self.scopes)
            if not self.cache.enabled:
                return found
            # a few contexts per record: Applications reading the same folder share it
            kept = list(stored.items())[-(MAX_OBJECT_CONTEXTS - 1):]
            stored.clear()
            stored.update(kept)
            stored[key] = [f.to_dict() for f in found]
            self._dirty.add(inputs.keys[view.name])
        return found

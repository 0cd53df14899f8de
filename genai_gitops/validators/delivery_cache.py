"""What the delivery check caches, so that an unchanged repository is never parsed again.

`AppFacts`: what the repository-wide rules need from an Application's objects beyond the per-object
checks, small enough to cache per folder content. CRD scopes and sync-wave ordering look at every
Application at once, but only at a few facts of each: the CRDs, Namespaces and ConstraintTemplates
it ships, the Applications it ships (add-ons), and which (group, kind, namespace) shapes its objects
have (with the first object of each shape, where a finding would point).

`cached_preview`: the Argo CD preview, keyed by argocd/ and the inventory, and kept only while every
answer the generators got from the working tree (folder walks, empty-folder tests, file listings and
the listed files' contents, all of which they memoise in their context's cache) is still the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from genai_gitops import cache_keys
from genai_gitops.argocd.generators import new_context
from genai_gitops.argocd.generators.git import _has_file, _ls_files, _walk_dirs
from genai_gitops.argocd.preview import (
    PreviewApp,
    PreviewError,
    load_application_sets,
    preview,
    preview_application_set,
)
from genai_gitops.cache import ResultCache, digest
from genai_gitops.manifests import Resource
from genai_gitops.manifests.cached import Folder
from genai_gitops.model.cluster import ClusterInventory
from genai_gitops.report.finding import Finding, Severity

NAME = "delivery"
PREVIEW_NAMESPACE = cache_keys.DELIVERY_PREVIEW
#: Argo CD's own CRDs: installed with Argo CD, where its Applications and AppProjects live
ARGOCD_GROUP = "argoproj.io"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"


# ---------------------------------------------------------------------------------------------
# Per Application
# ---------------------------------------------------------------------------------------------

def anchor(res: Resource) -> Finding:
    """Where a finding about `res` points (rule and message to be filled in)."""
    return Finding.about(res, validator=NAME, rule="", message="")


def describe(anchor: Finding) -> str:
    """`Resource.describe()` of the object an anchor points to."""
    return f"{anchor.kind} {anchor.namespace}/{anchor.name}" if anchor.namespace else f"{anchor.kind} {anchor.name}"


def _anchor_json(found: Finding) -> list[Any]:
    return [found.file, found.line, found.api_version, found.kind, found.namespace, found.name]


def _anchor_from(data: Sequence[Any]) -> Finding:
    file, line, api_version, kind, namespace, name = data
    return Finding(file=file, line=line, api_version=api_version, kind=kind, namespace=namespace, name=name,
                   validator=NAME, rule="", severity=Severity.ERROR, message="")


@dataclass(frozen=True)
class Use:
    """Objects of one (group, kind, namespace) shape: how many, and the first of them."""

    group: str
    kind: str
    namespace: str
    count: int
    first: Finding


@dataclass(frozen=True)
class Child:
    """An Application shipped as an object (an add-on), as the checks see it."""

    name: str
    project: str
    spec: Mapping[str, Any]
    wave: int
    anchor: Finding


@dataclass(frozen=True)
class AppFacts:
    #: (group, kind, namespaced) of each CustomResourceDefinition, in object order
    crds: tuple[tuple[str, str, bool], ...]
    #: ("namespace", name) / ("group", group) this app delivers to its destination
    provides: tuple[tuple[str, str], ...]
    children: tuple[Child, ...]
    #: the objects with a kind, by shape, in the order each shape first occurs
    uses: tuple[Use, ...]

    @classmethod
    def of(cls, objects: Sequence[Resource]) -> AppFacts:
        crds: list[tuple[str, str, bool]] = []
        provides: dict[tuple[str, str], None] = {}
        children: list[Child] = []
        uses: dict[tuple[str, str, str], list[Any]] = {}
        for res in objects:
            kind, group = res.kind, res.group
            if kind == "CustomResourceDefinition":
                spec = _mapping(res.obj.get("spec"))
                names = _mapping(spec.get("names"))
                if spec.get("group") and names.get("kind"):
                    crds.append((str(spec["group"]), str(names["kind"]), spec.get("scope") != "Cluster"))
            if kind == "Namespace" and not group:
                provides[("namespace", res.name)] = None
            elif kind == "CustomResourceDefinition":
                provides[("group", str(_mapping(res.obj.get("spec")).get("group", "")))] = None
            elif kind == "ConstraintTemplate":
                provides[("group", "constraints.gatekeeper.sh")] = None
            if kind == "Application" and group == ARGOCD_GROUP:
                children.append(_child(res))
            if kind:
                shape = (group, kind, res.namespace)
                if shape in uses:
                    uses[shape][0] += 1
                else:
                    uses[shape] = [1, anchor(res)]
        return cls(tuple(crds), tuple(provides), tuple(children),
                   tuple(Use(g, k, ns, count, first) for (g, k, ns), (count, first) in uses.items()))

    def to_json(self) -> dict[str, Any]:
        return {"crds": [list(c) for c in self.crds], "provides": [list(p) for p in self.provides],
                "children": [[c.name, c.project, c.spec, c.wave, _anchor_json(c.anchor)] for c in self.children],
                "uses": [[u.group, u.kind, u.namespace, u.count, _anchor_json(u.first)] for u in self.uses]}

    @classmethod
    def from_json(cls, data: Any) -> AppFacts:
        """The facts `to_json` wrote; ValueError (or KeyError/TypeError) when `data` has another shape.
        (The cache already rejects entries of another tool version or with a wrong checksum.)"""
        crds = tuple((g, k, ns) for g, k, ns in data["crds"])
        provides = tuple((what, value) for what, value in data["provides"])
        children = tuple(Child(name, project, _dict(spec), wave, _anchor_from(at))
                         for name, project, spec, wave, at in data["children"])
        uses = tuple(Use(g, k, ns, count, _anchor_from(first)) for g, k, ns, count, first in data["uses"])
        return cls(crds, provides, children, uses)


def _child(res: Resource) -> Child:
    spec = _mapping(res.obj.get("spec"))
    try:
        wave = int(res.annotations.get(SYNC_WAVE, "0"))
    except ValueError:
        wave = 0
    return Child(res.name, str(spec.get("project") or "default"), spec, wave, anchor(res))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, not {type(value).__name__}")
    return value


# ---------------------------------------------------------------------------------------------
# The preview
# ---------------------------------------------------------------------------------------------

def cached_preview(root: Path, inventory: ClusterInventory, argocd: Sequence[Folder], cache: ResultCache, *,
                   non_empty: Mapping[str, bool] | None = None) -> list[PreviewApp]:
    """`preview(root, inventory)`, from `cache` when nothing it read changed. `argocd`: the manifest
    folders of root/argocd/ (load_folders); `non_empty`: folders (repository paths) known to hold
    files or not, to spare testing them again."""
    if not cache.enabled:
        return preview(root, inventory)
    key = cache_keys.preview(root=str(root), inventory=inventory.model_dump_json(),
                             argocd_folders=(f.key for f in argocd))
    entry = cache.get(PREVIEW_NAMESPACE, key)
    if entry is not None:
        try:
            if _tree_unchanged(root, inventory, entry["tree"], non_empty or {}):
                return [PreviewApp(**item) for item in entry["apps"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an entry of another shape: preview again
    try:
        apps, tree = _recorded_preview(root, inventory)
    except PreviewError:
        return preview(root, inventory)  # preview's own error, word for word
    record = _tree_record(root, tree)
    if record is not None:
        with contextlib.suppress(TypeError, ValueError):  # something JSON cannot hold: previewed again next time
            cache.put(PREVIEW_NAMESPACE, key, {"apps": [asdict(app) for app in apps], "tree": record})
    return apps


def _recorded_preview(root: Path, inventory: ClusterInventory) -> tuple[list[PreviewApp], dict[str, Any]]:
    """What `preview` does, with the generators' cache of the working tree kept: its record."""
    apps: list[PreviewApp] = []
    owner: dict[str, str] = {}
    tree: dict[str, Any] = {}
    for appset in load_application_sets(root):
        for app in preview_application_set(appset, root, inventory, cache=tree):
            if app.name in owner:
                raise PreviewError(f"ApplicationSet {appset.name} generates Application {app.name} twice over")
            owner[app.name] = appset.name
            apps.append(app)
    return sorted(apps, key=lambda a: a.name), tree


def _tree_record(root: Path, tree: Mapping[str, Any]) -> dict[str, Any] | None:
    """The generators' answers from the working tree, as JSON; None when they memoised something
    this does not know how to check again (then the preview is not cached)."""
    dirs: list[Any] = []
    files: list[Any] = []
    non_empty: list[Any] = []
    for key, value in tree.items():
        if key.startswith("git-dirs:"):
            start, _, depth = key.removeprefix("git-dirs:").rpartition(":")
            dirs.append([start, None if depth == "None" else int(depth), sorted(value)])
        elif key == "git-non-empty":
            non_empty = sorted([path, bool(found)] for path, found in value.items())
        elif key.startswith("git-files:"):
            files.append([key.removeprefix("git-files:"), list(value), _contents(root, value)])
        elif key != "cluster-secrets":  # that one comes from the inventory, part of the key
            return None
    return {"dirs": dirs, "non_empty": non_empty, "files": files}


def _tree_unchanged(root: Path, inventory: ClusterInventory, record: Mapping[str, Any],
                    known: Mapping[str, bool]) -> bool:
    for start, depth, listed in record["dirs"]:
        if sorted(_walk_dirs(root, start, depth)) != listed:
            return False
    for path, found in record["non_empty"]:
        if (known[path] if path in known else _has_file(str(root / path))) != found:
            return False
    context = new_context(root, inventory)
    for pattern, listed, contents in record["files"]:
        if _ls_files(context, pattern) != listed or _contents(root, listed) != contents:
            return False
    return True


def _contents(root: Path, files: Sequence[str]) -> str:
    parts = []
    for file in files:
        try:
            parts.append((root / file).read_bytes())
        except OSError as exc:
            parts.append(f"unreadable: {exc}".encode())
    return digest(*files, *parts)

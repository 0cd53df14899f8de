"""Reading what Argo CD reads: an Application's source folders (read once per check, parsed
through the run's parse cache) and the dist/ listing."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from genai_gitops.argocd.directory import Listing, list_folder
from genai_gitops.cache import ResultCache
from genai_gitops.manifests import ManifestSet, Resource
from genai_gitops.manifests.cached import Folder, load_folders, parse_folders

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Source:
    """A folder of this repository an Application reads, and what was read from it."""

    path: str
    recurse: bool
    exists: bool
    #: the manifest folder itself, or (recurse) every manifest folder below it
    folders: tuple[Folder, ...]
    #: digest of the above, with every read folder's path and content (Folder.digest)
    key: str


#: processes for a large batch of folders to parse (parse_folders spreads them only from PARALLEL_FOLDERS on)
PARSE_WORKERS = 2


def parse_cached(folders: Sequence[Folder], cache: ResultCache, *, workers: int = 1) -> ManifestSet:
    """parse_folders through `cache`; without it when an object cannot be cached (JSON has no YAML timestamp)."""
    try:
        return parse_folders(folders, cache=cache, workers=workers)
    except (TypeError, ValueError):
        if not cache.enabled:
            raise
        return parse_folders(folders, workers=workers)


def parse_by_folder(folders: Sequence[Folder], cache: ResultCache) -> dict[str, list[Resource]] | None:
    """The objects of many folders parsed in one batch (both cores for a large one), by folder path, each
    in read order; None when the batch cannot go through the cache (the caller parses folder by folder)."""
    try:
        parsed = parse_folders(folders, cache=cache, workers=PARSE_WORKERS)
    except (TypeError, ValueError):
        return None
    out: dict[str, list[Resource]] = {folder.path: [] for folder in folders}
    for res in parsed.resources:
        # a Folder's files are `<folder.path>/<name>` (scandir paths), so this is the folder they came from
        found = out.get(os.path.dirname(res.file))
        if found is None:
            return None
        found.append(res)
    return out


def in_file_order(resources: Iterable[Resource]) -> list[Resource]:
    """`read_paths`'s order (files sorted by path, documents in file order) of folder-by-folder results."""
    return sorted(resources, key=lambda r: r.file)


def load_folder(folder: Path, recurse: bool, loaded: dict[tuple[str, bool], tuple[Folder, ...]],
                listings: dict[str, Listing] | None = None,
                shared: SharedFolders | None = None) -> tuple[Folder, ...]:
    """The manifest folders Argo CD reads from `folder` (read once per check): with `recurse` every
    folder below it, else its own manifest files only (the same Folder `check` reads, in the usual
    case of no hidden files, so the parse cache is shared). `listings`: where to keep the folder's
    entries (list_folder) when it is listed here, for the rules that look at them again. `shared`:
    the Folders `check` read, reused for an own-files read when exactly equal (SharedFolders.own_files)."""
    key = (str(folder), recurse)
    if key not in loaded:
        if recurse:
            loaded[key] = tuple(load_folders([folder]))
        else:
            reused = shared.own_files(key[0]) if shared is not None else None
            loaded[key] = reused if reused is not None else _own_files(key[0], listings)
    return loaded[key]


class SharedFolders:
    """The Folders `check` read and hashed (manifests.cached.load_folders), by path: an Application's
    own manifest files are taken from there instead of being read a second time, but only when the
    check's Folder holds exactly the files Argo CD reads from that folder.

    `load_folders` puts every regular file with a manifest suffix in `files` (hidden names included)
    and every other non-folder entry (links, other files, FIFOs) in `others`; `_own_files` reads the
    non-hidden names with a manifest suffix that are files (links followed). So a Folder with no
    `others` and no hidden name holds exactly `_own_files`'s set, read from the same paths; any other
    Folder, or a folder the check did not read (outside its shard, an empty one, a path spelled
    differently), is read again as before. `clean` keeps the folders reused: they hold nothing but
    those files and subfolders, which the Argo CD read rules (app_rules) use instead of listing them."""

    def __init__(self, folders: Mapping[str, Folder]) -> None:
        self._folders = folders
        #: folder path -> names of its files, for every folder whose own files were reused
        self.clean: dict[str, frozenset[str]] = {}

    def own_files(self, directory: str) -> tuple[Folder, ...] | None:
        found = self._folders.get(directory)
        if found is None or found.path != directory or found.others or not found.paths:
            return None
        # load_folders names a file `<folder>/<name>`: checked, not assumed (loops in C: asked per folder)
        prefix = directory + "/"
        paths = found.paths
        names = [path[len(prefix):] for path in paths]
        exact = (all(map(str.startswith, paths, repeat(prefix))) and "/" not in "\0".join(names)
                 and not any(map(str.startswith, names, repeat(".")))
                 and all(map(str.endswith, names, repeat(_MANIFEST_SUFFIXES))))
        # the check kept only the start of a file too large
        if not exact or found.truncated():
            return None
        self.clean[directory] = frozenset(names)
        return (found,)

    def holds_files(self, directory: str) -> bool:
        """Whether the check read a manifest file directly in `directory` (False: it does not know)."""
        found = self._folders.get(directory)
        return found is not None and bool(found.paths)


def _own_files(directory: str, listings: dict[str, Listing] | None) -> tuple[Folder, ...]:
    """load_folders of the manifest files directly in `directory`, without hidden ones (Path.suffix
    of a name not starting with a dot is one of the suffixes exactly when the name ends with it)."""
    entries = list_folder(directory)
    if listings is not None:
        listings[directory] = entries
    files = [e.path for e in entries
             if not e.name.startswith(".") and e.name.endswith(_MANIFEST_SUFFIXES) and e.is_file()]
    if not files:
        return ()
    bodies = []
    for file in files:
        with open(file, "rb") as handle:
            bodies.append((file, handle.read()))
    return (Folder(directory, bodies),)


def subfolders(folder: str) -> list[str]:
    """The names of the non-hidden folders in `folder`, sorted (none when it does not exist). scandir's
    is_dir follows links as Path.is_dir does, without a stat for a plain entry."""
    if not os.path.isdir(folder):
        return []
    with os.scandir(folder) as entries:
        return sorted(e.name for e in entries if e.is_dir() and not e.name.startswith("."))


"""The repository the delivery check reads: which of an Application's sources are folders of it,
and which inventory cluster a file of it belongs to. Each question is asked once per check."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from genai_gitops.argocd.directory import Listing
from genai_gitops.argocd.generators.git import same_repository


class Repository:
    def __init__(self, root: Path, repo_url: str, known: set[str]) -> None:
        self.root = root
        self.repo_url = repo_url
        #: the inventory's cluster names
        self.known = known
        self._dirs: dict[str, bool] = {}
        #: the entries of the folders read for Applications (argocd.directory.list_folder), by path: listed once
        self.listings: dict[str, Listing] = {}
        #: the folders known to hold nothing but these regular, non-hidden manifest files and folders, by path
        #: (reading.SharedFolders.clean): the read rules need not list them
        self.clean: dict[str, frozenset[str]] = {}
        self._same_repo: dict[str, bool] = {}
        self._folders: dict[str, tuple[Path, str]] = {}
        #: repo_paths of one source, by the source's id (the source kept too, so that its id stays its own):
        #: every rule asks it of every Application's sources again
        self._source_paths: dict[int, tuple[Mapping[str, Any], str | None]] = {}

    def repo_paths(self, sources: Iterable[Mapping[str, Any]]) -> list[str]:
        """The paths in this repository that `sources` read, normalised ('/'-separated, no outer '/')."""
        paths = []
        for source in sources:
            known = self._source_paths.get(id(source))
            if known is None or known[0] is not source:
                path = str(source.get("path") or "")
                found = (os.path.normpath(path).replace(os.sep, "/").strip("/")
                         if path and self.in_repository(str(source.get("repoURL", ""))) else None)
                known = self._source_paths[id(source)] = (source, found)
            if known[1] is not None:
                paths.append(known[1])
        return paths

    def in_repository(self, url: str) -> bool:
        if url not in self._same_repo:
            self._same_repo[url] = same_repository(url, self.repo_url)
        return self._same_repo[url]

    def file_owner(self, file: str) -> str | None:
        """The inventory cluster of a file under dist/<cluster>/, else None (the repository as a whole)."""
        try:
            parts = Path(file).resolve().relative_to(self.root.resolve()).parts
        except ValueError:
            return None
        return parts[1] if len(parts) > 2 and parts[0] == "dist" and parts[1] in self.known else None

    def is_dir(self, path: str) -> bool:
        """Whether repository path `path` is a folder (asked once per check)."""
        if path not in self._dirs:
            self._dirs[path] = self.folder(path).is_dir()
        return self._dirs[path]

    def folder(self, path: str) -> Path:
        """`root / path` (made once per check: several rules ask for every Application's folder)."""
        return self._folder(path)[0]

    def folder_name(self, path: str) -> str:
        """str(`root / path`), the key of `listings` and `clean`."""
        return self._folder(path)[1]

    def _folder(self, path: str) -> tuple[Path, str]:
        found = self._folders.get(path)
        if found is None:
            folder = self.root / path
            found = self._folders[path] = (folder, str(folder))
        return found

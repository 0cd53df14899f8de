"""Read a tree folder by folder, reusing the parse of any folder whose files did not change.

A folder's key digests its files' names and contents, so an unchanged app folder costs one read
and hash per file instead of a YAML parse. Folders that must be parsed are spread over both
cores. The result is identical to `read_paths` on the same tree.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import cast

from genai_gitops import cache_keys, pools, safeyaml
from genai_gitops.cache import NO_CACHE, ResultCache, digest
from genai_gitops.manifests.known_files import RACY_NS, KnownFiles, now_ns
from genai_gitops.manifests.reader import (
    FREEZE_FILES,
    MANIFEST_SUFFIXES,
    ManifestSet,
    input_finding,
    no_collection,
    read_text,
)
from genai_gitops.manifests.resource import DeferredResources, Resource
from genai_gitops.report.finding import Finding

#: below this many folders to parse, a second process costs more than it saves
PARALLEL_FOLDERS = 200


class Folder:
    """One folder of a tree: its manifest files, which the check parses, and every other entry.

    `others`: every other entry, never parsed but part of the folder's key and digest: (path, marker), where
    the marker is the content digest, `link:<target>` for a symbolic link, `dir-link:<target>` for a link to a
    folder or `special` (a file the check never reads must still change the digest, or a warm cache would
    hide a `main.jsonnet` added beside the manifests). A file whose digest is remembered (known_files) is read
    only when its bytes are asked for."""

    def __init__(self, path: str, files: Sequence[tuple[str, bytes]] = (),
                 others: list[tuple[str, str]] | None = None) -> None:
        self.path = path
        #: the manifest files' paths, in parse order
        self.paths: list[str] = [name for name, _ in files]
        self._bodies: list[bytes | None] = [body for _, body in files]
        self._known: list[str | None] = [None] * len(self.paths)
        self.others: list[tuple[str, str]] = others if others is not None else []

    def _add(self, path: str, body: bytes | None, hashed: str | None) -> None:
        self.paths.append(path)
        self._bodies.append(body)
        self._known.append(hashed)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """(path, content) of each manifest file. A file known only by its digest is read now and must
        still hold what the digest says: one changed while the check ran is an error, not a silent mix."""
        for index, body in enumerate(self._bodies):
            if body is None:
                body = safeyaml.read_bytes(self.paths[index])
                if cache_keys.content_digest(body) != self._known[index]:
                    raise OSError(errno.ESTALE, "changed while the check was reading it; run the check again",
                                  self.paths[index])
                self._bodies[index] = body
        return list(zip(self.paths, cast("list[bytes]", self._bodies), strict=True))

    def truncated(self) -> bool:
        """Whether a file read is over the size limit (read_bytes keeps only its start). A file known by its
        digest is not: only files within the limit are remembered."""
        return any(body is not None and len(body) > safeyaml.MAX_BYTES for body in self._bodies)

    @cached_property
    def hashes(self) -> list[str]:
        """Each manifest file's `cache_keys.content_digest`, in `paths` order: hashed once for both the
        key and the digest."""
        return [known if known is not None else cache_keys.content_digest(cast(bytes, body))
                for known, body in zip(self._known, self._bodies, strict=True)]

    @cached_property
    def key(self) -> str:
        return cache_keys.folder_hashed(path=self.path, files=zip(self.paths, self.hashes, strict=True),
                                        others=self.others)

    @cached_property
    def digest(self) -> str:
        """Content digest of the folder, independent of where it lives (drift compares with it)."""
        names = [os.path.basename(name) for name in self.paths]
        # in (name, content) order, as folder_digest sorts (the content decides only between equal names)
        order = sorted(range(len(names)), key=lambda i: (names[i], self.hashes[i]))
        return _hashed_digest([(names[i], self.hashes[i]) for i in order],
                              [(os.path.basename(name), marker) for name, marker in self.others])


def folder_digest(files: Iterable[tuple[str, bytes]], others: Iterable[tuple[str, str]] = ()) -> str:
    """Digest of a folder's (file name, content) pairs, in file-name order: what the synth wrote or
    what is committed, compared without reading either twice. `others`: (name, marker) of entries
    that are not parsed manifests (see Folder.others); the synth writes none."""
    return _hashed_digest([(name, cache_keys.content_digest(body)) for name, body in sorted(files)], others)


def _hashed_digest(files: list[tuple[str, str]], others: Iterable[tuple[str, str]]) -> str:
    """`folder_digest` from (file name, content digest) pairs already in (name, content) order."""
    return digest(*(f"{name}:{hashed}" for name, hashed in files),
                  *(f"other:{name}:{marker}" for name, marker in sorted(others)))


def _marker(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return f"{'dir-link' if os.path.isdir(entry.path) else 'link'}:{os.readlink(entry.path)}"
    if not entry.is_file(follow_symlinks=False):
        return "special"  # a FIFO or device: reading it could block
    with open(entry.path, "rb") as handle:
        return hashlib.blake2b(handle.read(), digest_size=20).hexdigest()


def load_folders(paths: Sequence[str | os.PathLike[str]], *, cache: ResultCache | None = None) -> list[Folder]:
    """Every folder below `paths` that holds anything, hidden folders included: the manifest files
    read_paths reads (regular files, outside hidden folders) to parse, every other entry (links,
    other files, anything in a hidden folder) as a marker. One scandir per folder and, without a cache, no
    stat per file.

    With a `cache` (trusted: cache_trust), the content digests of the files below each path are remembered
    by their stat signature (known_files): a file as it was is not read, until its bytes are asked for."""
    folders: dict[str, Folder] = {}

    def folder(name: str) -> Folder:
        return folders.setdefault(name, Folder(name))

    for raw in paths:
        top = str(Path(raw))
        if not os.path.isdir(top):
            if os.path.exists(top):  # a file named on its own is read whatever its suffix, as read_paths does
                folder(os.path.dirname(top))._add(top, safeyaml.read_bytes(top), None)
            continue
        known = KnownFiles(cache, top) if cache is not None and cache.persistent else None
        # before any file is read: what is remembered must be older than this (known_files.settled)
        began = now_ns()
        stack = [(top, False)]
        while stack:
            current, hidden = stack.pop()
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
            below = []
            files: list[tuple[str, bytes | None, str | None]] = []
            others: list[tuple[str, str]] = []
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    below.append((entry.path, hidden or entry.name.startswith(".")))
                elif (not hidden and entry.name.endswith(MANIFEST_SUFFIXES)
                      and entry.is_file(follow_symlinks=False)):
                    files.append(_manifest_file(entry, known, began))
                else:
                    others.append((entry.path, _marker(entry)))
            if files or others:
                found = folder(current)
                for path, body, hashed in files:
                    found._add(path, body, hashed)
                found.others += others
            stack.extend(reversed(below))
        if known is not None:
            known.save()
    return [folders[k] for k in sorted(folders)]


def remember_written(paths: Sequence[str | os.PathLike[str]], cache: ResultCache) -> None:
    """Hash the files below `paths`, just written, into the cache's known-files memory (what a synth leaves for
    the next check). Their change times must be settled first (known_files.RACY_NS), hence the wait. Only a
    speed-up: a file that cannot be read now is left for the check to read (and report)."""
    if not cache.persistent:
        return
    time.sleep(1.5 * RACY_NS / 1e9)
    for path in paths:
        with contextlib.suppress(OSError):
            load_folders([path], cache=cache)


def _manifest_file(entry: os.DirEntry[str], known: KnownFiles | None,
                   began: int) -> tuple[str, bytes | None, str | None]:
    """(path, bytes or None when its digest is remembered, digest when known)."""
    if known is None:
        # a file over the size limit is refused on its first MiB
        return entry.path, safeyaml.read_bytes(entry.path), None
    status = entry.stat(follow_symlinks=False)
    hashed = known.digest(entry.path, status)
    if hashed is not None:
        return entry.path, None, hashed
    body = safeyaml.read_bytes(entry.path)
    hashed = cache_keys.content_digest(body)
    if len(body) <= safeyaml.MAX_BYTES:  # a file refused for its size is read (and refused) every time
        known.remember(entry.path, status, hashed, began)
    return entry.path, body, hashed


def _parse(folder: Folder) -> dict:
    parsed = ManifestSet()
    for file, body in folder.files:
        try:
            text = safeyaml.decode(body)
        except safeyaml.InputError as exc:
            parsed.files.append(file)
            parsed.findings.append(input_finding(file, exc))
            continue
        # universal newlines, as read_paths gives (CRLF files split the same way)
        parsed.extend(read_text(text.replace("\r\n", "\n").replace("\r", "\n"), file))
    return {"resources": [[r.file, r.line, r.digest, r.obj] for r in parsed.resources],
            "findings": [f.to_dict() for f in parsed.findings], "files": parsed.files}


def _restore(data: dict) -> ManifestSet:
    return ManifestSet(resources=[Resource(obj=o, file=f, line=line, digest=d) for f, line, d, o in data["resources"]],
                       findings=[Finding.from_dict(f) for f in data["findings"]], files=list(data["files"]))


def parse_folders(folders: Sequence[Folder], *, cache: ResultCache = NO_CACHE, workers: int = 1) -> ManifestSet:
    # the collector paused (and what was parsed frozen, for a large tree) as read_paths does: parsed
    # documents hold no cycles, and walking them again and again found nothing
    with no_collection(freeze=sum(len(folder.paths) for folder in folders) >= FREEZE_FILES):
        return _assembled(folders, _parsed_by_folder(folders, cache, workers))


def parse_together(sets: Iterable[object]) -> None:
    """Parse every folder of these resource sets that is not parsed yet, in one map over all of them.

    A check parses each cluster on first use, each with its own pool; at 1,000 tenants that is ten pools
    in a row, each leaving a core idle while its last folders finish. The sets end up exactly as their
    own first use would leave them. Sets that are not LazyResources, are parsed already, or differ in
    cache or workers are left to parse themselves."""
    lazies = [s for s in sets if isinstance(s, LazyResources) and not s.loaded]
    if len(lazies) < 2 or len({(id(s._cache), s._workers) for s in lazies}) != 1:
        return
    folders = list({folder.path: folder for s in lazies for folder in s._folders}.values())
    with no_collection(freeze=sum(len(folder.paths) for folder in folders) >= FREEZE_FILES):
        parsed = _parsed_by_folder(folders, lazies[0]._cache, lazies[0]._workers)
        for lazy in lazies:
            lazy._adopt(_assembled(lazy._folders, parsed))


def _parsed_by_folder(folders: Sequence[Folder], cache: ResultCache, workers: int) -> dict[str, dict]:
    """Each folder's parse (`_parse`'s form) by path: from the cache, or computed and recorded."""
    parsed: dict[str, dict] = {}
    misses = []
    for folder in folders:
        hit = cache.get(cache_keys.PARSED, folder.key)
        if hit is None:
            misses.append(folder)
        else:
            parsed[folder.path] = hit
    # fork: the folders' bytes, read already, reach the workers without being pickled
    fresh = pools.map_inherited(_parse, misses, workers=workers, min_items=PARALLEL_FOLDERS)
    for folder, data in zip(misses, fresh, strict=True):
        parsed[folder.path] = data
        cache.put(cache_keys.PARSED, folder.key, data)
        cache.put(cache_keys.PARSE_FINDINGS, folder.key, data["findings"])
        cache.put(cache_keys.RESOURCE_COUNT, folder.key, len(data["resources"]))
    return parsed


def _assembled(folders: Sequence[Folder], parsed: dict[str, dict]) -> ManifestSet:
    result = ManifestSet()
    for folder in folders:
        result.extend(_restore(parsed[folder.path]))
    return result


def _summary_fits(value: object, folders: Sequence[Folder]) -> bool:
    """A `folders-summary` entry names exactly these folders (a well-formed entry always does: its key is
    their content, paths included); anything else is treated as a miss."""
    return (isinstance(value, dict) and isinstance(value.get("counts"), dict)
            and isinstance(value.get("findings"), list)
            and sorted(value["counts"]) == sorted(folder.path for folder in folders)
            and all(isinstance(n, int) for n in value["counts"].values()))


class LazyResources(DeferredResources):
    """The resources of a set of folders, parsed on first use: a cluster whose results all come
    from the cache is never parsed at all."""

    def __init__(self, folders: Sequence[Folder], cache: ResultCache, workers: int, digest: str = "") -> None:
        """`digest`: the folders' `cache_keys.target_content`, when known: then what an earlier run
        recorded about all of them (counts, YAML problems) is one cache entry, not one per folder."""
        self._folders, self._cache, self._workers, self._digest = folders, cache, workers, digest
        self._parsed: ManifestSet | None = None
        # what earlier runs recorded, read before this run adds anything (another validator parsing a
        # folder through the cache during this run must not make it count as "from cache")
        whole = cache.get(cache_keys.FOLDERS_SUMMARY, digest) if digest else None
        self._summary_findings: list[dict] | None = None
        if isinstance(whole, dict) and _summary_fits(whole, folders):
            self._counts: dict[str, int] = dict(whole["counts"])
            self._summary_findings = whole["findings"]
        else:
            counts = {folder.path: cache.get(cache_keys.RESOURCE_COUNT, folder.key) for folder in folders}
            self._counts = {path: n for path, n in counts.items() if isinstance(n, int)}

    @property
    def manifests(self) -> ManifestSet:
        if self._parsed is None:
            self._adopt(parse_folders(self._folders, cache=self._cache, workers=self._workers))
        assert self._parsed is not None
        return self._parsed

    def _adopt(self, parsed: ManifestSet) -> None:
        self._parsed = parsed
        if self._digest and self._summary_findings is None:
            self._record_summary(parsed)

    def _record_summary(self, parsed: ManifestSet) -> None:
        """One entry for the next run: each folder's object count (what RESOURCE_COUNT holds per
        folder) and the YAML problems in parse order."""
        counts = {folder.path: 0 for folder in self._folders}
        by_file = {name: folder.path for folder in self._folders for name in folder.paths}
        for resource in parsed.resources:
            if resource.file not in by_file:
                return  # not a resource of these files: record nothing rather than a wrong count
            counts[by_file[resource.file]] += 1
        self._cache.put(cache_keys.FOLDERS_SUMMARY, self._digest,
                        {"counts": counts, "findings": [f.to_dict() for f in parsed.findings]})

    @property
    def loaded(self) -> bool:
        return self._parsed is not None

    # what the run's summary counts: every file checked, whether its results were computed or cached
    def file_names(self) -> list[str]:
        return [name for folder in self._folders for name in folder.paths]

    def resource_count(self) -> int:
        """How many objects these folders hold, from the cache when they were not parsed in this run."""
        if self._parsed is None and len(self._counts) == len(self._folders):
            return sum(self._counts.values())
        return len(self.manifests.resources)

    def cached_file_count(self) -> int:
        """Files not read and parsed again in this run: every file when no validator needed them, else
        those of folders an earlier run had parsed (their per-folder results come from the cache too)."""
        if self._parsed is None:
            return sum(len(folder.paths) for folder in self._folders)
        return sum(len(folder.paths) for folder in self._folders if folder.path in self._counts)

    def parse_findings(self) -> list[Finding]:
        """YAML problems of these folders, without parsing them when the cache knows the answer."""
        if self._parsed is None and self._summary_findings is not None:
            return [Finding.from_dict(f) for f in self._summary_findings]
        if self._parsed is None:
            found: list[Finding] = []
            for folder in self._folders:
                cached = self._cache.get(cache_keys.PARSE_FINDINGS, folder.key)
                if cached is None:
                    return list(self.manifests.findings)
                found += [Finding.from_dict(f) for f in cached]
            return found
        return list(self._parsed.findings)

    def __len__(self) -> int:
        return len(self.manifests.resources)

    def __getitem__(self, index):
        return self.manifests.resources[index]

    def __iter__(self):
        return iter(self.manifests.resources)

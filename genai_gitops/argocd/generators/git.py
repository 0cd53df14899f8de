"""The git generator (directories and files), with the working tree in the role of the commit.

Directories: Argo CD lists every folder of the checkout (hidden ones skipped) and keeps those a
non-exclude pattern matches and no `exclude: true` pattern matches - an exclusion wins whatever the
order. Patterns are Go's `path.Match`: `*` and `?` never cross a `/`. Git stores no empty folders,
so a folder without any file below it is not listed (it would not exist in the commit).

Files: the default (not the "new globbing") matching of `git ls-files -- <pattern>`: a pattern is a
git pathspec, whose `*` does cross `/`. Each file (YAML or JSON; an object or a list of objects) is
one parameter set per object, with the object's keys as they are (goTemplate does not flatten them)
plus `path` (the file's folder), its `basename`, `filename`, `segments` and normalized forms.

Only this repository can be read: a generator naming another repoURL is refused, not guessed. The
revision is not checked out: the working tree is what the preview sees.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from genai_gitops import safeyaml
from genai_gitops.argocd.generators.base import (
    GeneratorContext,
    GeneratorError,
    Params,
    UnsupportedGeneratorFeature,
    append_values,
    check_fields,
    json_value,
)
from genai_gitops.argocd.gotemplate import StringList, normalize
from genai_gitops.cache import digest
from genai_gitops.globs import GlobSyntaxError, git_pathspec_match, go_path_match, go_path_regex

_FIELDS = ("repoURL", "revision", "directories", "files", "requeueAfterSeconds", "template", "pathParamPrefix",
           "values")
_META = re.compile(r"[*?\[\\]")
#: what this generator memoises in its context's cache, one preview's reads of the working tree:
#: folder walks by (start, depth), whether each selected folder holds a file, file listings by pattern
MEMO_PREFIX = "git-"
_DIRS, _NON_EMPTY, _FILES = f"{MEMO_PREFIX}dirs:", f"{MEMO_PREFIX}non-empty", f"{MEMO_PREFIX}files:"


def same_repository(a: str, b: str) -> bool:
    """Argo CD's NormalizeGitURL comparison: case, a trailing `.git` and scp-style SSH are not significant."""
    return normalize_repo_url(a) == normalize_repo_url(b)


def normalize_repo_url(url: str) -> str:
    """Argo CD's NormalizeGitURL, closely enough for comparing and globbing repository URLs."""
    url = url.strip().lower()
    scp = re.match(r"^([\w.-]+@)?([\w.-]+):(?!//)(.*)$", url)
    if scp and not url.startswith(("http://", "https://", "ssh://")):
        url = f"ssh://{scp.group(1) or ''}{scp.group(2)}/{scp.group(3)}"
    url = url.removesuffix(".git")
    return url.removeprefix("ssh://")


def _static_prefix(pattern: str) -> tuple[str, bool]:
    """The leading folders of a pattern free of wildcards, and whether the rest may span folders."""
    segments = pattern.split("/")
    literal: list[str] = []
    for segment in segments:
        if _META.search(segment):
            break
        literal.append(segment)
    # a negated or slash-holding character class can match '/' in Go's path.Match
    unbounded = bool(re.search(r"\[\^|\[[^\]]*/", pattern))
    return "/".join(literal), unbounded


def _segments(path: str) -> int:
    return path.count("/") + 1 if path else 0


def _has_file(folder: str) -> bool:
    return any(files for _root, _dirs, files in os.walk(folder))


def _walk_dirs(root: Path, start: str, max_depth: int | None) -> Iterator[str]:
    """Folders below `root/start` (relative to root, '/'-separated), hidden ones skipped."""
    base = root / start if start else root
    if not base.is_dir():
        return
    if start:
        yield start
    stack = [(str(base), start, 0)]
    while stack:
        folder, rel, depth = stack.pop()
        if max_depth is not None and depth >= max_depth:
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                child = f"{rel}/{entry.name}" if rel else entry.name
                yield child
                stack.append((entry.path, child, depth + 1))


class GitGenerator:
    key = "git"

    def generate(self, spec: Mapping[str, Any], context: GeneratorContext, depth: int) -> list[Params]:
        where = f"{context.application_set}: git"
        spec = check_fields(spec, _FIELDS, where, required=("repoURL",))
        repo = str(spec["repoURL"])
        if not same_repository(repo, context.inventory.gitops.repo_url):
            raise UnsupportedGeneratorFeature(
                f"{where}: repoURL {repo} is not this repository ({context.inventory.gitops.repo_url}); "
                "the offline preview reads only this repository's working tree")
        prefix = spec.get("pathParamPrefix") or ""
        if spec.get("directories"):
            items = self._items(spec["directories"], f"{where}.directories")
            found = [self._directory_params(path, prefix) for path in self._directories(context, items)]
        elif spec.get("files"):
            items = self._items(spec["files"], f"{where}.files")
            found = []
            for file in self._files(context, items):
                found.extend(self._file_params(context.repo_root, file, prefix, f"{where}.files"))
        else:
            raise GeneratorError(f"{where}: ApplicationSet is empty (the git generator needs directories or files)")
        for params in found:
            append_values(spec.get("values"), params, context, where)
        return found

    @staticmethod
    def _items(items: Any, where: str) -> list[tuple[str, bool]]:
        if not isinstance(items, list):
            raise GeneratorError(f"{where}: expected a list")
        out = []
        for i, item in enumerate(items):
            item = check_fields(item, ("path", "exclude"), f"{where}[{i}]", required=("path",))
            exclude = item.get("exclude", False)
            if not isinstance(exclude, bool):
                raise GeneratorError(f"{where}[{i}].exclude: expected true or false")
            out.append((str(item["path"]), exclude))
        return out

    # -- directories ------------------------------------------------------------------------
    @staticmethod
    def _directories(context: GeneratorContext, items: Sequence[tuple[str, bool]]) -> list[str]:
        includes = [p for p, exclude in items if not exclude]
        excludes = [p for p, exclude in items if exclude]
        for pattern in (*includes, *excludes):
            try:  # a malformed pattern is reported, not silently skipped as Argo CD does
                go_path_regex(pattern)
            except GlobSyntaxError as exc:
                raise GeneratorError(str(exc)) from None
        candidates: set[str] = set()
        for pattern in includes:
            start, unbounded = _static_prefix(pattern)
            if any(segment.startswith(".") for segment in start.split("/") if segment):
                continue  # Argo CD never lists hidden folders nor anything below them
            depth = None if unbounded else _segments(pattern) - _segments(start)
            key = f"{_DIRS}{start}:{depth}"
            if key not in context.cache:
                context.cache[key] = list(_walk_dirs(context.repo_root, start, depth))
            candidates.update(context.cache[key])
        selected = [path for path in candidates
                    if any(go_path_match(p, path) for p in includes)
                    and not any(go_path_match(p, path) for p in excludes)]
        non_empty = context.cache.setdefault(_NON_EMPTY, {})
        for path in selected:
            if path not in non_empty:
                non_empty[path] = _has_file(str(context.repo_root / path))
        return sorted(path for path in selected if non_empty[path])

    @staticmethod
    def _directory_params(path: str, prefix: str) -> Params:
        info = {"path": path, "basename": posixpath.basename(path),
                "basenameNormalized": normalize(posixpath.basename(path)),
                "segments": StringList(path.split("/"))}
        return {prefix: {"path": info}} if prefix else {"path": info}

    # -- files ------------------------------------------------------------------------------
    @staticmethod
    def _files(context: GeneratorContext, items: Sequence[tuple[str, bool]]) -> list[str]:
        # includes first, then exclusions remove: the order of the list does not matter
        includes: set[str] = set()
        excluded: set[str] = set()
        for pattern, exclude in items:
            (excluded if exclude else includes).update(_ls_files(context, pattern))
        return sorted(includes - excluded)

    @staticmethod
    def _file_params(root: Path, file: str, prefix: str, where: str) -> list[Params]:
        try:
            content = safeyaml.load_yaml(safeyaml.read_file(root / file))
        except (OSError, safeyaml.InputError) as exc:
            raise GeneratorError(f"{where}: unable to process file '{file}': unable to parse file: {exc}") from None
        if content is None:
            objects: list[Any] = [{}]
        elif isinstance(content, Mapping):
            objects = [content]
        elif isinstance(content, list) and all(isinstance(o, Mapping) for o in content):
            objects = content
        else:
            raise GeneratorError(f"{where}: unable to process file '{file}': unable to parse file: "
                                 "expected an object or a list of objects")
        folder = posixpath.dirname(file)
        out: list[Params] = []
        for obj in objects:
            params: Params = json_value(obj)
            info = {"path": folder, "basename": posixpath.basename(folder),
                    "filename": posixpath.basename(file),
                    "basenameNormalized": normalize(posixpath.basename(folder)),
                    "filenameNormalized": normalize(posixpath.basename(file)),
                    "segments": StringList(folder.split("/"))}
            if prefix:
                params[prefix] = {"path": info}
            else:
                params["path"] = info
            out.append(params)
        return out


def _ls_files(context: GeneratorContext, pattern: str) -> list[str]:
    """`git ls-files -- <pattern>` on the working tree, once per preview."""
    key = f"{_FILES}{pattern}"
    if key not in context.cache:
        context.cache[key] = _list_files(context.repo_root, pattern)
    return list(context.cache[key])


def _list_files(root: Path, pattern: str) -> list[str]:
    """`git ls-files -- <pattern>` on the working tree: a pathspec glob (`*` crosses `/`), or a
    literal path naming a file or every file below a folder."""
    wildcard = re.search(r"[*?\[]", pattern)
    start = pattern[:wildcard.start()].rpartition("/")[0] if wildcard else pattern.rstrip("/")
    base = root / start if start else root
    found: list[str] = []
    if base.is_file():
        found = [start] if not wildcard else []
    elif base.is_dir():
        for folder, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if d != ".git"]
            rel = Path(folder).relative_to(root).as_posix()
            for name in files:
                path = f"{rel}/{name}" if rel != "." else name
                if (git_pathspec_match(pattern, path) if wildcard
                        else path == pattern or path.startswith(pattern.rstrip("/") + "/")):
                    found.append(path)
    found.sort()
    return found


# -- what a preview read, to check again later --------------------------------------------------------

def record_reads(memo: Mapping[str, Any], root: Path) -> dict[str, Any] | None:
    """What this generator read from the working tree in one preview (its entries in the context cache
    `memo`), as JSON: folder walks and what they listed, which folders hold a file, file listings and a
    digest of the listed files' contents. None when `memo` holds an entry of this generator that this
    does not know how to check again."""
    dirs: list[Any] = []
    files: list[Any] = []
    non_empty: list[Any] = []
    for key, value in memo.items():
        if key.startswith(_DIRS):
            start, _, depth = key.removeprefix(_DIRS).rpartition(":")
            dirs.append([start, None if depth == "None" else int(depth), sorted(value)])
        elif key == _NON_EMPTY:
            non_empty = sorted([path, bool(found)] for path, found in value.items())
        elif key.startswith(_FILES):
            files.append([key.removeprefix(_FILES), list(value), _contents(root, value)])
        elif key.startswith(MEMO_PREFIX):
            return None
    return {"dirs": dirs, "non_empty": non_empty, "files": files}


def reads_unchanged(record: Mapping[str, Any], root: Path, *, non_empty: Mapping[str, bool]) -> bool:
    """Whether the working tree still answers every read of `record` (record_reads) the same way.
    `non_empty`: folders (repository paths) the caller knows to hold files or not. KeyError, TypeError
    or ValueError when `record` has another shape."""
    for start, depth, listed in record["dirs"]:
        if sorted(_walk_dirs(root, start, depth)) != listed:
            return False
    for path, found in record["non_empty"]:
        if (non_empty[path] if path in non_empty else _has_file(str(root / path))) != found:
            return False
    for pattern, listed, contents in record["files"]:
        if _list_files(root, pattern) != listed or _contents(root, listed) != contents:
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

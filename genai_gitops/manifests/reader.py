"""Read YAML/JSON manifest trees into Resources; a file that fails to parse is a finding, never a crash."""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from genai_gitops import safeyaml
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_DOC_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)


@dataclass
class ManifestSet:
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def extend(self, other: ManifestSet) -> None:
        self.resources.extend(other.resources)
        self.findings.extend(other.findings)
        self.files.extend(other.files)


def _parse_finding(file: str, line: int, message: str, rule: str = "yaml-syntax") -> Finding:
    return Finding(file=file, line=line, api_version="", kind="", namespace="", name="",
                   validator="parse", rule=rule, severity=Severity.ERROR, message=message)


def input_finding(file: str, error: safeyaml.InputError, first_line: int = 1) -> Finding:
    """A refused file or document (syntax, tag, duplicate key, limits, encoding) as a finding."""
    return _parse_finding(file, first_line - 1 + (error.line or 1), error.message, error.rule)


def _split_documents(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) per YAML document, splitting on top-level '---' lines.

    Splitting before parsing lets every document be loaded on its own with the C loader and
    still carry its line number, which libyaml's constructed objects do not keep.
    """
    start, line = 0, 1
    for match in _DOC_SEPARATOR.finditer(text):
        yield line, text[start:match.start()]
        rest = match.group(0)[3:].strip()
        if rest and not rest.startswith("#"):
            # a document that begins on its `---` line (`--- {kind: Secret, ...}`, `--- |`): the chunk keeps
            # the line, or that document would be lost to every check while kubectl and Argo CD apply it
            line += text.count("\n", start, match.start())
            start = match.start()
            continue
        line += text.count("\n", start, match.end()) + 1 if match.end() < len(text) else 0
        start = match.end() + 1
    if start < len(text):
        yield line, text[start:]


def read_text(text: str, file: str) -> ManifestSet:
    """Parse one file's text (multi-document YAML or JSON)."""
    result = ManifestSet(files=[file])
    file_digest = hashlib.blake2b(text.encode(), digest_size=20).hexdigest()
    try:
        safeyaml.check_text(text)
        docs: list[tuple[int, object]] = [(1, safeyaml.load_json(text))] if file.endswith(".json") else []
    except safeyaml.InputError as exc:
        result.findings.append(input_finding(file, exc))
        return result
    if not file.endswith(".json"):
        for first_line, chunk in _split_documents(text):
            try:
                body = safeyaml.load_yaml(chunk)
            except safeyaml.InputError as exc:
                result.findings.append(input_finding(file, exc, first_line))
                continue
            docs.append((first_line, body))
    for first_line, body in docs:
        if body is None:
            continue
        items = body.get("items") if isinstance(body, dict) and str(body.get("kind", "")).endswith("List") else None
        for obj in items if isinstance(items, list) else [body]:
            if not isinstance(obj, dict):
                result.findings.append(_parse_finding(
                    file, first_line, f"document is a {type(obj).__name__}, not a Kubernetes object"))
                continue
            result.resources.append(Resource(obj=obj, file=file, line=first_line, digest=file_digest))
    return result


def iter_manifest_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Every manifest file under the given files/folders, sorted so results never depend on FS order."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # a folder that cannot be listed must not be skipped silently (os.walk's default): the caller
            # reports the OSError naming it
            for root, dirs, files in os.walk(path, onerror=_raise):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found.extend(os.path.join(root, f) for f in files if f.endswith(MANIFEST_SUFFIXES))
        else:
            found.append(str(path))
    return sorted(set(found))


def _raise(error: OSError) -> None:
    raise error


def read_file(file: str | os.PathLike[str]) -> ManifestSet:
    """One file: unreadable, too large or not UTF-8 is a finding like a syntax error."""
    name = str(file)
    try:
        data = safeyaml.read_bytes(name)
    except OSError as exc:
        return ManifestSet(findings=[_parse_finding(name, 1, f"cannot read file: {exc}")], files=[name])
    return read_data(data, name)


def read_data(data: bytes, name: str) -> ManifestSet:
    """One file's bytes (at most MAX_BYTES + 1 of them, as `safeyaml.read_bytes` and stdin give them): too
    large or not UTF-8 is a finding like a syntax error."""
    try:
        text = safeyaml.decode(data)
    except safeyaml.InputError as exc:
        return ManifestSet(findings=[input_finding(name, exc)], files=[name])
    # universal newlines, as the cached reader and Path.read_text give (CRLF files split the same way)
    return read_text(text.replace("\r\n", "\n").replace("\r", "\n"), name)


#: from this many files on, what was read is frozen out of the cyclic collector (see `no_collection`)
FREEZE_FILES = 1000


@contextmanager
def no_collection(freeze: bool = False) -> Iterator[None]:
    """Python's cyclic garbage collector paused while many files are read, and with `freeze`, what was
    read left out of its later passes.

    Reading builds a few hundred thousand dicts and lists that all stay alive; each build of 700
    containers started a collection that walked the young ones again, and every few of those walked
    everything read so far: a fifth of the reading time at 1,000 tenants, to find nothing, since parsed
    documents hold no reference cycles (reference counting still frees them). Paused, the first
    collection afterwards walks them all once more, and the validators' later collections again and
    again: `gc.freeze()` moves every object alive to a generation the collector no longer visits (0.9 s
    of CPU less at 1,000 tenants, schema check included). The price: a cycle already unreachable then is
    kept until the process ends, so it is done only for a large tree, once or twice per run."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if running:
            gc.enable()


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> ManifestSet:
    result = ManifestSet()
    files = iter_manifest_files(paths)
    with no_collection(freeze=len(files) >= FREEZE_FILES):
        for file in files:
            result.extend(read_file(file))
    return result

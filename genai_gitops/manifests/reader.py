"""Read YAML/JSON manifest trees into Resources; a file that fails to parse is a finding, never a crash."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster where present


class _Loader(_Base):
    """YAML as Kubernetes reads it: the API is JSON, so an unquoted date is a string, not a timestamp."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

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


def _parse_finding(file: str, line: int, message: str) -> Finding:
    return Finding(file=file, line=line, api_version="", kind="", namespace="", name="",
                   validator="parse", rule="yaml-syntax", severity=Severity.ERROR, message=message)


def _split_documents(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) per YAML document, splitting on top-level '---' lines.

    Splitting before parsing lets every document be loaded on its own with the C loader and
    still carry its line number, which libyaml's constructed objects do not keep.
    """
    start, line = 0, 1
    for match in _DOC_SEPARATOR.finditer(text):
        yield line, text[start:match.start()]
        line += text.count("\n", start, match.end()) + 1 if match.end() < len(text) else 0
        start = match.end() + 1
    if start < len(text):
        yield line, text[start:]


def read_text(text: str, file: str) -> ManifestSet:
    """Parse one file's text (multi-document YAML or JSON)."""
    result = ManifestSet(files=[file])
    file_digest = hashlib.blake2b(text.encode(), digest_size=20).hexdigest()
    if file.endswith(".json"):
        try:
            docs: Iterable[tuple[int, object]] = [(1, json.loads(text))]
        except json.JSONDecodeError as exc:
            result.findings.append(_parse_finding(file, exc.lineno, f"invalid JSON: {exc.msg}"))
            return result
    else:
        docs = []
        for first_line, chunk in _split_documents(text):
            try:
                body = yaml.load(chunk, Loader=_Loader)  # noqa: S506 - CSafeLoader/SafeLoader only
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = first_line + (mark.line if mark is not None else 0)
                problem = getattr(exc, "problem", None) or str(exc)
                result.findings.append(_parse_finding(file, line, f"invalid YAML: {problem}"))
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


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> ManifestSet:
    result = ManifestSet()
    for file in iter_manifest_files(paths):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            result.findings.append(_parse_finding(file, 1, f"cannot read file: {exc}"))
            result.files.append(file)
            continue
        result.extend(read_text(text, file))
    return result

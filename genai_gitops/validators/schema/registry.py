"""SchemaRegistry: finds the JSON Schema of an (apiVersion, kind) for one Kubernetes version.

Two sources, both on disk, never the network:

- built-in kinds: the strict schemas bundled with `kubernetes-validate`
  (`kubernetes-json-schema/v1.X.0-local-strict/<kind>-<group>-<version>.json`), whose `$ref`s
  point into `_definitions.json` of the same folder;
- custom resources: the schemas this project writes in `genai_gitops/schemas/crds/`, indexed by
  the `x-kubernetes-group-version-kind` each file declares. They reuse Kubernetes definitions
  (ObjectMeta, LabelSelector, ...) by absolute `$ref` into `_definitions.json`, so they are
  compiled against the definitions of the target's Kubernetes version too.

Conventions of a CRD schema file (`<group>_<plural>.json`): draft 2020-12; `$id`
`https://genai-gitops.invalid/schemas/crds/<file name>` (the reserved `.invalid` domain: an id,
never fetched); `x-kubernetes-group-version-kind` lists the served versions; `additionalProperties:
false` wherever the upstream CRD is structural, open objects only where upstream preserves unknown
fields (or, said in the file's `$comment`, for parts the platform does not use); `metadata` is
Kubernetes' ObjectMeta; `status` is open. Files may share `$defs` by relative `$ref`
(`external-secrets.io_secretstores.json#/$defs/SecretStoreSpec`). A file without a GVK (the
Gatekeeper constraint shape) is only a `$ref` target.

A compiled validator costs milliseconds to build and microseconds to run, so every schema is
compiled once per (Kubernetes version, apiVersion, kind) and kept.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

#: where a `$ref` to Kubernetes definitions points (the `$id` of every `_definitions.json`)
K8S_DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$")
_BUNDLED_DIR = re.compile(r"^v(\d+)\.(\d+)\.0-local-strict$")
# kubernetes-validate's file naming: drop the DNS suffix of the group, join with '-':
# rbac.authorization.k8s.io/v1 -> rbac-v1, apps/v1 -> apps-v1, v1 -> v1
_GROUP_SUFFIX = re.compile(r"^([^./]*)(?:\.[^/]*)?/")


def bundled_schema_root() -> Path:
    """kubernetes-validate's schema folder, located without importing the package (its import pulls in
    jsonschema: about 0.15 s a run that only reads the JSON files)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("kubernetes-validate is not installed; install the project (make install)")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


def project_crd_root() -> Path:
    return Path(str(resources.files("genai_gitops") / "schemas" / "crds"))


def minor_version(k8s_version: str) -> tuple[int, int] | None:
    """'1.30', 'v1.30.2' -> (1, 30); anything else -> None."""
    match = _VERSION.match(k8s_version.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def builtin_file_name(api_version: str, kind: str) -> str:
    """The file kubernetes-validate would read for this apiVersion and kind."""
    return f"{kind.lower()}-{_GROUP_SUFFIX.sub(_group_prefix, api_version)}.json"


def _group_prefix(match: re.Match[str]) -> str:
    return f"{match.group(1)}-"


def split_api_version(api_version: str) -> tuple[str, str]:
    """'apps/v1' -> ('apps', 'v1'); 'v1' -> ('', 'v1')."""
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(frozen=True)
class CompiledSchema:
    """A schema ready to validate with, and every document its `$ref`s may point into."""

    schema: dict[str, Any]
    validator: jsonschema_rs.Validator
    #: where the schema came from, for messages: "Kubernetes 1.30", a CRD file, a template
    source: str
    #: URI -> document, including the schema itself (used to explain errors and to cross-check)
    documents: Mapping[str, dict[str, Any]]


@dataclass(frozen=True)
class MissingSchema:
    """No schema exists; `reason` tells the user what was looked for and what to do."""

    reason: str


SchemaLookup = CompiledSchema | MissingSchema


@dataclass
class _VersionSchemas:
    """Everything compiled for one bundled Kubernetes minor version."""

    label: str
    folder: Path
    definitions: dict[str, Any]
    documents: dict[str, dict[str, Any]]
    registry: jsonschema_rs.Registry
    files: frozenset[str]
    compiled: dict[tuple[str, str], SchemaLookup] = field(default_factory=dict)


@dataclass(frozen=True)
class CrdSchema:
    """One schema file of genai_gitops/schemas/crds/."""

    path: Path
    document: dict[str, Any]


class SchemaRegistry:
    """Finds and compiles schemas; one instance can serve many targets and Kubernetes versions."""

    def __init__(self, bundled_root: Path | None = None, crd_root: Path | None = None) -> None:
        self.bundled_root = bundled_root or bundled_schema_root()
        self.crd_root = crd_root or project_crd_root()
        #: how messages name the CRD schema folder
        self.crd_label = "genai_gitops/schemas/crds" if crd_root is None else str(crd_root)
        self._versions: dict[tuple[int, int], _VersionSchemas] = {}
        self._crds: dict[tuple[str, str], CrdSchema] | None = None
        self._crd_documents: dict[str, dict[str, Any]] | None = None
        self._bundled: dict[tuple[int, int], Path] | None = None
        self._extra: dict[tuple[tuple[int, int], str], SchemaLookup] = {}
        self._definitions: dict[tuple[int, int], dict[str, Any]] = {}
        self._histories: dict[tuple[str, str], list[tuple[int, int]]] = {}

    # ----------------------------------------------------------------- what exists
    def bundled_versions(self) -> dict[tuple[int, int], Path]:
        if self._bundled is None:
            found: dict[tuple[int, int], Path] = {}
            for entry in os.scandir(self.bundled_root):
                match = _BUNDLED_DIR.match(entry.name)
                if match and entry.is_dir():
                    found[(int(match.group(1)), int(match.group(2)))] = Path(entry.path)
            self._bundled = dict(sorted(found.items()))
        return self._bundled

    def bundled_range(self) -> str:
        versions = list(self.bundled_versions())
        if not versions:
            return "none"
        return f"{versions[0][0]}.{versions[0][1]} to {versions[-1][0]}.{versions[-1][1]}"

    def crds(self) -> dict[tuple[str, str], CrdSchema]:
        """(apiVersion, kind) -> the project's schema for it."""
        if self._crds is None:
            crds: dict[tuple[str, str], CrdSchema] = {}
            documents: dict[str, dict[str, Any]] = {}
            for path in sorted(self.crd_root.glob("*.json")):
                document = json.loads(path.read_text(encoding="utf-8"))
                documents[document["$id"]] = document
                gvks = document.get("x-kubernetes-group-version-kind") or []
                for gvk in gvks:
                    api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                    crds[(api_version, gvk["kind"])] = CrdSchema(path=path, document=document)
            self._crds, self._crd_documents = crds, documents
        return self._crds

    def crd_documents(self) -> dict[str, dict[str, Any]]:
        self.crds()
        assert self._crd_documents is not None
        return self._crd_documents

    # ----------------------------------------------------------------- lookups
    def lookup(self, k8s_version: str, api_version: str, kind: str) -> SchemaLookup:
        """The compiled schema for this apiVersion/kind, or why there is none."""
        version = self._version(k8s_version)
        if isinstance(version, MissingSchema):
            return version
        key = (api_version, kind)
        found = version.compiled.get(key)
        if found is None:
            found = self._find(version, api_version, kind)
            version.compiled[key] = found
        return found

    def compile(self, k8s_version: str, schema: dict[str, Any], source: str) -> SchemaLookup:
        """Compile a schema built elsewhere (constraint schemas) against this version's documents.

        Cached by the schema's `$id`, so callers must give different schemas different ids.
        """
        version = self._version(k8s_version)
        if isinstance(version, MissingSchema):
            return version
        minor = minor_version(k8s_version)
        assert minor is not None
        key = (minor, str(schema["$id"]))
        cached = self._extra.get(key)
        if cached is None:
            try:
                cached = self._compiled(version, schema, source)
            except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
                # a template's parameter schema is user input: a broken one is a finding, not a crash
                first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                cached = MissingSchema(f"the schema from {source} does not compile: {first_line}")
            self._extra[key] = cached
        return cached

    def documents(self, k8s_version: str) -> Mapping[str, dict[str, Any]]:
        """Every document registered for `$ref` resolution in this version."""
        version = self._version(k8s_version)
        return {} if isinstance(version, MissingSchema) else version.documents

    def field_history(self, k8s_version: str, definition: str, field: str) -> str | None:
        """When a built-in definition lacks `field` in this version but has it in other bundled versions,
        those versions ('1.28 to 1.37'); otherwise None (then the field is most likely a typo).

        Only runs for unknown fields, and looks at the oldest and newest bundled versions first, so
        a plain typo costs two file reads once per run.
        """
        minor = minor_version(k8s_version)
        versions = list(self.bundled_versions())
        if minor is None or not versions:
            return None
        key = (definition, field)
        having = self._histories.get(key)
        if having is None:
            at_either_end = (self._has_field(versions[0], definition, field)
                             or self._has_field(versions[-1], definition, field))
            having = [v for v in versions if self._has_field(v, definition, field)] if at_either_end else []
            self._histories[key] = having
        others = [v for v in having if v != minor]
        return _version_ranges(others) if others and minor not in having else None

    def _has_field(self, minor: tuple[int, int], definition: str, field: str) -> bool:
        definitions = self._definitions.get(minor)
        if definitions is None:
            loaded = self._versions.get(minor)
            if loaded is not None:
                definitions = loaded.definitions
            else:
                path = self.bundled_versions()[minor] / "_definitions.json"
                definitions = json.loads(path.read_text(encoding="utf-8"))
            self._definitions[minor] = definitions
        node = definitions.get("$defs", {}).get(definition)
        properties = node.get("properties") if isinstance(node, dict) else None
        return isinstance(properties, dict) and field in properties

    # ----------------------------------------------------------------- internals
    def _version(self, k8s_version: str) -> _VersionSchemas | MissingSchema:
        minor = minor_version(k8s_version)
        if minor is None:
            return MissingSchema(f"the target's Kubernetes version {k8s_version!r} is not a version like 1.30")
        loaded = self._versions.get(minor)
        if loaded is not None:
            return loaded
        folder = self.bundled_versions().get(minor)
        if folder is None:
            return MissingSchema(f"no schemas are bundled for Kubernetes {minor[0]}.{minor[1]} "
                                 f"(bundled: {self.bundled_range()}); set the cluster's Kubernetes version "
                                 "to a bundled one or upgrade kubernetes-validate")
        definitions = json.loads((folder / "_definitions.json").read_text(encoding="utf-8"))
        documents = {definitions["$id"]: definitions, **self.crd_documents()}
        loaded = _VersionSchemas(
            label=f"Kubernetes {minor[0]}.{minor[1]}", folder=folder, definitions=definitions, documents=documents,
            registry=jsonschema_rs.Registry(list(documents.items())),
            files=frozenset(os.listdir(folder)))
        self._versions[minor] = loaded
        return loaded

    def _compiled(self, version: _VersionSchemas, schema: dict[str, Any], source: str) -> CompiledSchema:
        # offline: a reference outside the registered documents is an error, never a download
        validator = jsonschema_rs.Draft202012Validator(schema, registry=version.registry, offline=True)
        documents = dict(version.documents)
        if "$id" in schema:
            documents[schema["$id"]] = schema
        return CompiledSchema(schema=schema, validator=validator, source=source, documents=documents)

    def _find(self, version: _VersionSchemas, api_version: str, kind: str) -> SchemaLookup:
        crd = self.crds().get((api_version, kind))
        if crd is not None:
            return self._compiled(version, crd.document, f"{self.crd_label}/{crd.path.name}")
        name = builtin_file_name(api_version, kind)
        if name in version.files:
            schema = json.loads((version.folder / name).read_text(encoding="utf-8"))
            # kubernetes-validate's name mapping drops the group's DNS suffix, so
            # networking.k8s.io/v1 and networking.istio.io/v1 share file names; and the folder also
            # holds sub-types (Container, PodSpec) that are not kinds. The file's own GVK decides.
            if _declares_gvk(schema, api_version, kind):
                return self._compiled(version, schema, version.label)
        return MissingSchema(self._why_missing(version, api_version, kind))

    def _why_missing(self, version: _VersionSchemas, api_version: str, kind: str) -> str:
        group, _ = split_api_version(api_version)
        others = sorted(av for (av, k) in self.crds() if k == kind and split_api_version(av)[0] == group)
        if others:
            return (f"{api_version} {kind} has no schema: this project's CRD schemas serve {kind} as "
                    f"{', '.join(others)}; change apiVersion")
        served = self._builtin_api_versions(version, kind)
        if served:
            elsewhere = self._bundled_elsewhere(api_version, kind)
            hint = f" (it exists in Kubernetes {elsewhere})" if elsewhere else ""
            return (f"{api_version} {kind} is not served by {version.label}{hint}; "
                    f"use {' or '.join(served)}")
        elsewhere = self._bundled_elsewhere(api_version, kind)
        if elsewhere:
            return f"{api_version} {kind} is not served by {version.label} (it exists in Kubernetes {elsewhere})"
        return (f"no schema for {api_version} {kind}: it is not a {version.label} kind and "
                f"{self.crd_label}/ has no CRD schema for it; add one there (or fix apiVersion/kind)")

    def _builtin_api_versions(self, version: _VersionSchemas, kind: str) -> list[str]:
        prefix = f"{kind.lower()}-"
        served: set[str] = set()
        for name in version.files:
            if name.startswith(prefix):
                schema = json.loads((version.folder / name).read_text(encoding="utf-8"))
                for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                    if gvk.get("kind") == kind:
                        served.add(f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else str(gvk["version"]))
        return sorted(served)

    def _bundled_elsewhere(self, api_version: str, kind: str) -> str:
        name = builtin_file_name(api_version, kind)
        return _version_ranges([minor for minor, folder in self.bundled_versions().items()
                                if (folder / name).is_file() and _declares(folder / name, api_version, kind)])


def _declares_gvk(schema: dict[str, Any], api_version: str, kind: str) -> bool:
    group, version = split_api_version(api_version)
    return any(g.get("group") == group and g.get("version") == version and g.get("kind") == kind
               for g in schema.get("x-kubernetes-group-version-kind") or [])


def _declares(path: Path, api_version: str, kind: str) -> bool:
    return _declares_gvk(json.loads(path.read_text(encoding="utf-8")), api_version, kind)


def _version_ranges(minors: list[tuple[int, int]]) -> str:
    """[(1, 28), (1, 29), (1, 30), (1, 33)] -> '1.28 to 1.30, 1.33'."""
    ranges: list[list[tuple[int, int]]] = []
    for minor in sorted(minors):
        if ranges and ranges[-1][-1] == (minor[0], minor[1] - 1):
            ranges[-1].append(minor)
        else:
            ranges.append([minor])
    return ", ".join(f"{r[0][0]}.{r[0][1]}" if len(r) == 1 else f"{r[0][0]}.{r[0][1]} to {r[-1][0]}.{r[-1][1]}"
                     for r in ranges)

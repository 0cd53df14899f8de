"""Every cache namespace and how each key is made: the one place to check that a key names every input.

A cached result is only as correct as its key: a key that leaves out something the result depends on
returns a stale answer. So each kind of result has one key function here, whose keyword parameters are
everything that result depends on, and callers build keys only through them. Every entry also
depends on the tool itself (the code, its bundled schemas, the dependencies that shape results):
`cache.DiskCache` stores `tool_fingerprint()` in each entry's header and ignores an entry of another.

| namespace | what is stored | key |
|---|---|---|
| `parsed`, `parse-findings`, `resource-count` | a folder's objects, YAML problems, object count | `folder` |
| `checked` | a target's object list and ignore annotations | `target_content` |
| `folders-summary` | a target's per-folder object counts and YAML problems | `target_content` |
| `target-<validator>` | a validator's findings and tables on a whole target | `target` (+ `target_data`) |
| `unit-<validator>` | a work unit's findings | `work_unit` (+ `unit_context`) |
| `synth` | the digest of what an app's inputs render to | `app_inputs` |
| `synth-cluster` | the same digests for all apps of one cluster at once | `synth_cluster` |
| `nca` | an isolation workspace's analysis | `workspace` |
| `nca-class` | the analysis of one class of alike isolation workspaces, canonical | `workspace_class` |
| `delivery-preview` | the Argo CD preview and what it read | `preview` |
| `delivery-apps` | each Application's facts and object findings | `delivery_index`, `delivery_delta` |
| `checkov-class` | checkov's judgement of one class of alike namespaces | `checkov_class` |
| `tenant-file` | the JSON a clean tenant file's model is validated from | `tenant_file` |
| `tenant-index` | the same JSON for every clean tenant file of a folder, by `tenant_file` key | `tenant_index` |
| `inventory-file` | the JSON a clean clusters.yaml's model is validated from | `inventory_file` |
| `clean-lines` | the values (and lines of long values) the plaintext scan found clean in a target | `clean_lines` |
| `known-files` | the content digest of each file below a folder, by its `stat` signature | `known_files` |
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from typing import Protocol

from genai_gitops.cache import digest, digest_json, tool_fingerprint

PARSED = "parsed"
PARSE_FINDINGS = "parse-findings"
RESOURCE_COUNT = "resource-count"
CHECKED = "checked"
FOLDERS_SUMMARY = "folders-summary"
SYNTH = "synth"
SYNTH_CLUSTER = "synth-cluster"
NCA = "nca"
NCA_CLASS = "nca-class"
DELIVERY_PREVIEW = "delivery-preview"
DELIVERY_APPS = "delivery-apps"
CHECKOV_CLASS = "checkov-class"
TENANT_FILE = "tenant-file"
TENANT_INDEX = "tenant-index"
INVENTORY_FILE = "inventory-file"
CLEAN_LINES = "clean-lines"
KNOWN_FILES = "known-files"


def target_results(validator: str) -> str:
    """The namespace of one validator's whole-target results."""
    return f"target-{validator}"


def unit_results(validator: str) -> str:
    """The namespace of one validator's work-unit results."""
    return f"unit-{validator}"


class Dumpable(Protocol):
    """Validated data (the pydantic models of model/): its JSON is everything it holds."""

    def model_dump_json(self) -> str: ...


class Tenant(Dumpable, Protocol):
    """A tenant's validated data, and the namespace it owns."""

    @property
    def namespace(self) -> str: ...


def _content(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=20).hexdigest()


def folder(*, path: str, files: Iterable[tuple[str, bytes]], others: Iterable[tuple[str, str]]) -> str:
    """A folder's parse. Inputs: its path (every object carries its file's path), each manifest file's
    name and content, and every other entry's name and marker (a link's target, an unread file's content)."""
    return folder_hashed(path=path, files=((name, _content(body)) for name, body in files), others=others)


def folder_hashed(*, path: str, files: Iterable[tuple[str, str]], others: Iterable[tuple[str, str]]) -> str:
    """`folder` from each manifest file's name and `content_digest` (a caller that hashed the files
    already): the same key."""
    return digest(path, *(f"{name}:{hashed}" for name, hashed in files), *(f"{n}:{m}" for n, m in others))


def content_digest(body: bytes) -> str:
    """The digest of one file's bytes that `folder` keys and folder digests are made of."""
    return _content(body)


def target_content(folders: Iterable[tuple[str, str]]) -> str:
    """A target's objects. Inputs: each folder's path and content digest (`Folder.digest`), in order.
    Also `Target.digest`, the content part of every key on that target."""
    return digest(*(f"{path}:{content}" for path, content in folders))


#: the parts of a target's data a validator may declare it reads (`Validator.data_used`)
TARGET_DATA = ("k8s_version", "cluster", "tenants", "tenant_namespaces", "inventory")


def target_data(*, used: Collection[str], k8s_version: str, cluster: Dumpable | None, tenants: Sequence[Tenant],
                inventory: Dumpable | None) -> str:
    """What a validator reads of a target besides its objects, each part only when in `used`: the
    Kubernetes version it is checked against, its cluster's data, its tenants' data (or only their
    namespaces) and the whole inventory. Each part is named, so two selections never share a key."""
    unknown = set(used) - set(TARGET_DATA)
    if unknown:
        raise ValueError(f"unknown target data {sorted(unknown)}; known: {', '.join(TARGET_DATA)}")
    parts = {"k8s_version": lambda: [k8s_version],
             "cluster": lambda: [cluster.model_dump_json() if cluster is not None else ""],
             "tenants": lambda: [t.model_dump_json() for t in tenants],
             "tenant_namespaces": lambda: sorted(t.namespace for t in tenants),
             "inventory": lambda: [inventory.model_dump_json() if inventory is not None else ""]}
    return digest(*(f"{name}={json.dumps(parts[name]())}" for name in TARGET_DATA if name in used))


def target(*, validator: str, context: str, content: str, data: str) -> str:
    """One validator's results on a whole target. Inputs: the validator, what it says its results depend
    on besides the target (`Validator.cache_context`: options, policy files...), the target's objects
    (`target_content`) and data (`target_data`)."""
    return digest(validator, context, content, data)


def unit_context(validator: str, **inputs: str) -> str:
    """What every work unit of one validator on one target depends on besides its own objects, each input
    named (`k8s_version=...`, `policies=...`): a reviewer reads the names at the call."""
    return digest(validator, *(f"{name}={value}" for name, value in sorted(inputs.items())))


def work_unit(*, context: str, objects: str) -> str:
    """One work unit's findings. Inputs: the shared `unit_context` and the digest of the unit's own
    objects (`validators.base.resources_digest`)."""
    return digest(context, objects)


def app_inputs(*, kind: str, path: str, inventory: str, tenants: Sequence[str] = (), policies: str = "",
               repositories: str = "") -> str:
    """What one app renders to. Inputs: the tool (its fingerprint is part of the key, not only of the
    entry: the synth's digests are compared with committed folders), the app's kind and path, the
    inventory (the digest of its JSON), and what its stack reads besides (synth/inputs.py decides which:
    tenants' JSON, the policies' digest, the tenants' image repositories)."""
    return digest(tool_fingerprint(), kind, path, inventory, "tenants", *tenants, "policies", policies,
                  "repositories", repositories)


def synth_cluster(apps: Iterable[tuple[str, str]]) -> str:
    """What a cluster's apps render to, one entry. Inputs: each app's path and `app_inputs` key (which
    holds the tool fingerprint and everything the app reads)."""
    return digest("synth-cluster", *(f"{path}:{key}" for path, key in apps))


def workspace(fingerprint: str) -> str:
    """An isolation analysis. Input: the workspace's own fingerprint, a digest of its canonical content
    (pods, namespaces, policies: everything nca reads); nca's version is in the tool fingerprint."""
    return fingerprint


def workspace_class(key: str) -> str:
    """The analysis of a class of alike isolation workspaces. Input: the class key, a digest of the
    workspaces' canonical content (validators/isolation/classes.py: everything nca reads, the tenant's own
    names and addresses made positional); nca's version is in the tool fingerprint."""
    return key


def preview(*, root: str, inventory: str, argocd_folders: Iterable[str]) -> str:
    """The Argo CD preview. Inputs: the repository root, the inventory JSON and the `folder` keys of
    argocd/. What the generators read elsewhere in the tree is recorded in the entry and checked again
    on every hit (validators/delivery/preview_cache.py)."""
    return digest("preview", root, inventory, *argocd_folders)


def delivery_source(*, path: str, recurse: bool, exists: bool, folders: Iterable[str]) -> str:
    """What Argo CD reads for one source of an Application: its path, whether it recurses, whether the
    folder exists, and each folder it reads as `<Folder.path>:<Folder.digest>` (the content digest `check`
    computed already; with the path, as telling as the `folder` key)."""
    return digest(path, str(recurse), str(exists), *folders)


def delivery_index(*, root: str) -> str:
    """Where the delivery check keeps the records of one repository's Applications: found by the root
    alone, each record inside is keyed by `delivery_facts` and used only when that key matches (one
    load instead of one per Application; a record no Application of the last run used is dropped)."""
    return digest("delivery-index", root)


def delivery_delta(*, root: str) -> str:
    """Beside `delivery_index`, the records added or changed since it was last written whole (a few, after
    an edit: rewriting every record for them would cost more than the check itself); same record keys."""
    return digest("delivery-delta", root)


def delivery_facts(sources: Iterable[str]) -> str:
    """An Application's facts and object findings. Inputs: the `delivery_source` keys of its sources
    (the findings are further keyed inside the entry by `delivery_objects`)."""
    return digest("facts", *sources)


def delivery_objects(*, application: str, destination: object, resolved: str, project: str,
                     scopes: object) -> str:
    """Within a `delivery-apps` entry, the object findings of one context. Inputs: the Application's
    name, its destination as written and as resolved, its AppProject (`delivery_project`) and the scopes
    of the custom kinds it uses that a CRD defines."""
    return digest(application, digest_json(destination), resolved, project, digest_json(scopes))


def delivery_project(name: str, spec: object) -> str:
    """An AppProject, by its name and whole spec."""
    return digest_json([name, spec])


def checkov_class(*, context: str, content: str) -> str:
    """checkov's judgement of a class of alike namespaces. Inputs: the class's canonical content (its
    objects with the namespace's own names replaced, less the values no checkov check reads:
    validators/checkov_classes.py) and the context: checkov's version, arguments and environment."""
    return digest("checkov-class", context, content)


def tenant_file(*, display: str, body: bytes) -> str:
    """A tenant file that loaded cleanly. Inputs: its path as shown and its bytes (what it parses to,
    and whether its values look like secrets, are functions of the bytes and the code alone)."""
    return digest("tenant-file", display, _content(body))


def tenant_index(*, folder: str) -> str:
    """Where the clean tenant files of one folder are kept together: found by the folder alone (one read
    instead of one per file); each record inside is keyed by `tenant_file` and used only when that key
    matches the file read in this run."""
    return digest("tenant-index", folder)


def inventory_file(*, display: str, body: bytes) -> str:
    """A cluster inventory that loaded cleanly. Inputs: its path as shown and its bytes (what it parses to,
    and whether its values look like secrets, are functions of the bytes and the code alone)."""
    return digest("inventory-file", display, _content(body))


def clean_lines(*, where: str) -> str:
    """Where the plaintext scan keeps the lines of long values it found clean in one target (validators/plaintext.py):
    found by the target's name alone, so the next run finds them after an edit; each line inside is used only
    for its own (field, line) digest (secretscan.line_key)."""
    return digest("clean-lines", where)


def known_files(*, folder: str) -> str:
    """Where the content digests of the files below one folder are remembered: found by the folder's real path
    alone; each record inside is used only while its file's stat signature is unchanged (manifests/known_files.py)."""
    return digest("known-files", folder)

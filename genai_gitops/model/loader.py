"""Load tenants and the cluster inventory from disk; every problem is reported as `file: field: message`."""

from __future__ import annotations

import difflib
import gc
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from genai_gitops import cache_keys, safeyaml
from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.errors import ModelError, Problem
from genai_gitops.model.network_rules import cluster_rules
from genai_gitops.model.rules import inventory_rules, platform_rules, tenant_rules
from genai_gitops.model.secrets import SecretRef, literal_secret_kind
from genai_gitops.model.tenant import TenantSpec
from genai_gitops.secretscan import joined_kind

M = TypeVar("M", bound=BaseModel)
#: problems listed per file; a hostile file (100,000 unknown keys) must not flood the report or
#: spend seconds on "did you mean" hints
MAX_PROBLEMS = 50
_HOW_TO_REFERENCE = ("secrets are never written in data files. Store it in AWS Secrets Manager and reference it: "
                  "{key: genai/tenants/<id>/<name>, property: <field>}")


@dataclass(frozen=True)
class Platform:
    """Everything a synth needs: tenants sorted by id (never by file-system order) and the clusters."""

    tenants: tuple[TenantSpec, ...]
    inventory: ClusterInventory
    tenant_files: dict[str, str]

    @property
    def clusters(self) -> tuple[ClusterSpec, ...]:
        return tuple(sorted(self.inventory.clusters, key=lambda c: c.name))

    def cluster(self, name: str) -> ClusterSpec:
        return self.inventory.by_name()[name]

    def tenants_on(self, cluster: str) -> tuple[TenantSpec, ...]:
        return tuple(t for t in self.tenants if t.cluster == cluster)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that owns the last element of `loc` (to list its fields in a hint)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        args = getattr(annotation, "__args__", None) or ()
        candidates = [annotation, *args]
        current = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _explain(model: type[BaseModel], error: Any, secrets: frozenset[str] = frozenset()) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown field; {hint}allowed fields: {', '.join(allowed)}"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind not in ("value_error", "assertion_error"):
        got = repr(error.get("input"))
        # never echo a credential into a CI log
        message += " (got a value holding a secret)" if any(s in got for s in secrets) else f" (got {got})"
    return message


def _secret_fields(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        args = getattr(annotation, "__args__", None) or ()
        for candidate in (annotation, *args):
            if candidate is SecretRef:
                yield (*prefix, name)
            elif isinstance(candidate, type) and issubclass(candidate, BaseModel):
                yield from _secret_fields(candidate, (*prefix, name))


def _literal_secrets(data: Any, loc: tuple[int | str, ...] = ()) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
    """(location, value, message) of every string in a data file that looks like a credential
    (the file is committed to git), and of sibling strings that do together (a key split across
    fields or list items)."""
    if isinstance(data, dict | list):
        items = list(data.items()) if isinstance(data, dict) else list(enumerate(data))
        clean: list[str] = []
        for key, value in items:
            found = list(_literal_secrets(value, (*loc, key if isinstance(key, int) and isinstance(data, list)
                                                  else str(key))))
            yield from found
            if isinstance(value, str) and not found:
                clean.append(value)
        if (what := joined_kind(clean)) is not None:
            yield loc, "".join(clean), (f"these values together look like {what} split across fields; "
                                        + _HOW_TO_REFERENCE)
    elif isinstance(data, str) and (what := literal_secret_kind(data, str(loc[-1]) if loc else "")):
        yield loc, data, f"this looks like {what}; " + _HOW_TO_REFERENCE


def _read_yaml(path: Path, display: str, body: bytes | None = None) -> tuple[Any, list[Problem]]:
    """The file's one document (from `body` when the caller read it already) and why it cannot be read."""
    try:
        return safeyaml.load_yaml(safeyaml.read_file(path) if body is None else safeyaml.decode(body)), []
    except OSError as exc:
        return None, [Problem(display, "", f"cannot read: {exc.strerror or exc}")]
    except safeyaml.InputError as exc:
        fix = "; fix the syntax" if exc.rule == "yaml-syntax" else ""
        return None, [Problem(display, "", f"{exc.where}{exc.message}{fix}")]


def _shortened(message: str) -> str:
    """A message that quotes a 1 MiB value quotes its ends only."""
    if len(message) <= 400:
        return message
    return f"{message[:200]}...({len(message) - 350:,} characters left out)...{message[-150:]}"


def _capped(problems: list[Problem], display: str) -> list[Problem]:
    problems = [Problem(p.file, p.field, _shortened(p.message)) for p in problems]
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS],
            Problem(display, "", f"{len(problems) - MAX_PROBLEMS:,} more problems not listed; fix these first")]


def _validate(model: type[M], data: Any, display: str) -> tuple[M | None, list[Problem]]:
    """Schema problems and secret-looking values together: one run shows everything."""
    found = list(_literal_secrets(data))
    problems = [Problem(display, _dotted(loc), message) for loc, _, message in found]
    if not isinstance(data, dict):
        wrong = Problem(display, "", f"expected a mapping of fields, got {type(data).__name__}")
        return None, _capped([*problems, wrong], display)
    secret_locs = {loc for loc, _, _ in found}
    secrets = frozenset(value for _, value, _ in found)
    try:
        # JSON mode: strict typing as a data file means it ("2" is not 2) while enums and tuples
        # are read from their plain YAML spelling
        validated = model.model_validate_json(json.dumps(data, default=str))
    except ValidationError as exc:
        for error in exc.errors()[:MAX_PROBLEMS]:
            loc = tuple(error["loc"])
            if any(loc[:len(s)] == s for s in secret_locs):
                continue  # the secret finding says it better (and a secret field refuses literals)
            problems.append(Problem(display, _dotted(loc), _explain(model, error, secrets)))
        return None, _capped(problems, display) + (
            [] if exc.error_count() <= MAX_PROBLEMS else
            [Problem(display, "", f"{exc.error_count() - MAX_PROBLEMS:,} more schema problems not listed")])
    return (None, _capped(problems, display)) if problems else (validated, [])


def _read_body(file: Path, display: str) -> bytes:
    try:
        return safeyaml.read_bytes(file)
    except OSError as exc:
        raise ModelError([Problem(display, "", f"cannot read: {exc.strerror or exc}")]) from None


def _inventory_problems(inventory: ClusterInventory, display: str) -> list[Problem]:
    problems: list[Problem] = []
    names = [c.name for c in inventory.clusters]
    for index, name in enumerate(names):
        if name in names[:index]:
            problems.append(Problem(display, f"clusters[{index}].name", f"{name!r} is listed twice"))
    for index, cluster in enumerate(inventory.clusters):
        problems += [Problem(display, f"clusters[{index}].{f}", m) for f, m in cluster_rules(cluster)]
    problems += [Problem(display, field, message) for field, message in inventory_rules(inventory)]
    return problems


def load_inventory(path: str | os.PathLike[str], cache: ResultCache = NO_CACHE) -> ClusterInventory:
    """The cluster inventory, validated. With a cache, an inventory whose content a run already found clean
    skips the YAML parse and the secret scan (which imports detect-secrets), as tenant files do; the model
    is still built by the same validation and checked by the same rules."""
    file = Path(path)
    display = _display(file)
    body = _read_body(file, display)
    key = cache_keys.inventory_file(display=display, body=body)
    known = cache.get(cache_keys.INVENTORY_FILE, key) if cache.enabled else None
    if isinstance(known, str):
        try:
            cached: ClusterInventory | None = ClusterInventory.model_validate_json(known)
        except ValidationError:
            cached = None  # not what a clean run stored: read the file as if uncached
        if cached is not None and not _inventory_problems(cached, display):
            return cached
    data, problems = _read_yaml(file, display, body)
    inventory, more = (None, []) if problems else _validate(ClusterInventory, data, display)
    problems += more
    if inventory is not None:
        problems += _inventory_problems(inventory, display)
    if problems or inventory is None:
        raise ModelError(problems)
    if cache.enabled:
        cache.put(cache_keys.INVENTORY_FILE, key, json.dumps(data, default=str))
    return inventory


def _load_tenant(file: Path, display: str, body: bytes, cache: ResultCache) -> tuple[TenantSpec, str]:
    """A tenant and the JSON its model was validated from (what a clean file's cache entry holds)."""
    key = cache_keys.tenant_file(display=display, body=body)
    known = cache.get(cache_keys.TENANT_FILE, key) if cache.enabled else None
    if isinstance(known, str):
        try:
            tenant = TenantSpec.model_validate_json(known)
        except ValidationError:
            tenant = None  # not what a clean run stored: read the file as if uncached
        if tenant is not None and not list(tenant_rules(tenant)):
            return tenant, known
    data, problems = _read_yaml(file, display, body)
    tenant, more = (None, []) if problems else _validate(TenantSpec, data, display)
    problems += more
    if tenant is not None:
        problems += [Problem(display, f, m) for f, m in tenant_rules(tenant)]
    if problems or tenant is None:
        raise ModelError(problems)
    # the exact JSON `_validate` built the model from: a hit rebuilds the same model
    text = json.dumps(data, default=str)
    if cache.enabled:
        cache.put(cache_keys.TENANT_FILE, key, text)
    return tenant, text


def load_tenant_file(path: str | os.PathLike[str], cache: ResultCache = NO_CACHE) -> TenantSpec:
    """One tenant, validated. With a cache, a file whose content a run already found clean skips the YAML
    parse and the secret scan (the model is still built by the same validation, from the same JSON);
    a file with problems is never cached, so its problems are always computed afresh."""
    file = Path(path)
    display = _display(file)
    return _load_tenant(file, display, _read_body(file, display), cache)[0]


def tenant_files(tenants_dir: str | os.PathLike[str]) -> list[Path]:
    folder = Path(tenants_dir)
    if not folder.is_dir():
        raise ModelError([Problem(_display(folder), "", "tenants folder not found; create it or pass --tenants")])
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


@lru_cache(maxsize=1)
def _tenant_list() -> TypeAdapter[list[TenantSpec]]:
    return TypeAdapter(list[TenantSpec])


def _validated_together(texts: list[str]) -> list[TenantSpec] | None:
    """The models of clean files' JSON, validated in one call (the same schema and validators as one
    `model_validate_json` each, without a call and a collector pass per file); None when any does not
    validate (not what a clean run stored: the caller reads those files as if uncached)."""
    if not texts:
        return []
    running = gc.isenabled()
    gc.disable()  # builds thousands of objects and no cycles: collector passes would find nothing
    try:
        return _tenant_list().validate_json("[" + ",".join(texts) + "]")
    except ValidationError:
        return None
    finally:
        if running:
            gc.enable()


def _load_tenants(files: list[Path], folder: str, cache: ResultCache) -> tuple[list[tuple[str, TenantSpec]],
                                                                               list[Problem]]:
    """Every tenant file of a folder, in order, and their problems. With a cache, the JSON of every file an
    earlier run found clean is one entry (`tenant-index`), each record used only for the very bytes it was
    stored for; a clean record was stored only after the file's own rules passed with the same code (the
    tool fingerprint is part of every entry), so a hit is not checked by them again."""
    index_key = cache_keys.tenant_index(folder=folder)
    index = cache.get(cache_keys.TENANT_INDEX, index_key) if cache.enabled else None
    records: dict[str, str] = ({k: v for k, v in index.items() if isinstance(v, str)}
                               if isinstance(index, dict) else {})
    shown = [_display(file) for file in files]
    bodies: list[bytes | ModelError] = []
    for file, display in zip(files, shown, strict=True):
        try:
            bodies.append(_read_body(file, display))
        except ModelError as exc:
            bodies.append(exc)
    keys = [cache_keys.tenant_file(display=display, body=body) if isinstance(body, bytes) else ""
            for display, body in zip(shown, bodies, strict=True)]
    hits = [i for i, key in enumerate(keys) if key in records]
    validated = _validated_together([records[keys[i]] for i in hits])
    tenants: dict[int, TenantSpec] = dict(zip(hits, validated, strict=True)) if validated is not None else {}
    clean: dict[str, str] = {}
    problems: list[Problem] = []
    # in file order, as without a cache
    for i, (file, display, body) in enumerate(zip(files, shown, bodies, strict=True)):
        if isinstance(body, ModelError):
            problems += body.problems
        elif i in tenants:
            clean[keys[i]] = records[keys[i]]
        else:
            try:
                tenants[i], clean[keys[i]] = _load_tenant(file, display, body, cache)
            except ModelError as exc:
                problems += exc.problems
    if cache.enabled and clean != records:
        cache.put(cache_keys.TENANT_INDEX, index_key, clean)
    return [(shown[i], tenants[i]) for i in sorted(tenants)], problems


def load_platform(tenants_dir: str | os.PathLike[str], clusters_path: str | os.PathLike[str], *,
                  cache: ResultCache = NO_CACHE) -> Platform:
    """Load and cross-check everything; raise one ModelError listing every problem in every file.
    `cache`: clean tenant files and a clean inventory seen before are not parsed again (load_inventory,
    _load_tenants); the cross-file rules always run."""
    problems: list[Problem] = []
    try:
        inventory: ClusterInventory | None = load_inventory(clusters_path, cache)
    except ModelError as exc:
        inventory, problems = None, list(exc.problems)
    files = tenant_files(tenants_dir)
    loaded, more = _load_tenants(files, _display(Path(tenants_dir)), cache)
    problems += more
    if inventory is not None:
        problems += [Problem(f, field, m) for f, field, m in platform_rules(loaded, inventory)]
    if problems or inventory is None:
        raise ModelError(problems)
    ordered = sorted(loaded, key=lambda pair: pair[1].id)
    return Platform(tenants=tuple(t for _, t in ordered), inventory=inventory,
                    tenant_files={t.id: f for f, t in ordered})

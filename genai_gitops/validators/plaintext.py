"""Plaintext secrets in rendered manifests: defence in depth behind the tenant-file scan.

Tenant files are scanned when they are loaded, but a value can reach `dist/` in a shape the
scan did not see (a `!!binary` key once rode into an AppProject, a Namespace annotation and the
LiteLLM teams ConfigMap) or by a hand-edit. This pass reads only where a secret written in plain
text would land and be readable by anyone with `get` on the object: ConfigMap data, container
`env` values, `args` and `command`, labels, annotations and AppProject descriptions. Secrets
belong in AWS Secrets Manager, reach pods through an ExternalSecret and are read with
`secretKeyRef`.

It is cheap on 27k objects: only those fields are read, values shorter than 8 characters are
skipped, and the detector caches its answer per value (labels and most env values repeat).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from genai_gitops import cache_keys
from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.manifests.pods import pod_spec_path, pod_template_body
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding
from genai_gitops.secretscan import CleanLines, keyword_kind_in, secret_kind_in
from genai_gitops.validators.workloads import as_dict, as_dicts

RULE = "plaintext-secret"
_HOW = ("a secret in a manifest is readable by anyone who can read the object and is committed to git; "
        "keep it in AWS Secrets Manager, sync it with an ExternalSecret and read it with secretKeyRef")


def _strings(mapping: Any, prefix: str) -> Iterator[tuple[str, str, str]]:
    for key, value in as_dict(mapping).items():
        if isinstance(value, str):
            yield f"{prefix}.{key}", str(key), value


def _container_values(resource: Resource) -> Iterator[tuple[str, str, str, bool]]:
    """(path, name, value, is_env) of the env values, args and command of a workload's containers."""
    body = pod_template_body(resource)
    if body is None:
        return
    spec = as_dict(body.get("spec"))
    prefix = pod_spec_path(resource.kind)
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for index, container in enumerate(as_dicts(spec.get(group))):
            where = f"{prefix}.{group}[{index}]"
            for env in as_dicts(container.get("env")):
                value = env.get("value")
                if isinstance(value, str):
                    yield f"{where}.env[{env.get('name')}]", str(env.get("name", "")), value, True
            for field in ("args", "command"):
                items = container.get(field)
                for position, item in enumerate(items if isinstance(items, list) else []):
                    if isinstance(item, str):
                        yield f"{where}.{field}[{position}]", field, item, False


def _values(resource: Resource) -> Iterator[tuple[str, str, str, bool]]:
    yield from ((p, k, v, False) for p, k, v in _strings(resource.metadata.get("labels"), "metadata.labels"))
    yield from ((p, k, v, False) for p, k, v in _strings(resource.metadata.get("annotations"),
                                                         "metadata.annotations"))
    kind = resource.kind
    if kind == "ConfigMap":
        yield from ((p, k, v, False) for p, k, v in _strings(resource.obj.get("data"), "data"))
        yield from ((p, k, v, False) for p, k, v in _strings(resource.obj.get("binaryData"), "binaryData"))
    elif kind == "AppProject":
        spec = as_dict(resource.obj.get("spec"))
        if isinstance(spec.get("description"), str):
            yield "spec.description", "description", spec["description"], False
        for index, role in enumerate(as_dicts(spec.get("roles"))):
            if isinstance(role.get("description"), str):
                yield f"spec.roles[{index}].description", "description", role["description"], False
    else:
        yield from _container_values(resource)


def plaintext_findings(resources: Iterable[Resource], validator: str, *, cache: ResultCache = NO_CACHE,
                       where: str = "") -> Iterator[Finding]:
    """The findings; with a `cache` that lasts, the values and the lines of long values (files in ConfigMaps)
    found clean are kept under `where` (the target's name) for the next run, which scans only those it does
    not know (secretscan.CleanLines): the findings are the same, and a run that meets no new value does not
    even load detect-secrets."""
    clean = _clean_lines(cache, where) if cache.persistent and where else None
    yield from _findings(resources, validator, clean)
    if clean is not None:
        cache.put(cache_keys.CLEAN_LINES, cache_keys.clean_lines(where=where), sorted(clean.found))


def _clean_lines(cache: ResultCache, where: str) -> CleanLines:
    kept = cache.get(cache_keys.CLEAN_LINES, cache_keys.clean_lines(where=where))
    known = frozenset(k for k in kept if isinstance(k, str)) if isinstance(kept, list) else frozenset()
    return CleanLines(known=known)


def _findings(resources: Iterable[Resource], validator: str, clean: CleanLines | None) -> Iterator[Finding]:
    for resource in resources:
        for path, name, value, is_env in _values(resource):
            what = secret_kind_in(value, name, clean) or (keyword_kind_in(name, value, clean) if is_env else None)
            if what:
                yield Finding.about(resource, validator=validator, rule=RULE,
                                    message=f"{path}: this looks like {what} in plain text; {_HOW}")

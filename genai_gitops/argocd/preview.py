"""Offline preview: every ApplicationSet in argocd/ rendered into the Applications Argo CD would create.

Per ApplicationSet, as the controller does it: each entry of `spec.generators` yields parameter sets
(generators/), the template (merged with the entry's own `template` override) is rendered with each
set - every string and map key, Go templates only - then `templatePatch` is rendered, parsed and
merged in (it may not change `spec.project`), the resources finalizer is added unless resources
are preserved on deletion, and the Application lands in the ApplicationSet's namespace.

Anything the preview cannot reproduce exactly raises `PreviewError(unsupported=True)` naming it
(`template=True` when it is a Go template construct or option outside gotemplate.py's contract);
an ApplicationSet Argo CD itself would fail on raises `PreviewError`. The result is data
(`PreviewApp`); printing belongs to the CLI.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_gitops import safeyaml
from genai_gitops.argocd.generators import GeneratorError, Params, UnsupportedGeneratorFeature, new_context, transform
from genai_gitops.argocd.gotemplate import TemplateError, UnsupportedTemplateFeature, render
from genai_gitops.manifests import Resource, read_paths
from genai_gitops.model.apps import ARGOCD_NAMESPACE
from genai_gitops.model.cluster import ClusterInventory

ARGOCD_DIR = "argocd"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"

_SPEC_FIELDS = ("goTemplate", "goTemplateOptions", "generators", "template", "templatePatch", "syncPolicy",
                "strategy", "preservedFields", "ignoreApplicationDifferences", "applyNestedSelectors")
_TEMPLATE_META = ("name", "namespace", "labels", "annotations", "finalizers")
_NO_VALUE = "<no value>"
#: the only goTemplateOptions the template engine renders exactly: what appsets.py writes
TEMPLATE_OPTIONS = ("missingkey=error",)


class PreviewError(ValueError):
    """The preview cannot render an ApplicationSet. `unsupported`: a feature it lacks (`template`: a Go
    template construct or option outside gotemplate.py's contract); `file`: the ApplicationSet's file."""

    def __init__(self, message: str, *, unsupported: bool = False, template: bool = False, file: str = "") -> None:
        super().__init__(message)
        self.unsupported = unsupported or template
        self.template = template
        self.file = file


@dataclass(frozen=True)
class PreviewApp:
    """One generated Application, reduced to what delivery checks and people look at."""

    name: str
    project: str
    #: the destination as written: Argo CD cluster name, or API server URL when only that is set
    cluster: str
    namespace: str
    #: the (first) source's path in its repository ("" for a chart source)
    path: str
    sync_wave: int
    labels: Mapping[str, str]
    spec: Mapping[str, Any]
    application_set: str = ""
    #: the ApplicationSet's file
    file: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def destination(self) -> Mapping[str, Any]:
        value = self.spec.get("destination")
        return value if isinstance(value, Mapping) else {}

    @property
    def sources(self) -> list[Mapping[str, Any]]:
        """`spec.source`, or each of `spec.sources`."""
        if isinstance(self.spec.get("sources"), list):
            return [s for s in self.spec["sources"] if isinstance(s, Mapping)]
        source = self.spec.get("source")
        return [source] if isinstance(source, Mapping) else []

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "project": self.project, "cluster": self.cluster, "namespace": self.namespace,
                "path": self.path, "syncWave": self.sync_wave}


def preview(repo_root: Path, inventory: ClusterInventory, *, memo: dict[str, Any] | None = None) -> list[PreviewApp]:
    """Every Application the ApplicationSets in `repo_root/argocd/` generate, sorted by name.

    `memo`: the generators' memo of what they read (pass an empty dict to keep it; recorded.py
    makes a record of it)."""
    apps: list[PreviewApp] = []
    owner: dict[str, str] = {}
    cache: dict[str, Any] = {} if memo is None else memo  # the working tree and inventory, read once for all
    for appset in load_application_sets(repo_root):
        for app in preview_application_set(appset, repo_root, inventory, cache=cache):
            if app.name in owner:
                raise PreviewError(f"{appset.file}: ApplicationSet {appset.name} generates Application {app.name}, "
                                   f"which ApplicationSet {owner[app.name]} generates too", file=appset.file)
            owner[app.name] = appset.name
            apps.append(app)
    return sorted(apps, key=lambda a: a.name)


def load_application_sets(repo_root: Path) -> list[Resource]:
    folder = repo_root / ARGOCD_DIR
    if not folder.is_dir():
        raise PreviewError(f"{folder}: no such folder (the ApplicationSets live in {ARGOCD_DIR}/)")
    manifests = read_paths([folder])
    if manifests.findings:
        first = manifests.findings[0]
        raise PreviewError(f"{first.file}:{first.line}: {first.message}")
    return [r for r in manifests.resources if r.kind == "ApplicationSet" and r.group == "argoproj.io"]


def preview_application_set(appset: Resource, repo_root: Path, inventory: ClusterInventory, *,
                            cache: dict[str, Any] | None = None) -> list[PreviewApp]:
    where, file = f"{appset.file}: ApplicationSet {appset.name}", appset.file
    try:
        apps = render_applications(appset.obj, repo_root, inventory, cache=cache)
    except UnsupportedTemplateFeature as exc:
        raise PreviewError(f"{where}: {exc}", template=True, file=file) from None
    except UnsupportedGeneratorFeature as exc:
        raise PreviewError(f"{where}: {exc}", unsupported=True, file=file) from None
    except (GeneratorError, TemplateError) as exc:
        raise PreviewError(f"{where}: {exc}", file=file) from None
    except PreviewError as exc:
        raise PreviewError(f"{where}: {exc}", unsupported=exc.unsupported, template=exc.template,
                           file=file) from None
    return [_preview_app(app, appset, where) for app in apps]


def render_applications(appset: Mapping[str, Any], repo_root: Path, inventory: ClusterInventory, *,
                        cache: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The Application objects one ApplicationSet generates (the controller's GenerateApplications)."""
    metadata = appset.get("metadata") or {}
    name = str(metadata.get("name", ""))
    spec = appset.get("spec")
    if not isinstance(spec, Mapping):
        raise PreviewError("spec: missing")
    unknown = sorted(set(spec) - set(_SPEC_FIELDS))
    if unknown:
        raise PreviewError(f"spec: field(s) {', '.join(unknown)} not supported", unsupported=True)
    if spec.get("goTemplate") is not True:
        raise PreviewError("spec.goTemplate: only Go templates (goTemplate: true) are supported; fasttemplate "
                           "({{param}} substitution) is not", unsupported=True)
    _check_template_options(spec.get("goTemplateOptions"))
    template = spec.get("template") or {}
    if not isinstance(template, Mapping):
        raise PreviewError("spec.template: expected a mapping")
    patch = spec.get("templatePatch")
    if patch is not None and not isinstance(patch, str):
        raise PreviewError("spec.templatePatch: expected a string")
    sync_policy = spec.get("syncPolicy") or {}
    preserve = isinstance(sync_policy, Mapping) and sync_policy.get("preserveResourcesOnDeletion") is True
    namespace = str(metadata.get("namespace") or ARGOCD_NAMESPACE)
    context = new_context(repo_root, inventory, application_set=name, cache=cache)
    generators = spec.get("generators")
    if not isinstance(generators, list) or not generators:
        raise PreviewError("spec.generators: expected a non-empty list")

    apps: list[dict[str, Any]] = []
    names: set[str] = set()
    for index, entry in enumerate(generators):
        where = f"spec.generators[{index}]"
        params_list = transform(entry, context, where)
        key = next(k for k in entry if k != "selector")
        override = (entry[key] or {}).get("template") if isinstance(entry[key], Mapping) else None
        app_template = _template_application(_with_defaults(override, template) if override else template)
        for params in params_list:
            app = _render_template(app_template, params)
            if patch is not None:
                app = _apply_template_patch(app, _render_text(patch, params, "templatePatch"))
            meta = app.setdefault("metadata", {})
            if not preserve and not meta.get("finalizers"):
                meta["finalizers"] = [RESOURCES_FINALIZER]
            # generated Applications always live in the ApplicationSet's namespace
            meta["namespace"] = namespace
            app_name = str(meta.get("name") or "")
            if not app_name:
                raise PreviewError(f"{where}: an application has no name; set the template's metadata.name or "
                                   "a templatePatch (generateName is not supported)")
            if app_name in names:
                raise PreviewError(f"{where}: contains applications with duplicate name: {app_name}")
            names.add(app_name)
            _no_missing_values(app, app_name)
            apps.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **app})
    return apps


def _check_template_options(options: Any) -> None:
    """Only `[missingkey=error]`: the engine implements Go's semantics for that option alone."""
    if not isinstance(options, list) or not options or any(o not in TEMPLATE_OPTIONS for o in options):
        raise PreviewError(f"spec.goTemplateOptions: {options!r}: the offline preview renders Go templates only "
                           "with [missingkey=error], as `genai-gitops synth` writes them; set goTemplateOptions: "
                           "[missingkey=error], or regenerate argocd/ with `genai-gitops synth`", template=True)


def _template_application(template: Mapping[str, Any]) -> dict[str, Any]:
    meta = template.get("metadata") or {}
    unknown = sorted(set(meta) - set(_TEMPLATE_META))
    if unknown:
        raise PreviewError(f"spec.template.metadata: field(s) {', '.join(unknown)} are not part of an "
                           "ApplicationSet template", unsupported=True)
    return {"metadata": {k: copy.deepcopy(meta[k]) for k in _TEMPLATE_META if meta.get(k)},
            "spec": copy.deepcopy(template.get("spec") or {})}


def _with_defaults(override: Any, template: Mapping[str, Any]) -> dict[str, Any]:
    """A generator's own `template` with empty fields filled from the ApplicationSet's (mergo.Merge)."""
    if not isinstance(override, Mapping):
        raise PreviewError("generator template: expected a mapping")
    out = copy.deepcopy(dict(override))
    for key, value in template.items():
        current = out.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping) and current:
            out[key] = _with_defaults(current, value)
        elif current in (None, "", 0, False, [], {}):
            out[key] = copy.deepcopy(value)
    return out


def _render_template(template: dict[str, Any], params: Params) -> dict[str, Any]:
    """Every string and map key of the template rendered with `params` (none at all when params are
    empty: Argo CD then keeps the template as it is)."""
    if not params:
        return copy.deepcopy(template)

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, str):
            return _render_text(node, params, f"template.{path}")
        if isinstance(node, list):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(node)]
        if isinstance(node, Mapping):
            return {_render_text(str(k), params, f"template.{path}"): walk(v, f"{path}.{k}")
                    for k, v in node.items()}
        return node

    return {key: walk(value, key) for key, value in template.items()}


def _render_text(text: str, params: Params, field: str) -> str:
    """One string rendered; an error names the field it came from."""
    try:
        return render(text, params)
    except TemplateError as exc:
        raise type(exc)(f"{field}: {exc}") from None


def _apply_template_patch(app: dict[str, Any], text: str) -> dict[str, Any]:
    """The rendered templatePatch, parsed as YAML (or JSON) and merged into the Application."""
    try:
        patch = safeyaml.load_json(text) if text.strip().startswith("{") else safeyaml.load_yaml(text)
    except safeyaml.InputError as exc:
        raise PreviewError(f"templatePatch: error while converting template to json: {exc}") from None
    if patch is None:
        return app
    if not isinstance(patch, Mapping):
        raise PreviewError(f"templatePatch: invalid templatePatch: expected an object, got {type(patch).__name__}")
    unknown = sorted(set(patch) - {"metadata", "spec", "apiVersion", "kind", "operation", "status"})
    if unknown:
        raise PreviewError(f"templatePatch: field(s) {', '.join(unknown)} are not Application fields")
    _refuse_directives(patch, "templatePatch")
    project = (app.get("spec") or {}).get("project")
    patched = _merge_patch(app, {k: v for k, v in patch.items() if k in ("metadata", "spec")})
    # Argo CD restores the project whatever the patch said: a patch must not move an app out of its fence
    if project is not None or "project" in (patched.get("spec") or {}):
        patched.setdefault("spec", {})
        if patched["spec"] is None:
            patched["spec"] = {}
        patched["spec"]["project"] = project
    return patched


def _refuse_directives(patch: Any, path: str) -> None:
    if isinstance(patch, Mapping):
        for key, value in patch.items():
            if str(key).startswith("$"):
                raise PreviewError(f"{path}: strategic merge directive {key} is not supported", unsupported=True)
            _refuse_directives(value, f"{path}.{key}")
    elif isinstance(patch, list):
        for i, item in enumerate(patch):
            _refuse_directives(item, f"{path}[{i}]")


def _merge_patch(target: Any, patch: Any, path: str = "") -> Any:
    """Strategic merge patch on an Application: maps merge, null deletes, lists are replaced - but for
    `metadata.finalizers`, which ObjectMeta merges (patchStrategy: merge)."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    out = copy.deepcopy(dict(target)) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        at = f"{path}.{key}" if path else str(key)
        if value is None:
            out.pop(key, None)
        elif at == "metadata.finalizers" and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + [f for f in value if f not in out[key]]
        else:
            out[key] = _merge_patch(out.get(key), value, at)
    return out


def _no_missing_values(app: Mapping[str, Any], name: str) -> None:
    """`<no value>` is what Go prints for nil, such as a key `index` could not find in a
    `map[string]interface{}` (missingkey does not apply to `index`): Argo CD would create the
    Application like that, and it would be broken."""
    def walk(node: Any, path: str) -> None:
        if isinstance(node, str) and _NO_VALUE in node:
            raise PreviewError(f"Application {name}: {path} rendered as {node!r}: a parameter the template "
                               "reads with `index` does not exist, or is null")
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(str(key), path)
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(app, "")


def _preview_app(app: Mapping[str, Any], appset: Resource, where: str) -> PreviewApp:
    meta = app.get("metadata") or {}
    spec = app.get("spec") or {}
    destination = spec.get("destination") or {}
    sources: Sequence[Any] = spec["sources"] if isinstance(spec.get("sources"), list) else [spec.get("source") or {}]
    path = next((str(s["path"]) for s in sources if isinstance(s, Mapping) and s.get("path")), "")
    annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
    try:
        wave = int(annotations.get(SYNC_WAVE, "0"))
    except ValueError:
        wave = 0  # Argo CD reads an unparsable wave as 0
    return PreviewApp(
        name=str(meta.get("name", "")), project=str(spec.get("project") or "default"),
        cluster=str(destination.get("name") or destination.get("server") or ""),
        namespace=str(destination.get("namespace") or ""), path=path, sync_wave=wave,
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()}, spec=spec,
        application_set=appset.name, file=appset.file, annotations=annotations)

"""The generator interface, and the controller step that runs one generator entry (Argo CD's `Transform`).

A generator turns its spec into parameter sets. The controller picks the one generator an entry
names, interpolates it with the parent's parameters when it is a matrix's second child, runs it and
applies the entry's post-selector. Matrix and merge call `transform` for their children, so they
compose generators without knowing them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from genai_gitops.argocd.gotemplate import StringList, StringMap, TemplateError, render
from genai_gitops.manifests.selectors import OPERATORS, requirement_holds
from genai_gitops.model.cluster import ClusterInventory

#: one parameter set: what a generated Application's template is rendered with
Params = dict[str, Any]

#: generators Argo CD has that the offline preview cannot run: they ask an SCM, a cluster or a plugin
UNSUPPORTED_GENERATORS = ("scmProvider", "pullRequest", "clusterDecisionResource", "plugin")
#: matrix/merge children may themselves be matrix/merge once; Argo CD's CRD has no deeper recursion
MAX_NESTING = 1


class GeneratorError(ValueError):
    """The generator spec is wrong, or Argo CD's controller would fail on it the same way."""


class UnsupportedGeneratorFeature(GeneratorError):
    """A generator or field the offline preview does not implement; the message names it."""


@dataclass
class GeneratorContext:
    """What generators may read: the repository's working tree and the cluster inventory."""

    repo_root: Path
    inventory: ClusterInventory
    #: the ApplicationSet being rendered (for messages)
    application_set: str = ""
    generators: Mapping[str, Generator] = field(default_factory=dict)
    #: per-preview memo (the git generator keeps its directory listing here)
    cache: dict[str, Any] = field(default_factory=dict)

    def render(self, template: str, params: Params) -> str:
        return render(template, params)


class Generator(Protocol):
    #: the generator's key in `spec.generators[]`: list, clusters, git, matrix, merge
    key: str

    def generate(self, spec: Mapping[str, Any], context: GeneratorContext, depth: int) -> list[Params]:
        """Parameter sets for `spec` (the value under `key`); `depth` is the matrix/merge nesting level."""
        ...


def check_fields(spec: Any, allowed: Sequence[str], where: str, *, required: Sequence[str] = ()) -> Mapping[str, Any]:
    """`spec` as a mapping with known fields only: an unknown field is refused by name, never ignored."""
    if not isinstance(spec, Mapping):
        raise GeneratorError(f"{where}: expected a mapping, got {type(spec).__name__}")
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        raise UnsupportedGeneratorFeature(
            f"{where}: field(s) {', '.join(unknown)} not supported (known: {', '.join(allowed)})")
    missing = [name for name in required if name not in spec]
    if missing:
        raise GeneratorError(f"{where}: missing required field(s) {', '.join(missing)}")
    return spec


def json_value(value: Any) -> Any:
    """A value as Argo CD sees it after JSON: numbers are float64, keys strings, dates their text."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if hasattr(value, "isoformat"):  # YAML timestamps: the API server keeps them as strings
        return value.isoformat()
    return str(value)


def append_values(values: Any, params: Params, context: GeneratorContext, where: str) -> None:
    """A generator's `values`: each rendered with the generator's own params into `params.values`."""
    if values is None:
        return
    if not isinstance(values, Mapping) or not all(isinstance(v, str) for v in values.values()):
        raise GeneratorError(f"{where}.values: expected a mapping of strings")
    rendered = StringMap()
    for key, template in values.items():
        try:
            rendered[str(key)] = context.render(template, params)
        except TemplateError as exc:
            raise _reraise(exc, f"{where}.values.{key}") from None
    if rendered:
        params["values"] = rendered


def _reraise(exc: TemplateError, where: str) -> TemplateError:
    return type(exc)(f"{where}: {exc}")


# ---------------------------------------------------------------------------------------------
# Label selectors (cluster secrets, post-selectors)
# ---------------------------------------------------------------------------------------------

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass(frozen=True)
class LabelSelector:
    match_labels: Mapping[str, str]
    expressions: tuple[tuple[str, str, tuple[str, ...]], ...]

    @property
    def empty(self) -> bool:
        return not self.match_labels and not self.expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.match_labels.items():
            if labels.get(key) != value:
                return False
        return all(requirement_holds(labels, key, operator, values) for key, operator, values in self.expressions)


def parse_selector(spec: Any, where: str, *, validate_values: bool) -> LabelSelector:
    """A metav1.LabelSelector. `validate_values` is Kubernetes' check (cluster secret selectors);
    Argo CD's post-selectors skip it so that values such as URLs can be matched."""
    if spec is None:
        return LabelSelector({}, ())
    spec = check_fields(spec, ("matchLabels", "matchExpressions"), where)
    labels = spec.get("matchLabels") or {}
    if not isinstance(labels, Mapping):
        raise GeneratorError(f"{where}.matchLabels: expected a mapping")
    match_labels = {str(k): _label_value(v, f"{where}.matchLabels.{k}") for k, v in labels.items()}
    for key, value in match_labels.items():
        _check_label(key, value, f"{where}.matchLabels", validate_values=validate_values)
    expressions = []
    for i, expr in enumerate(spec.get("matchExpressions") or []):
        at = f"{where}.matchExpressions[{i}]"
        expr = check_fields(expr, ("key", "operator", "values"), at, required=("key", "operator"))
        key, operator = str(expr["key"]), str(expr["operator"])
        values = tuple(_label_value(v, f"{at}.values") for v in expr.get("values") or [])
        if operator not in OPERATORS:
            raise GeneratorError(f"{at}: {operator!r} is not a valid label selector operator")
        if operator in ("In", "NotIn") and not values:
            raise GeneratorError(f"{at}: for 'in', 'notin' operators, values set can't be empty")
        if operator in ("Exists", "DoesNotExist") and values:
            raise GeneratorError(f"{at}: values set must be empty for exists and does not exist")
        for value in values:
            _check_label(key, value, at, validate_values=validate_values)
        expressions.append((key, operator, values))
    return LabelSelector(match_labels, tuple(expressions))


def _label_value(value: Any, where: str) -> str:
    """A selector's value: `map[string]string` / `[]string` in Go, so Argo CD refuses a number or a bool."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise GeneratorError(f"{where}: expected a string, got {value!r} (quote it: label values are strings)")
    return value


def _check_label(key: str, value: str, where: str, *, validate_values: bool) -> None:
    prefix, _, name = key.rpartition("/")
    if not _LABEL_NAME.match(name) or len(name) > 63 or (prefix and (not _DNS_SUBDOMAIN.match(prefix)
                                                                     or len(prefix) > 253)):
        raise GeneratorError(f"{where}: invalid label key {key!r}")
    if validate_values and (len(value) > 63 or not _LABEL_VALUE.match(value)):
        raise GeneratorError(f"{where}: invalid label value {value!r} for {key!r}: a label value is at most "
                             "63 characters of letters, digits, '-', '_' or '.', starting and ending "
                             "alphanumeric")


def flatten_params(params: Mapping[str, Any], where: str, prefix: str = "") -> dict[str, str]:
    """Params as the post-selector sees them: nested keys joined with '.', values printed with `%v`.
    A `[]string` stays one value; a `[]interface{}` is flattened by index (jeremywohl/flatten). Only
    strings are printed here (the preview's template engine prints nothing else either): a number,
    bool or null parameter is refused rather than formatted like Go's fmt."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, where, f"{name}."))
        elif isinstance(value, StringList):
            flat[name] = "[" + " ".join(value) + "]"
        elif isinstance(value, list):
            flat.update(flatten_params({str(i): v for i, v in enumerate(value)}, where, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise UnsupportedGeneratorFeature(
                f"{where}: parameter {name} is {value!r}: the offline preview matches post-selectors against "
                "string parameters only (quote the value)")
    return flat


# ---------------------------------------------------------------------------------------------
# Merging params (mergo.Merge with WithOverride, as matrix and merge use it)
# ---------------------------------------------------------------------------------------------

def merge_params(base: Params, override: Mapping[str, Any]) -> Params:
    """A copy of `base` with `override` merged in: nested maps merge key by key, anything else
    (including empty strings) from `override` wins, a non-empty list replaces."""
    out = copy.deepcopy(base)
    _merge_into(out, override)
    return out


def _merge_into(dst: dict[str, Any], src: Mapping[str, Any]) -> None:
    for key, value in src.items():
        current = dst.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict) and current:
            _merge_into(current, value)
        elif isinstance(value, list) and not value and key in dst:
            continue
        else:
            dst[key] = copy.deepcopy(value)


def merge_key(params: Mapping[str, Any], keys: Sequence[str]) -> str:
    """The merge generator's identity of a param set: its top-level values of `keys`, as JSON."""
    return json.dumps({k: _jsonable(params.get(k)) for k in sorted(set(keys))}, sort_keys=True,
                      separators=(",", ":"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Transform: run one generator entry
# ---------------------------------------------------------------------------------------------

def generator_key(entry: Any, where: str, known: Sequence[str]) -> str:
    """The one generator an entry of `generators[]` names (besides its `selector`)."""
    if not isinstance(entry, Mapping):
        raise GeneratorError(f"{where}: expected a mapping")
    keys = [k for k in entry if k != "selector"]
    unsupported = [k for k in keys if k in UNSUPPORTED_GENERATORS]
    if unsupported:
        raise UnsupportedGeneratorFeature(
            f"{where}: the {unsupported[0]} generator is not supported by the offline preview "
            "(it asks an SCM, a cluster or a plugin for its parameters)")
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise GeneratorError(f"{where}: unknown generator {unknown[0]!r} (Argo CD reports it as an "
                             f"unrecognized generator); known: {', '.join(known)}")
    if not keys:
        raise GeneratorError(f"{where}: the entry names no generator")
    if len(keys) > 1:
        raise UnsupportedGeneratorFeature(f"{where}: one entry with several generators ({', '.join(keys)}) "
                                          "is not supported; give each its own entry")
    return keys[0]


def transform(entry: Any, context: GeneratorContext, where: str, *, parent: Params | None = None,
              depth: int = 0) -> list[Params]:
    """Run one generator entry: interpolate it with `parent` (a matrix's first child's params),
    generate, then keep the param sets its post-`selector` matches."""
    key = generator_key(entry, where, tuple(context.generators))
    if depth > MAX_NESTING and key in ("matrix", "merge"):
        raise GeneratorError(f"{where}: {key} nested more than one level deep inside matrix/merge "
                             "(Argo CD's CRD allows only terminal generators there)")
    # the selector is read before interpolation, as Argo CD does
    selector = parse_selector(entry.get("selector"), f"{where}.selector", validate_values=False)
    spec = entry[key]
    if parent:
        spec = interpolate(spec, parent, context, f"{where}.{key}")
    params = context.generators[key].generate(spec if spec is not None else {}, context, depth)
    if selector.empty:
        return params
    return [p for p in params if selector.matches(flatten_params(p, f"{where}.selector"))]


def interpolate(spec: Any, params: Params, context: GeneratorContext, where: str) -> Any:
    """A matrix's second child rendered with the first child's params: every string and map key.

    `values` are the exception: a value naming a key only the child itself will produce is left
    for the child to render (Argo CD retries them with missingkey=error and keeps the raw text)."""
    def walk(node: Any, path: str) -> Any:
        if isinstance(node, str):
            return _render_at(node, params, context, path)
        if isinstance(node, list):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(node)]
        if isinstance(node, Mapping):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key == "values" and isinstance(value, Mapping):
                    out[key] = {k: _pre_resolve(v, params, f"{path}.values.{k}") for k, v in value.items()}
                    continue
                name = _render_at(str(key), params, context, path)
                out[name] = walk(value, f"{path}.{key}")
            return out
        return node

    return walk(spec, where)


def _render_at(template: str, params: Params, context: GeneratorContext, where: str) -> str:
    try:
        return context.render(template, params)
    except TemplateError as exc:
        raise _reraise(exc, where) from None


def _pre_resolve(value: Any, params: Params, where: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return render(value, params)
    except TemplateError as exc:
        if "map has no entry for key" in str(exc) or "can't evaluate field" in str(exc):
            return value
        raise _reraise(exc, where) from None


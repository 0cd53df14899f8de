"""ConstraintTemplates: read them, normalise their Rego for regorus, compile each one once.

A template's Rego is compiled into one regorus engine (entry module + libs + the extension
builtins). Evaluation never touches that engine: `CompiledTemplate.bind` clones it (a cheap copy of
the parsed state) and loads one `data.inventory` into the clone, so any number of objects and
constraints are evaluated against one compilation, and every bound copy starts from a clean state
the way gator's fresh client per case does.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import regorus

from genai_gitops.validators.gatekeeper import builtins
from genai_gitops.validators.gatekeeper.normalise import normalise_rego
from genai_gitops.validators.gatekeeper.objects import mapping, name_of
from genai_gitops.validators.gatekeeper.projection import inventory_kinds

TEMPLATE_GROUP = "templates.gatekeeper.sh"
TARGET = "admission.k8s.gatekeeper.sh"
REGO_ENGINE = "Rego"
_VIOLATION_RULE = re.compile(r"^[ \t]*violation\b", re.MULTILINE)
# templates may read only input, data.lib and data.inventory (Gatekeeper's externs)
_READS_INVENTORY = re.compile(r"\bdata\s*(?:\.\s*inventory\b|\[\s*\"inventory\"|\[\s*[A-Za-z_])")


class TemplateError(ValueError):
    """A ConstraintTemplate that Gatekeeper would refuse to add."""


class UnsupportedTemplateError(TemplateError):
    """A valid template this engine cannot evaluate (only a CEL `K8sNativeValidation` source)."""


class EvaluationError(RuntimeError):
    """Rego evaluation failed (Gatekeeper reports the error text as the violation message)."""


def is_template(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "ConstraintTemplate" and str(obj.get("apiVersion", "")).startswith(
        TEMPLATE_GROUP + "/")


def engine_message(exc: BaseException) -> str:
    """regorus' error text without the Rust backtrace it appends."""
    text = str(exc).split("\nStack backtrace:", 1)[0]
    return text.strip() or type(exc).__name__


@dataclass(frozen=True)
class ConstraintTemplate:
    """The parts of a ConstraintTemplate that evaluation needs."""

    name: str
    kind: str
    rego: str
    libs: tuple[str, ...] = ()
    rego_version: str = "v0"
    #: openAPIV3Schema of `spec.parameters` (None: anything goes)
    parameters_schema: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    #: admission operations the template applies to at the webhook (empty: all)
    operations: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, tuple[str, ...], str]:
        """What the compilation depends on: equal keys compile to the same engine."""
        return (self.kind, self.rego, self.libs, self.rego_version)

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> ConstraintTemplate:
        if not is_template(obj):
            raise TemplateError(f"not a ConstraintTemplate: {obj.get('apiVersion', '')} {obj.get('kind', '')}")
        name = name_of(obj)
        spec = mapping(obj.get("spec"))
        crd_spec = mapping(mapping(spec.get("crd")).get("spec"))
        kind = str(mapping(crd_spec.get("names")).get("kind", ""))
        if not kind:
            raise TemplateError(f"ConstraintTemplate {name!r} does not specify spec.crd.spec.names.kind")
        if name.lower() != kind.lower():
            raise TemplateError(f"the ConstraintTemplate's name {name!r} is not equal to the lowercase of its "
                                f"kind: {kind.lower()!r}")
        schema = mapping(crd_spec.get("validation")).get("openAPIV3Schema")
        targets = spec.get("targets")
        if not isinstance(targets, list) or len(targets) != 1:
            raise TemplateError(f"ConstraintTemplate {name!r} must have exactly one target, "
                                f"found {len(targets) if isinstance(targets, list) else 0}")
        target = mapping(targets[0])
        if target.get("target") != TARGET:
            raise TemplateError(f"ConstraintTemplate {name!r}: target {target.get('target')!r} is not {TARGET}")
        rego, libs, version = _rego_source(name, target)
        operations = tuple(str(op) for op in target.get("operations") or ())
        return cls(name=name, kind=kind, rego=rego, libs=libs, rego_version=version,
                   parameters_schema=schema if isinstance(schema, Mapping) else None, operations=operations)


def _rego_source(name: str, target: Mapping[str, Any]) -> tuple[str, tuple[str, ...], str]:
    """(rego, libs, version) as Gatekeeper picks them: a legacy `rego:` field wins over `code:`."""
    legacy = target.get("rego")
    if isinstance(legacy, str) and legacy:
        return legacy, tuple(str(lib) for lib in target.get("libs") or ()), "v0"
    for code in target.get("code") or ():
        if not isinstance(code, Mapping) or code.get("engine") != REGO_ENGINE:
            continue
        source = mapping(code.get("source"))
        rego = source.get("rego")
        if not isinstance(rego, str):
            raise TemplateError(f"ConstraintTemplate {name!r}: code source is missing 'rego'")
        version = str(source.get("version") or "v0")
        if version not in ("v0", "v1"):
            raise TemplateError(f"ConstraintTemplate {name!r}: unknown Rego version {version!r}")
        return rego, tuple(str(lib) for lib in source.get("libs") or ()), version
    engines = sorted({str(c.get("engine")) for c in target.get("code") or () if isinstance(c, Mapping)})
    if engines:
        raise UnsupportedTemplateError(f"ConstraintTemplate {name!r} has no Rego source (only "
                                       f"{', '.join(engines)}, which this engine does not evaluate)")
    raise TemplateError(f"ConstraintTemplate {name!r} has no Rego source")


class CompiledTemplate:
    """One template's Rego parsed into a regorus engine, plus its parameter schema."""

    def __init__(self, template: ConstraintTemplate) -> None:
        self.template = template
        source = normalise_rego(template.rego, template.rego_version)
        if not _VIOLATION_RULE.search(source):
            raise TemplateError(f"ConstraintTemplate {template.name!r}: invalid rego: missing required rules: "
                                "[violation]")
        engine = regorus.Engine()
        engine.set_rego_v0(template.rego_version != "v1")
        builtins.register(engine)
        try:
            engine.add_policy(f"{template.name}.rego", source)
            packages = engine.get_packages()
            for index, lib in enumerate(template.libs):
                engine.add_policy(f"{template.name}.lib_{index}.rego", normalise_rego(lib, template.rego_version))
        except RuntimeError as exc:
            raise TemplateError(f"ConstraintTemplate {template.name!r}: {engine_message(exc)}") from exc
        self.package = packages[0]
        self.query = f"{self.package}.violation"
        self.reads_inventory = any(_READS_INVENTORY.search(src) for src in (template.rego, *template.libs))
        #: the only (scope, kind) pairs of data.inventory it can read; None: any
        self.inventory_kinds = inventory_kinds((template.rego, *template.libs))
        # regorus prepares the policies on the first evaluation after any data change (~0.3 ms);
        # preparing here, with Gatekeeper's empty inventory, lets every clone skip that step unless
        # it loads an inventory of its own
        engine.add_data_json('{"inventory":{}}')
        engine.set_input_json("{}")
        with contextlib.suppress(RuntimeError):
            engine.eval_rule_as_json(self.query)
        self._engine = engine
        self._schema_validator = _schema_validator(template)

    @property
    def kind(self) -> str:
        return self.template.kind

    def bind(self, inventory_json: str = "{}") -> BoundTemplate:
        """A fresh copy of the compiled engine whose `data.inventory` is the given JSON object."""
        engine = self._engine.clone()
        if self.reads_inventory and inventory_json != "{}":
            engine.add_data_json('{"inventory":' + inventory_json + "}")
        return BoundTemplate(self, engine)

    def parameter_errors(self, parameters: Any) -> list[str]:
        """Schema violations of a constraint's `spec.parameters` ("path: message")."""
        if self._schema_validator is None:
            return []
        return [f"spec.parameters{''.join(f'[{p!r}]' if isinstance(p, str) else f'[{p}]' for p in e.instance_path)}"
                f": {e.message}" for e in self._schema_validator.iter_errors(parameters)]

    def apply_defaults(self, parameters: Any) -> Any:
        """`parameters` with the schema's `default`s filled in, as the API server's structural defaulting does."""
        schema = self.template.parameters_schema
        if schema is None:
            return parameters
        return _default(copy.deepcopy(parameters), schema)


def _schema_validator(template: ConstraintTemplate) -> Any:
    schema = template.parameters_schema
    if not schema:
        return None
    try:
        return jsonschema_rs.Draft4Validator(_json_schema(schema))
    except (ValueError, jsonschema_rs.ValidationError) as exc:
        raise TemplateError(f"ConstraintTemplate {template.name!r}: invalid openAPIV3Schema: {exc}") from exc


def _json_schema(schema: Any) -> Any:
    """OpenAPI v3 -> JSON Schema: `nullable: true` widens the type to null."""
    if isinstance(schema, list):
        return [_json_schema(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    out = {key: _json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _default(value: Any, schema: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            for name, prop in properties.items():
                if not isinstance(prop, Mapping):
                    continue
                if name not in value and "default" in prop:
                    value[name] = copy.deepcopy(prop["default"])
                if name in value:
                    value[name] = _default(value[name], prop)
        additional = schema.get("additionalProperties")
        if isinstance(additional, Mapping):
            for name in value:
                if not isinstance(properties, Mapping) or name not in properties:
                    value[name] = _default(value[name], additional)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [_default(item, schema["items"]) for item in value]
    return value


class BoundTemplate:
    """A compiled template with one inventory loaded: evaluates constraint inputs."""

    def __init__(self, compiled: CompiledTemplate, engine: Any) -> None:
        self.compiled = compiled
        self._engine = engine

    def violations(self, input_json: str) -> list[dict[str, Any]]:
        """The template's `violation` set for one input, read as JSON (regorus sets do not cross into Python).

        Like Gatekeeper's hook, results without a `msg` are dropped; `details` defaults to {}.
        """
        try:
            self._engine.set_input_json(input_json)
            text = self._engine.eval_rule_as_json(self.compiled.query)
        except RuntimeError as exc:
            raise EvaluationError(engine_message(exc)) from exc
        if text == "[]":
            return []  # most evaluations find nothing: no need to parse the empty set
        raw = json.loads(text)
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise EvaluationError(f"{self.compiled.query} is not a set of violations")
        results = []
        for item in raw:
            if not isinstance(item, dict) or "msg" not in item:
                continue
            if not isinstance(item["msg"], str):
                raise EvaluationError(f"extracting message binding: msg is a {type(item['msg']).__name__}, "
                                      "not a string")
            results.append({"msg": item["msg"], "details": item.get("details", {})})
        return results


class TemplateCompiler:
    """Compiles each distinct template once; callers share one compiler to share the compilations."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, str, tuple[str, ...], str], CompiledTemplate] = {}

    def compile(self, template: ConstraintTemplate) -> CompiledTemplate:
        compiled = self._compiled.get(template.key)
        if compiled is None or compiled.template.parameters_schema != template.parameters_schema:
            compiled = CompiledTemplate(template)
            self._compiled[template.key] = compiled
        return compiled

    def __len__(self) -> int:
        return len(self._compiled)

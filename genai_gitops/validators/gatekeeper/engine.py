"""Evaluate constraints against objects: templates x constraints x one inventory -> violations.

This is the part of Gatekeeper's constraint framework that gator runs: a constraint applies when
its template is known and `spec.match` selects the object; its template's `violation` rule runs with
`input = {"review": <review>, "parameters": <spec.parameters with schema defaults>}`; each result
with a `msg` is a violation. An evaluation error becomes one violation carrying the error text and a
match that cannot be decided one carrying "unable to match constraints", as in Gatekeeper.

`enforcementAction` is `deny` unless set; `scoped` takes the actions of
`scopedEnforcementActions` whose enforcement points include one of the engine's points (gator:
`gator.gatekeeper.sh`; `*` means every point) and a scoped constraint with none is not evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from genai_gitops.validators.gatekeeper.expansion import Expander
from genai_gitops.validators.gatekeeper.inventory import Inventory, to_json
from genai_gitops.validators.gatekeeper.match import ConstraintMatcher, Matchable, MatchError, scope_of
from genai_gitops.validators.gatekeeper.objects import group_version_kind, mapping, name_of, nested
from genai_gitops.validators.gatekeeper.review import SOURCE_GENERATED, Review, review_object
from genai_gitops.validators.gatekeeper.template import (
    BoundTemplate,
    CompiledTemplate,
    ConstraintTemplate,
    EvaluationError,
    TemplateCompiler,
)

CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
WEBHOOK = "validation.gatekeeper.sh"
AUDIT = "audit.gatekeeper.sh"
GATOR = "gator.gatekeeper.sh"
ALL_POINTS = "*"
DENY, WARN, DRYRUN, SCOPED = "deny", "warn", "dryrun", "scoped"
KNOWN_ACTIONS = frozenset({DENY, WARN, DRYRUN, SCOPED})


class ConstraintError(ValueError):
    """A constraint Gatekeeper would refuse; `schema` marks a parameters schema violation."""

    def __init__(self, message: str, *, schema: bool = False) -> None:
        super().__init__(message)
        self.schema = schema


def is_constraint(obj: Mapping[str, Any]) -> bool:
    return str(obj.get("apiVersion", "")).startswith(CONSTRAINT_GROUP + "/")


@dataclass(frozen=True)
class Constraint:
    kind: str
    name: str
    matcher: ConstraintMatcher = field(compare=False)
    parameters: Any = field(default_factory=dict, compare=False)
    enforcement_action: str = DENY
    #: (action, enforcement point names) per `scopedEnforcementActions` entry
    scoped_actions: tuple[tuple[str, frozenset[str]], ...] = ()
    obj: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> Constraint:
        if not is_constraint(obj):
            raise ConstraintError(f"not a Constraint: {obj.get('apiVersion', '')} {obj.get('kind', '')}")
        name, kind = name_of(obj), str(obj.get("kind") or "")
        if not name:
            raise ConstraintError(f"{kind} constraint has no metadata.name")
        spec = mapping(obj.get("spec"))
        try:
            matcher = ConstraintMatcher(spec.get("match"))
        except MatchError as exc:
            raise ConstraintError(f"{kind}/{name}: invalid Constraint: {exc}") from exc
        action = spec.get("enforcementAction", DENY)
        if not isinstance(action, str):
            raise ConstraintError(f"{kind}/{name}: invalid Constraint: invalid spec.enforcementAction")
        scoped: list[tuple[str, frozenset[str]]] = []
        if action == SCOPED:
            entries = spec.get("scopedEnforcementActions")
            if not isinstance(entries, list):
                raise ConstraintError(f"{kind}/{name}: missing required field: spec.scopedEnforcementActions must "
                                      "be defined")
            for entry in entries:
                points = entry.get("enforcementPoints") if isinstance(entry, Mapping) else None
                if not isinstance(points, list) or not all(isinstance(p, Mapping) for p in points):
                    raise ConstraintError(f"{kind}/{name}: scopedEnforcementActions value must be a [{{action: "
                                          "string, enforcementPoints: [{name: string}]}]")
                scoped.append((str(entry.get("action", "")), frozenset(str(p.get("name", "")) for p in points)))
        parameters = spec.get("parameters")
        return cls(kind=kind, name=name, matcher=matcher, parameters={} if parameters is None else parameters,
                   enforcement_action=action, scoped_actions=tuple(scoped), obj=obj)

    def actions_at(self, points: Iterable[str]) -> frozenset[str]:
        """The actions this constraint takes at these enforcement points (empty: not enforced there)."""
        if self.enforcement_action != SCOPED:
            return frozenset({self.enforcement_action})
        wanted = set(points)
        return frozenset(action for action, where in self.scoped_actions
                         if ALL_POINTS in where or where & wanted)


@dataclass(frozen=True)
class Violation:
    constraint: Constraint
    msg: str
    details: Any
    #: the actions the constraint takes at the engine's enforcement points
    actions: frozenset[str]
    #: the object the violation is about (for an expanded object: the object it was expanded from)
    obj: Mapping[str, Any] = field(repr=False)

    @property
    def enforcement_action(self) -> str:
        return self.constraint.enforcement_action


@dataclass
class _Entry:
    constraint: Constraint
    parameters_json: str
    #: the constraint's actions at the engine's enforcement points (fixed for the engine's life)
    actions: frozenset[str]


class PolicyEngine:
    """Templates, constraints and one inventory; reviews objects against them.

    `kind_scopes=True` lets the matcher use the known scope of common kinds (a namespaced kind
    without `metadata.namespace` stays namespaced); gator reads the scope from the object alone.
    `kind_index=False` offers every object to every constraint's matcher (the reference the
    kind index is tested against).
    """

    def __init__(self, compiler: TemplateCompiler | None = None, *,
                 enforcement_points: Sequence[str] = (GATOR,), kind_scopes: bool = False,
                 kind_index: bool = True) -> None:
        self.compiler = compiler if compiler is not None else TemplateCompiler()
        self.enforcement_points = tuple(enforcement_points)
        self.kind_scopes = kind_scopes
        self.kind_index = kind_index
        self._templates: dict[str, CompiledTemplate] = {}
        self._constraints: dict[tuple[str, str], _Entry] = {}
        self._inventory = Inventory()
        self._bound: dict[str, BoundTemplate] = {}
        #: (group, kind) -> the constraint keys, in order, whose `kinds` select it
        self._by_kind: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}

    # -- state ---------------------------------------------------------------------------------
    def add_template(self, template: ConstraintTemplate) -> CompiledTemplate:
        compiled = self.compiler.compile(template)
        self._templates[template.kind] = compiled
        self._bound.pop(template.kind, None)
        return compiled

    def add_constraint(self, obj: Mapping[str, Any]) -> Constraint:
        constraint = Constraint.from_object(obj)
        compiled = self._templates.get(constraint.kind)
        if compiled is None:
            raise ConstraintError(f"{constraint.kind}/{constraint.name}: missing ConstraintTemplate: "
                                  f"{constraint.kind.lower()!r} not found")
        errors = compiled.parameter_errors(constraint.parameters)
        if errors:
            raise ConstraintError(f"{constraint.kind}/{constraint.name}: schema validation failed: "
                                  + "; ".join(errors), schema=True)
        if isinstance(nested(obj, "spec", "parameters"), Mapping):
            constraint = replace(constraint, parameters=compiled.apply_defaults(constraint.parameters))
        self._constraints[(constraint.kind, constraint.name)] = _Entry(
            constraint, to_json(constraint.parameters), constraint.actions_at(self.enforcement_points))
        self._by_kind.clear()
        return constraint

    def set_inventory(self, inventory: Inventory) -> None:
        """Replace `data.inventory` (and the Namespaces namespaceSelector reads) for later reviews."""
        self._inventory = inventory
        self._bound.clear()

    @property
    def templates(self) -> Mapping[str, CompiledTemplate]:
        return self._templates

    @property
    def constraints(self) -> list[Constraint]:
        return [entry.constraint for _, entry in sorted(self._constraints.items())]

    # -- review --------------------------------------------------------------------------------
    def review(self, review: Review) -> list[Violation]:
        namespace = review.namespace_object
        if namespace is None and review.namespace:
            namespace = self._inventory.namespace(review.namespace)
        targets = [Matchable(obj, namespace, review.source, self._scope(obj)) for obj in review.candidates]
        webhook_only = self.enforcement_points == (WEBHOOK,)
        violations: list[Violation] = []
        input_prefix = ""  # serialised on the first evaluation: most objects match no constraint
        # one object offered through the kind index: every candidate's `kinds` already selects it
        selected = targets[0] if self.kind_index and len(targets) == 1 else None
        for key in self._candidates(targets):
            entry = self._constraints[key]
            constraint = entry.constraint
            actions = entry.actions
            if not actions:
                continue
            compiled = self._templates.get(constraint.kind)
            if compiled is None:
                continue
            if webhook_only and compiled.template.operations and not (
                    review.operation in compiled.template.operations or "*" in compiled.template.operations):
                continue
            try:
                if selected is not None:
                    if not constraint.matcher.matches_selected(selected):
                        continue
                elif not constraint.matcher.matches_any(targets):
                    continue
            except MatchError as exc:
                name = name_of(review.object)
                msg = (f"unable to match constraints: error matching the requested object: {name} "
                       f":failed to run Match criteria: {exc}")
                violations.append(Violation(constraint, msg, {}, actions, review.object))
                continue
            if not input_prefix:
                input_prefix = '{"review":' + review.json + ',"parameters":'
            try:
                results = self._bind(constraint.kind, compiled).violations(input_prefix + entry.parameters_json + "}")
            except EvaluationError as exc:
                violations.append(Violation(constraint, str(exc), {}, actions, review.object))
                continue
            violations.extend(Violation(constraint, r["msg"], r["details"], actions, review.object)
                              for r in results)
        return violations

    def review_expanded(self, review: Review, expander: Expander | None) -> list[Violation]:
        """`review` plus the objects ExpansionTemplates derive from its object, as gator aggregates them."""
        violations = self.review(review)
        if expander is None or not expander.templates:
            return violations
        for resultant in expander.expand(review.object):
            child = review_object(resultant.obj, source=SOURCE_GENERATED, namespace_object=review.namespace_object)
            for violation in self.review(child):
                actions = frozenset({resultant.enforcement_action}) if resultant.enforcement_action else (
                    violation.actions)
                violations.append(replace(violation, msg=f"[Implied by {resultant.template_name}] {violation.msg}",
                                          actions=actions, obj=review.object))
        return violations

    def may_select(self, obj: Mapping[str, Any]) -> bool:
        """False when no constraint's `kinds` select `obj`: reviewing it as written (not expanded)
        finds nothing, so a caller may skip building its review at all."""
        if not self.kind_index:
            return True
        group, _, _ = group_version_kind(obj)
        return bool(self._selecting(group, str(obj.get("kind", ""))))

    def _candidates(self, targets: Sequence[Matchable]) -> Sequence[tuple[str, str]]:
        """The constraint keys, in order, whose `kinds` select one of `targets`: the others cannot
        match (ConstraintMatcher.selects_kind), so they are not offered the object at all."""
        if not self.kind_index:
            return sorted(self._constraints)
        if len(targets) == 1:
            return self._selecting(targets[0].group, targets[0].kind)
        selected: set[tuple[str, str]] = set()
        for target in targets:
            selected.update(self._selecting(target.group, target.kind))
        return sorted(selected)

    def _selecting(self, group: str, kind: str) -> tuple[tuple[str, str], ...]:
        """The constraint keys, in order, whose `kinds` select this group and kind (computed once per kind)."""
        keys = self._by_kind.get((group, kind))
        if keys is None:
            keys = tuple(key for key in sorted(self._constraints)
                         if self._constraints[key].constraint.matcher.selects_kind(group, kind))
            self._by_kind[(group, kind)] = keys
        return keys

    def _scope(self, obj: Mapping[str, Any]) -> bool | None:
        if not self.kind_scopes:
            return None
        group, _, kind = group_version_kind(obj)
        return scope_of(group, kind)

    def _bind(self, kind: str, compiled: CompiledTemplate) -> BoundTemplate:
        bound = self._bound.get(kind)
        if bound is None:
            bound = compiled.bind(self._inventory.to_json(compiled.inventory_kinds) if compiled.reads_inventory
                                  else "{}")
            self._bound[kind] = bound
        return bound

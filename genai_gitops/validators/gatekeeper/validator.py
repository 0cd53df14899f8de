"""The `policy` validator: Gatekeeper constraints evaluated offline over a rendered target.

Policies are the templates, constraints and ExpansionTemplates under `options.policy_paths`
plus those present in the target itself; when both hold the same object (template by name,
constraint by kind and name) the target's copy is evaluated, because that is what Argo CD applies,
and a difference is reported as a warning; for a cluster of this repository the library is first
derived for that cluster (tenant image repositories), and a missing or different copy is an error
(integrity.py: the guarantees that must hold without drift checks). Every object of the target is reviewed the way
Gatekeeper's audit reviews cluster objects (`operation` ""), with `data.inventory` holding the whole
target and `namespaceSelector` reading the target's Namespaces.

A violation becomes a Finding on the object's file and line: rule `<Kind>/<constraint name>`,
message the template's `msg`, severity from the constraint's action at the cluster's enforcement
points (admission webhook, audit and gator; a scoped constraint takes its strongest action there):
`deny` -> error, `warn` -> warning, `dryrun` -> info.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from genai_gitops import cache_keys
from genai_gitops.cache import digest, files_digest
from genai_gitops.manifests.cluster_policies import tenant_repositories
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target, Validator, WorkUnit, group_by_folder, resources_digest
from genai_gitops.validators.gatekeeper.bundle import PolicyBundle, load_policy_bundle
from genai_gitops.validators.gatekeeper.engine import (
    AUDIT,
    DENY,
    DRYRUN,
    GATOR,
    KNOWN_ACTIONS,
    SCOPED,
    WARN,
    WEBHOOK,
    Constraint,
    ConstraintError,
    PolicyEngine,
)
from genai_gitops.validators.gatekeeper.expansion import Expander, ExpansionError, ExpansionTemplate
from genai_gitops.validators.gatekeeper.integrity import expected_bundle, integrity_findings
from genai_gitops.validators.gatekeeper.inventory import Inventory, InventoryError
from genai_gitops.validators.gatekeeper.objects import mapping, nested
from genai_gitops.validators.gatekeeper.review import review_object
from genai_gitops.validators.gatekeeper.template import (
    ConstraintTemplate,
    TemplateCompiler,
    TemplateError,
    UnsupportedTemplateError,
)
from genai_gitops.validators.registry import ValidatorOptions

SEVERITY_OF_ACTION = {DENY: Severity.ERROR, WARN: Severity.WARNING, DRYRUN: Severity.INFO}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
CLUSTER_POINTS = (WEBHOOK, AUDIT, GATOR)


def severity_of(actions: frozenset[str]) -> Severity:
    """The strongest severity among a violation's actions (unknown actions count as deny)."""
    severities = [SEVERITY_OF_ACTION.get(a, Severity.ERROR) for a in actions] or [Severity.ERROR]
    return min(severities, key=_RANK.__getitem__)


class GatekeeperValidator(Validator):
    name = "policy"
    options_used = ("policy_paths",)
    #: of the tenants, the integrity check reads their namespaces, and the expected constraints their image
    #: repositories (in `cache_context`)
    data_used = ("cluster", "tenant_namespaces")

    def __init__(self, options: ValidatorOptions, *, compiler: TemplateCompiler | None = None,
                 enforcement_points: Sequence[str] = CLUSTER_POINTS, fast: bool = True) -> None:
        self.policies = load_policy_bundle(options.policy_paths) if options.policy_paths else PolicyBundle()
        self.policy_paths = tuple(options.policy_paths)
        self._policy_digest: str | None = None
        #: shared by every target this validator checks: each template is compiled once per run
        self.compiler = compiler if compiler is not None else TemplateCompiler()
        self.enforcement_points = tuple(enforcement_points)
        #: False: the straightforward path the fast one is tested against (every work unit builds its
        #: own engine and offers every object to every constraint; every template that reads
        #: `data.inventory` is reviewed over the whole cluster)
        self.fast = fast

    def _bundle(self, target: Target) -> tuple[PolicyBundle, list[Finding]]:
        """The policies to evaluate on `target` (the tree's copies over the library's), and notes on them.

        For a cluster of this repository, the library is what the synth derives for that cluster, and
        any template or constraint of it missing or changed in the tree is an error (integrity.py):
        constraints are not admission-reviewed, so only this check guards them without drift."""
        tree = PolicyBundle.from_resources(target.resources)
        if target.cluster is None or not self.policies.templates:
            return self.policies.overlay(tree, validator=self.name)
        expected = expected_bundle(self.policies, target.tenants)
        bundle, _ = expected.overlay(tree, validator=self.name)
        return bundle, integrity_findings(expected, tree, target.resources, target.cluster.name, target.tenants)

    def validate(self, target: Target) -> Iterator[Finding]:
        bundle, notes = self._bundle(target)
        yield from bundle.findings
        yield from notes
        yield from self._evaluate(bundle, target.resources, target.resources, only=None)

    def cache_context(self, target: Target) -> str:
        # the tenants' image_repositories are part of the expected trusted-images constraint
        return digest(self._policies_digest(), ",".join(self.enforcement_points),
                      json.dumps(tenant_repositories(target.tenants), sort_keys=True))

    def plan(self, target: Target) -> list[WorkUnit]:
        """Cacheable units: a constraint whose template never reads `data.inventory` judges an object by
        the object, its Namespace and the policies alone, so its results are cached per app folder. The
        referential constraints see the whole cluster every time (their kinds are few), except those
        whose template reads no inventory but the Namespaces, which the folder units hold too."""
        bundle, notes = self._bundle(target)
        referential = frozenset(kind for kind, resource in _template_kinds(bundle) if _reads_inventory(resource)
                                and not (self.fast and _reads_only_namespaces(resource)))
        local = frozenset(kind for kind, _ in _template_kinds(bundle)) - referential
        namespaces = [r for r in target.resources if r.kind == "Namespace" and not r.group]
        context = cache_keys.unit_context(
            self.name, enforcement_points=",".join(self.enforcement_points), policies=self._policies_digest(),
            bundle=resources_digest([*bundle.templates.values(), *bundle.constraints.values(),
                                     *bundle.expansions.values()]),
            namespaces=resources_digest(namespaces))
        units = [WorkUnit(label=f"policy setup {target.name}", key=None,
                          run=lambda: [*bundle.findings, *notes, *self._setup_findings(bundle)])]
        # a unit's engine depends only on the bundle, its world and its kinds: every unit of the
        # target shares one, built by the first unit a process runs (units run in forked workers,
        # so nothing is built for a target whose units all come from the cache)
        everything = _Prepared(partial(self._prepare, bundle, target.resources, referential))
        around = _Prepared(partial(self._prepare, bundle, namespaces, local))
        if referential:
            units.append(WorkUnit(label=f"policy referential {target.name}", key=None,
                                  run=partial(self._collect, bundle, target.resources, target.resources, referential,
                                              everything)))
        if local:
            units += [WorkUnit(label=f"policy {folder}",
                               key=cache_keys.work_unit(context=context, objects=resources_digest(resources)),
                               run=partial(self._collect, bundle, resources, namespaces, local, around))
                      for folder, resources in group_by_folder(target.resources).items()]
        return units

    def _collect(self, bundle: PolicyBundle, reviewed: Sequence[Resource], world: Sequence[Resource],
                 only: frozenset[str], prepared: _Prepared) -> list[Finding]:
        if not self.fast:
            return [f for f in self._evaluate(bundle, reviewed, world, only=only)]
        engine, expander, inventory = prepared.get()
        if not engine.constraints:
            return []
        # an object no constraint selects by kind has nothing to review, unless an ExpansionTemplate
        # derives other objects from it
        return [f for resource in reviewed if expander.templates or engine.may_select(resource.obj)
                for f in self._review(engine, expander, inventory, resource)]

    def _prepare(self, bundle: PolicyBundle, world: Sequence[Resource],
                 only: frozenset[str]) -> tuple[PolicyEngine, Expander, Inventory]:
        """The engine `_evaluate` builds for these kinds and this world (its setup findings dropped:
        the setup unit reports them once)."""
        engine = PolicyEngine(self.compiler, enforcement_points=self.enforcement_points, kind_scopes=True)
        unsupported: set[str] = set()
        for resource in bundle.templates.values():
            if _template_kind(resource.obj) in only:
                list(self._add_template(engine, resource, unsupported))
        for resource in bundle.constraints.values():
            if resource.kind in only:
                list(self._add_constraint(engine, resource, unsupported))
        inventory = _inventory(world)
        engine.set_inventory(inventory)
        return engine, Expander(self._expansions(bundle)), inventory

    def _setup_findings(self, bundle: PolicyBundle) -> list[Finding]:
        """Template and constraint problems, reported once (not per unit)."""
        engine = PolicyEngine(self.compiler, enforcement_points=self.enforcement_points, kind_scopes=True)
        unsupported: set[str] = set()
        found = [f for r in bundle.templates.values() for f in self._add_template(engine, r, unsupported)]
        found += [f for r in bundle.constraints.values() for f in self._add_constraint(engine, r, unsupported)]
        return found

    def _evaluate(self, bundle: PolicyBundle, reviewed: Sequence[Resource], world: Sequence[Resource],
                  only: frozenset[str] | None) -> Iterator[Finding]:
        """Review `reviewed` against the constraints (of the kinds in `only`), with `world` as the
        inventory and the source of Namespace objects. Setup problems are reported only when
        `only` is None (the plain, unplanned validate)."""
        engine = PolicyEngine(self.compiler, enforcement_points=self.enforcement_points, kind_scopes=True,
                              kind_index=self.fast)
        unsupported: set[str] = set()
        for resource in bundle.templates.values():
            if only is None or _template_kind(resource.obj) in only:
                problems = list(self._add_template(engine, resource, unsupported))
                if only is None:
                    yield from problems
        for resource in bundle.constraints.values():
            if only is None or resource.kind in only:
                problems = list(self._add_constraint(engine, resource, unsupported))
                if only is None:
                    yield from problems
        expander = Expander(self._expansions(bundle))
        inventory = _inventory(world)
        engine.set_inventory(inventory)
        if not engine.constraints:
            return
        for resource in reviewed:
            yield from self._review(engine, expander, inventory, resource)

    def _policies_digest(self) -> str:
        if self._policy_digest is None:
            self._policy_digest = files_digest(self.policy_paths)
        return self._policy_digest

    # -- policies ------------------------------------------------------------------------------
    def _add_template(self, engine: PolicyEngine, resource: Resource, unsupported: set[str]) -> Iterator[Finding]:
        try:
            engine.add_template(ConstraintTemplate.from_object(resource.obj))
        except UnsupportedTemplateError as exc:
            unsupported.add(_template_kind(resource.obj))
            yield self._finding(resource, f"ConstraintTemplate/{resource.name}", Severity.WARNING,
                                f"{exc}; its constraints are not checked")
        except TemplateError as exc:
            yield self._finding(resource, f"ConstraintTemplate/{resource.name}", Severity.ERROR, str(exc))

    def _add_constraint(self, engine: PolicyEngine, resource: Resource, unsupported: set[str]) -> Iterator[Finding]:
        rule = f"{resource.kind}/{resource.name}"
        if resource.kind in unsupported:
            return
        action = mapping(resource.obj.get("spec")).get("enforcementAction", DENY)
        if action not in KNOWN_ACTIONS:
            yield self._finding(resource, rule, Severity.ERROR,
                                f"enforcementAction {action!r} is not one of deny, warn, dryrun, scoped; "
                                "Gatekeeper rejects this constraint")
            return
        if resource.kind not in engine.templates:
            yield self._finding(resource, rule, Severity.ERROR,
                                f"no ConstraintTemplate {resource.kind.lower()!r} in the policies or the tree; "
                                "Gatekeeper cannot create this constraint")
            return
        try:
            constraint = engine.add_constraint(resource.obj)
        except ConstraintError as exc:
            yield self._finding(resource, rule, Severity.ERROR, str(exc))
            return
        if constraint.enforcement_action == SCOPED:
            unknown = sorted({a for a, _ in constraint.scoped_actions} - {DENY, WARN, DRYRUN})
            if unknown:
                yield self._finding(resource, rule, Severity.ERROR,
                                    f"scopedEnforcementActions action {unknown[0]!r} is not one of deny, warn, dryrun")

    def _expansions(self, bundle: PolicyBundle) -> list[ExpansionTemplate]:
        templates = []
        for resource in bundle.expansions.values():
            try:
                templates.append(ExpansionTemplate.from_object(resource.obj))
            except ExpansionError:
                continue  # Gatekeeper ignores an invalid ExpansionTemplate; schema checks report it
        return templates

    # -- objects -------------------------------------------------------------------------------
    def _review(self, engine: PolicyEngine, expander: Expander, inventory: Inventory,
                resource: Resource) -> Iterator[Finding]:
        namespace = inventory.namespace(resource.namespace) if resource.namespace else None
        review = review_object(resource.obj, namespace_object=namespace,
                               namespace_json=inventory.namespace_json(resource.namespace) if namespace else None)
        try:
            violations = engine.review_expanded(review, expander)
        except ExpansionError as exc:
            violations = engine.review(review)
            yield self._finding(resource, "ExpansionTemplate", Severity.WARNING, f"cannot expand: {exc}")
        seen: set[tuple[str, str]] = set()
        for violation in violations:
            rule = _rule(violation.constraint)
            if (rule, violation.msg) in seen:
                continue
            seen.add((rule, violation.msg))
            yield self._finding(resource, rule, severity_of(violation.actions), violation.msg)

    def _finding(self, resource: Resource, rule: str, severity: Severity, message: str) -> Finding:
        return Finding.about(resource, validator=self.name, rule=rule, severity=severity, message=message)


class _Prepared:
    """A value built on first use and kept for the life of the process (one per forked worker)."""

    def __init__(self, build: Callable[[], tuple[PolicyEngine, Expander, Inventory]]) -> None:
        self._build = build
        self._value: tuple[PolicyEngine, Expander, Inventory] | None = None

    def get(self) -> tuple[PolicyEngine, Expander, Inventory]:
        if self._value is None:
            self._value = self._build()
        return self._value


def _inventory(world: Sequence[Resource]) -> Inventory:
    inventory = Inventory()
    for resource in world:
        try:
            inventory.add(resource.obj)
        except InventoryError:
            continue  # an object without kind or version is the schema validator's finding
    return inventory


def _rule(constraint: Constraint) -> str:
    return f"{constraint.kind}/{constraint.name}"


def _template_kind(obj: Mapping[str, Any]) -> str:
    return str(nested(obj, "spec", "crd", "spec", "names", "kind") or "")


def _template_kinds(bundle: PolicyBundle) -> list[tuple[str, Resource]]:
    return [(_template_kind(r.obj), r) for r in bundle.templates.values()]


def _reads_inventory(template: Resource) -> bool:
    """Does the template's Rego (or its libs) read `data.inventory` (a referential policy)?"""
    return "data.inventory" in json.dumps(template.obj.get("spec", {}))


# `data` anywhere in Rego (a reference, an import, a comment), and the one use of it that reads the
# synced Namespaces alone
_DATA = re.compile(r"\bdata\b")
_NAMESPACES = re.compile(r"data\s*\.\s*inventory\s*\.\s*cluster\s*\.\s*v1\s*\.\s*Namespace\b")


def _reads_only_namespaces(template: Resource) -> bool:
    """Does every mention of `data` in the template's Rego and libs read `data.inventory.cluster.v1.Namespace`?

    Then its inventory is the target's Namespaces, exactly what a folder unit's inventory holds (the
    v1 Namespaces of the target, in order), so it is evaluated there, per folder and cached, instead
    of over the whole cluster. Any other mention (a comment, an import, `data[...]`, a lib) keeps it
    referential."""
    try:
        parsed = ConstraintTemplate.from_object(template.obj)
    except TemplateError:
        return False
    for source in (parsed.rego, *parsed.libs):
        mentions = [m.start() for m in _DATA.finditer(source)]
        if any(_NAMESPACES.match(source, start) is None for start in mentions):
            return False
    return True

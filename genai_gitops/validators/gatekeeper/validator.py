"""The `policy` validator: Gatekeeper constraints evaluated offline over a rendered target.

Policies are the templates, constraints and ExpansionTemplates under `options.policy_paths`
plus those present in the target itself; when both hold the same object (template by name,
constraint by kind and name) the target's copy is evaluated, because that is what Argo CD applies,
and a difference is reported as a warning. Every object of the target is reviewed the way
Gatekeeper's audit reviews cluster objects (`operation` ""), with `data.inventory` holding the whole
target and `namespaceSelector` reading the target's Namespaces.

A violation becomes a Finding on the object's file and line: rule `<Kind>/<constraint name>`,
message the template's `msg`, severity from the constraint's action at the cluster's enforcement
points (admission webhook, audit and gator; a scoped constraint takes its strongest action there):
`deny` -> error, `warn` -> warning, `dryrun` -> info.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target
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


class GatekeeperValidator:
    name = "policy"

    def __init__(self, options: ValidatorOptions, *, compiler: TemplateCompiler | None = None,
                 enforcement_points: Sequence[str] = CLUSTER_POINTS) -> None:
        self.policies = load_policy_bundle(options.policy_paths) if options.policy_paths else PolicyBundle()
        #: shared by every target this validator checks: each template is compiled once per run
        self.compiler = compiler if compiler is not None else TemplateCompiler()
        self.enforcement_points = tuple(enforcement_points)

    def validate(self, target: Target) -> Iterator[Finding]:
        bundle, notes = self.policies.overlay(PolicyBundle.from_resources(target.resources), validator=self.name)
        yield from bundle.findings
        yield from notes
        engine = PolicyEngine(self.compiler, enforcement_points=self.enforcement_points, kind_scopes=True)
        unsupported: set[str] = set()
        for resource in bundle.templates.values():
            yield from self._add_template(engine, resource, unsupported)
        for resource in bundle.constraints.values():
            yield from self._add_constraint(engine, resource, unsupported)
        expander = Expander(self._expansions(bundle))
        inventory = Inventory()
        for resource in target.resources:
            try:
                inventory.add(resource.obj)
            except InventoryError:
                continue  # an object without kind or version is the schema validator's finding
        engine.set_inventory(inventory)
        if not engine.constraints:
            return
        for resource in target.resources:
            yield from self._review(engine, expander, inventory, resource)

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
        review = review_object(resource.obj, namespace_object=namespace)
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


def _rule(constraint: Constraint) -> str:
    return f"{constraint.kind}/{constraint.name}"


def _template_kind(obj: Mapping[str, Any]) -> str:
    return str(nested(obj, "spec", "crd", "spec", "names", "kind") or "")

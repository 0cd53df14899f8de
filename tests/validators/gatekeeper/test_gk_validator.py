"""The `policy` validator over a rendered tree: findings on the object's file and line."""

from __future__ import annotations

from pathlib import Path

from gatekeeper_fixtures import FIXTURES, POLICIES

from genai_gitops.manifests import read_paths
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target
from genai_gitops.validators.gatekeeper.bundle import PolicyBundle, load_policy_bundle
from genai_gitops.validators.gatekeeper.template import TemplateCompiler
from genai_gitops.validators.gatekeeper.validator import GatekeeperValidator, severity_of
from genai_gitops.validators.registry import ValidatorOptions, build_validators

TREE = FIXTURES / "tree"


def validate(*policy_paths: Path, compiler: TemplateCompiler | None = None, tree: Path = TREE) -> list[Finding]:
    manifests = read_paths([tree])
    validator = GatekeeperValidator(ValidatorOptions(policy_paths=policy_paths), compiler=compiler)
    return list(validator.validate(Target(name="eu-1", k8s_version="1.31", resources=manifests.resources)))


def summary(findings: list[Finding]) -> set[tuple[str, int | None, str, str, str]]:
    return {(str(Path(f.file).relative_to(FIXTURES)), f.line, f.severity.value, f.rule, f.message) for f in findings}


def test_findings_on_the_rendered_tree(compiler: TemplateCompiler) -> None:
    findings = validate(POLICIES, compiler=compiler)
    assert all(f.validator == "policy" for f in findings)
    assert summary(findings) == {
        ("tree/policies/registries.yaml", 1, "warning", "GgAllowedRegistries/internal-registry-only",
         "constraint internal-registry-only differs from "
         f"{POLICIES / 'allowedregistries/constraint.yaml'}:1; this copy is the one evaluated"),
        ("tree/policies/registries.yaml", 48, "warning", "ConstraintTemplate/ggcelonly",
         "ConstraintTemplate 'ggcelonly' has no Rego source (only K8sNativeValidation, which this engine does "
         "not evaluate); its constraints are not checked"),
        ("tree/policies/registries.yaml", 71, "error", "GgUnknown/orphan",
         "no ConstraintTemplate 'ggunknown' in the policies or the tree; Gatekeeper cannot create this constraint"),
        # the tree's copy (deny) is evaluated, not the policies' warn
        ("tree/tenant-a/workloads.yaml", 19, "error", "GgAllowedRegistries/internal-registry-only",
         'container ui uses docker.io/example/ui:3; allowed registries: ["registry.example.com/"]'),
        # referential: api-settings is in the tree, ui-settings is not
        ("tree/tenant-a/workloads.yaml", 19, "info", "GgConfigMapRefs/configmaps-exist",
         "envFrom references ConfigMap tenant-a/ui-settings, which is not in the inventory"),
        # scoped: deny at the admission webhook outranks warn at audit
        ("tree/tenant-a/workloads.yaml", 19, "error", "GgRequiredLabels/must-have-owner",
         'Deployment ui is missing the labels ["team"]'),
    }
    first = next(f for f in findings if f.rule == "GgRequiredLabels/must-have-owner")
    assert (first.kind, first.namespace, first.name, first.api_version) == ("Deployment", "tenant-a", "ui", "apps/v1")


def test_without_policies_only_the_trees_own_policies_apply(compiler: TemplateCompiler) -> None:
    rules = {f.rule for f in validate(compiler=compiler)}
    # the tree's constraints have no templates without policies/: each is reported, nothing is evaluated
    assert "GgAllowedRegistries/internal-registry-only" in rules
    assert all(f.severity is not Severity.INFO for f in validate(compiler=compiler))


def test_a_tree_without_constraints_gives_no_findings(tmp_path: Path, compiler: TemplateCompiler) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    assert validate(POLICIES, compiler=compiler, tree=tmp_path) == []


def test_policy_bundle_skips_samples_and_suites() -> None:
    bundle = load_policy_bundle([POLICIES])
    assert set(bundle.templates) == {"ggrequiredlabels", "ggallowedregistries", "ggconfigmaprefs",
                                     "ggimmutablestorageclass"}
    assert set(bundle.constraints) == {("GgAllowedRegistries", "internal-registry-only"),
                                       ("GgRequiredLabels", "workloads-have-owner")}
    assert bundle.findings == [] and len(bundle) == 6


def test_overlay_prefers_the_overlay_and_reports_differences_only() -> None:
    policies = load_policy_bundle([POLICIES])
    same = PolicyBundle.from_resources(read_paths([POLICIES / "requiredlabels" / "template.yaml"]).resources)
    merged, notes = policies.overlay(same)
    assert notes == [] and merged.templates["ggrequiredlabels"].file.endswith("requiredlabels/template.yaml")
    tree = PolicyBundle.from_resources(read_paths([TREE]).resources)
    merged, notes = policies.overlay(tree)
    assert merged.constraints[("GgAllowedRegistries", "internal-registry-only")].file.endswith("registries.yaml")
    assert [n.rule for n in notes] == ["GgAllowedRegistries/internal-registry-only"]


def test_severity_is_the_strongest_action() -> None:
    assert severity_of(frozenset({"warn", "deny"})) is Severity.ERROR
    assert severity_of(frozenset({"dryrun", "warn"})) is Severity.WARNING
    assert severity_of(frozenset({"dryrun"})) is Severity.INFO


def test_registered_as_policy() -> None:
    [validator] = build_validators(["policy"], ValidatorOptions(policy_paths=(POLICIES,)))
    assert isinstance(validator, GatekeeperValidator) and validator.name == "policy"


TWO_TEMPLATES = """
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sdemo}
spec:
  crd: {spec: {names: {kind: K8sDemo}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sdemo
        violation[{"msg": "first"}] { input.review.object.metadata.name == "x" }
---
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sdemo}
spec:
  crd: {spec: {names: {kind: K8sDemo}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sdemo
        violation[{"msg": "second"}] { false }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDemo
metadata: {name: demo}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDemo
metadata: {name: demo}
spec: {enforcementAction: warn}
"""


def test_two_templates_for_one_kind_and_two_copies_of_a_constraint_are_conflicts(tmp_path: Path) -> None:
    (tmp_path / "policies.yaml").write_text(TWO_TEMPLATES)
    findings = [f for f in validate(tree=tmp_path) if f.rule == "policy-conflict"]
    assert [(f.line, f.kind, f.severity, f.message) for f in findings] == [
        (13, "ConstraintTemplate", Severity.ERROR,
         f"ConstraintTemplate k8sdemo defines constraint kind K8sDemo, as does the ConstraintTemplate at "
         f"{tmp_path / 'policies.yaml'}:1; only one would be enforced, and which one depends on apply order: "
         "remove one copy or give it its own kind"),
        (28, "K8sDemo", Severity.ERROR,
         f"constraint K8sDemo/demo is defined twice; the other copy is at {tmp_path / 'policies.yaml'}:24; only "
         "one would be enforced, and which one depends on apply order: remove one copy or give it its own kind"),
    ]

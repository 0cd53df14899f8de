"""The rule registry: every rule a validator can emit is registered, documented and listed."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from genai_gitops.cli import main
from genai_gitops.report.rules import RuleRegistry, markdown
from genai_gitops.validation import validate_paths

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "genai_gitops"
#: where a rule is computed rather than written: each is a registered family, or the shared internal error
DYNAMIC_SITES = {
    ("drift.py", "f\"{label.split('/')[0]}-{status}\""): "drift/*: dist- or argocd- plus changed|missing|unexpected",
    ("validation.py", "INTERNAL_ERROR_RULE"): "*/internal-error",
    ("manifests/reader.py", "error.rule"): "parse/<rule of safeyaml.InputError>",
    ("safeyaml.py", "self.rule"): "parse/<rule of safeyaml.InputError>, when it is shifted to a later line",
    ("validators/checkov.py", "judgement.check"): "checkov/CKV*",
    ("validators/gatekeeper/bundle.py", "f'{resource.kind}/{resource.name}'"): "policy/<Kind>/<name>",
    ("validators/gatekeeper/validator.py", "f'{resource.kind}/{resource.name}'"): "policy/<Kind>/<name>",
    ("validators/gatekeeper/validator.py", "f'ConstraintTemplate/{resource.name}'"): "policy/ConstraintTemplate/*",
    ("validators/gatekeeper/validator.py", "_rule(violation.constraint)"): "policy/<Kind>/<name>",
}


#: modules whose validator name is imported or a class attribute, not a module constant
_VALIDATOR_OF_MODULE = {"reader.py": "parse", "cached.py": "parse", "safeyaml.py": "parse",
                        "plaintext.py": "refs", "endpoints.py": "refs", "databases.py": "isolation",
                        "check.py": "drift", "drift.py": "drift"}
#: validator packages: every module in one belongs to its validator
_VALIDATOR_OF_PACKAGE = {"gatekeeper": "policy", "delivery": "delivery", "capacity": "capacity", "refs": "refs"}


def _validator_of(path: Path, module: ast.Module) -> str:
    if path.parent.name in _VALIDATOR_OF_PACKAGE:
        return _VALIDATOR_OF_PACKAGE[path.parent.name]
    for node in module.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and any(
                isinstance(t, ast.Name) and t.id in ("VALIDATOR", "VALIDATOR_NAME", "NAME") for t in node.targets):
            return str(node.value.value)
    return _VALIDATOR_OF_MODULE.get(path.name, "")


def _resolve(expr: ast.expr, constants: dict[str, str]) -> list[str] | None:
    """The rule strings an expression can be: a literal, a module constant, either branch of an `if`."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.Name) and expr.id in constants:
        return [constants[expr.id]]
    if isinstance(expr, ast.IfExp):
        body, orelse = _resolve(expr.body, constants), _resolve(expr.orelse, constants)
        return None if body is None or orelse is None else body + orelse
    return None


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def _tables(module: ast.Module) -> tuple[dict[str, str], list[str], dict[str, int]]:
    """A module's string constants (also tuple-unpacked ones), the values of its `*_RULES` mappings, and
    its helpers: function (or class) name -> position of the `rule` argument."""
    constants: dict[str, str] = {}
    rule_maps: list[str] = []
    for node in module.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant):
                constants[target.id] = str(node.value.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=True):
                    if isinstance(name, ast.Name) and isinstance(value, ast.Constant):
                        constants[name.id] = str(value.value)
            if isinstance(target, ast.Name) and target.id.endswith("RULES") and isinstance(node.value, ast.Dict):
                rule_maps += [str(v.value) for v in node.value.values if isinstance(v, ast.Constant)]
    helpers = {}
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args]
            if "rule" in names:
                helpers[node.name] = names.index("rule") - (names[:1] in (["self"], ["cls"]))
        # a class whose constructor takes the rule (`InputError(message, line, "encoding")`)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    names = [a.arg for a in item.args.args]
                    if "rule" in names:
                        helpers[node.name] = names.index("rule") - 1
    return constants, rule_maps, helpers


def emitted_rules() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(validator, rule) of every rule literal the source passes as a finding's rule, and the dynamic sites.

    A rule reaches a Finding as `rule=...`, as the `rule` argument of a module's own helper
    (`_finding(resource, MISSING_SECRET, ...)`) or of one it imports from the package (called by name or
    on an object: `refs.finding(...)`), or as `rule = ...`; names resolve to module constants (also
    tuple-unpacked ones, and those imported from the package) and a `*_RULES` mapping contributes its values."""
    literal: set[tuple[str, str]] = set()
    dynamic: set[tuple[str, str]] = set()
    paths = [p for p in sorted(PACKAGE.rglob("*.py")) if "report" not in p.relative_to(PACKAGE).parts]
    # the report layer presents findings; it emits none
    modules = {_dotted(path): ast.parse(path.read_text(encoding="utf-8")) for path in paths}
    tables = {name: _tables(module) for name, module in modules.items()}
    for path in paths:
        module = modules[_dotted(path)]
        validator = _validator_of(path, module)
        constants, rule_maps, own_helpers = tables[_dotted(path)]
        literal.update((validator, rule) for rule in rule_maps)
        constants, helpers = dict(constants), dict(own_helpers)
        imported_helpers: dict[str, int] = {}
        # a package's modules share its rule ids and finding helpers by import
        for node in module.body:
            if isinstance(node, ast.ImportFrom) and node.module in tables:
                their_constants, _, their_helpers = tables[node.module]
                for alias in node.names:
                    if alias.name in their_constants:
                        constants[alias.asname or alias.name] = their_constants[alias.name]
                    if alias.name in their_helpers:
                        helpers[alias.asname or alias.name] = their_helpers[alias.name]
                imported_helpers.update(their_helpers)  # methods, called on an object of an imported class
        passed_on = {"rule"}  # a helper's own parameter, passed on: its callers are scanned

        for node in ast.walk(module):
            exprs: list[ast.expr] = []
            emitter = validator
            if isinstance(node, ast.Call):
                exprs += [k.value for k in node.keywords if k.arg == "rule"]
                # `Finding(..., validator="data", rule="...")`: the call names its validator itself
                named = [_resolve(k.value, constants) for k in node.keywords if k.arg == "validator"]
                if named and named[0]:
                    emitter = named[0][0]
                func = node.func
                position = None
                if isinstance(func, ast.Name):
                    position = helpers.get(func.id)
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    position = (helpers if func.value.id in ("self", "cls") else imported_helpers).get(func.attr)
                if position is not None and len(node.args) > position:
                    exprs.append(node.args[position])
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "rule"
                                                      for t in node.targets):
                exprs.append(node.value)
            for expr in exprs:
                values = _resolve(expr, constants)
                if values is not None:
                    literal.update((emitter, v) for v in values if v)  # "" is an anchor filled in later
                elif not (isinstance(expr, ast.Name) and expr.id in passed_on):
                    dynamic.add((path.relative_to(PACKAGE).as_posix(), ast.unparse(expr)))
    return literal, dynamic


def test_every_rule_in_the_source_is_registered() -> None:
    literal, dynamic = emitted_rules()
    registry = RuleRegistry.default()
    assert len(literal) > 50  # the scan found the validators' rules at all
    missing = sorted(f"{v}/{r}" for v, r in literal if registry.lookup(v, r) is None or
                     registry.lookup(v, r).family)  # type: ignore[union-attr]
    assert missing == [], "register these in genai_gitops/report/rules.py"
    assert dynamic <= set(DYNAMIC_SITES), "a computed rule id: register its family and list the site here"


def test_every_registered_rule_is_still_emitted() -> None:
    literal, _ = emitted_rules()
    registry = RuleRegistry.default()
    static = {(r.validator, r.rule) for r in registry if not r.family and r.validator not in ("*", "suppression")
              and r.validator != "drift"}
    assert sorted(static - literal) == []


def test_the_broken_fixtures_report_only_registered_rules() -> None:
    report = validate_paths([REPO / "tests" / "cli" / "fixtures" / "broken"], k8s_version="1.30",
                            validator_names=["schema", "policy", "refs", "capacity"])
    registry = RuleRegistry.default(REPO / "policies")
    seen = sorted({f"{f.validator}/{f.rule}" for f in report.findings})
    assert len(seen) >= 4
    assert [s for s in seen if registry.by_id(s) is None] == []


def test_names_differ_from_ids_and_anchors_are_unique() -> None:
    registry = RuleRegistry.default(REPO / "policies")
    assert all(rule.name and rule.name != rule.id for rule in registry)
    anchors = [rule.anchor for rule in registry]
    assert len(anchors) == len(set(anchors))


def test_lookup_prefers_the_most_specific_rule(tmp_path: Path) -> None:
    registry = RuleRegistry.default(REPO / "policies")
    assert registry.by_id("policy/K8sTrustedImages/trusted-images").what.startswith(  # type: ignore[union-attr]
        "Requires every container image to be pinned")
    assert registry.by_id("policy/ConstraintTemplate/k8sfoo").rule == "ConstraintTemplate/*"  # type: ignore[union-attr]
    assert registry.by_id("policy/K8sOther/x").rule == "*"  # type: ignore[union-attr]
    assert registry.by_id("checkov/CKV_K8S_21").rule == "CKV*"  # type: ignore[union-attr]
    crash = registry.by_id("schema/internal-error")
    assert crash is not None and (crash.validator, crash.suppressible) == ("schema", False)
    assert registry.by_id("schema/no-such-rule") is None


def test_never_suppressed_rules() -> None:
    registry = RuleRegistry.default(REPO / "policies")
    never = sorted(r.id for r in registry if not r.suppressible and r.validator not in ("drift", "suppression"))
    assert never == [
        "*/internal-error", "cache/cache-untrusted", "delivery/preview-failed", "delivery/project-too-open",
        "delivery/reads-unchecked-file", "delivery/source-not-directory", "delivery/tenant-app-project",
        "delivery/tenant-folder-namespace", "delivery/unsupported-feature", "delivery/unsupported-template",
        "isolation/analysis-error", "isolation/cross-tenant-flow", "isolation/not-default-deny",
        "parse/duplicate-key", "parse/encoding", "parse/input-limit", "parse/yaml-ambiguous", "parse/yaml-syntax",
        "parse/yaml-tag",
        "policy/ConstraintTemplate/*", "policy/K8sAllowedWebhooks/allowed-webhooks",
        "policy/K8sNoInlineSecrets/no-inline-secrets", "policy/K8sSecretStoreScope/secret-store-scope",
        "policy/K8sTenantNamespaceGuardrails/tenant-namespace-guardrails",
        "policy/K8sTenantOwnership/tenant-ownership", "policy/K8sTenantOwnership/tenant-ownership-namespaces",
        "policy/K8sTenantRbac/tenant-rbac",
        "policy/K8sTenantServiceExposure/tenant-service-exposure",
        "policy/K8sTenantServiceExposure/tenant-service-exposure-acme-solvers",
        "policy/gatekeeper-config", "policy/gatekeeper-install", "policy/gatekeeper-policy-missing",
        "policy/gatekeeper-policy-weakened", "policy/policy-conflict",
        "refs/plaintext-secret", "refs/unknown-secret-store", "synth/interrupted-synth",
        "tree/tree-hidden", "tree/tree-jsonnet", "tree/tree-misplaced", "tree/tree-nested-folder",
        "tree/tree-not-manifest", "tree/tree-source-type", "tree/tree-symlink", "tree/tree-unclaimed-folder",
        "tree/tree-unexpected-folder", "tree/tree-unknown-cluster"]


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    expected = markdown(RuleRegistry.default(REPO / "policies"))
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == expected, \
        "run: genai-gitops rules list --output markdown > docs/rules.md"


def write_policy(root: Path) -> Path:
    folder = root / "policies" / "k8s-demo"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: k8sdemo\n"
        "  annotations:\n    description: >-\n      Refuses demo objects.\nspec:\n  crd:\n    spec:\n"
        "      names:\n        kind: K8sDemo\n")
    (folder / "constraint.yaml").write_text(
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDemo\nmetadata:\n  name: no-demo\n"
        "spec:\n  enforcementAction: warn\n")
    return root / "policies"


def test_rules_list_text_json_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policies = write_policy(tmp_path)
    assert main(["rules", "list", "--policies", str(policies)]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("policy/K8sDemo/no-demo  warning")
    assert out[start:start + 4] == [
        "policy/K8sDemo/no-demo  warning",
        "    Refuses demo objects.",
        "    fix: Change the object as the message says; an exemption is data with a reason in "
        "policies/k8s-demo/ (excludedNamespaces or the constraint's parameters).",
        "    docs: docs/rules.md#policy-k8sdemo-no-demo"]
    first = out.index("parse/yaml-syntax  error  never suppressed")
    assert out[first:first + 4] == ["parse/yaml-syntax  error  never suppressed",
                       "    The file is not valid YAML, so none of its objects can be checked or applied.",
                       "    fix: Fix the YAML at the reported line (indentation, quoting, a missing `:` or `]`).",
                       "    docs: docs/rules.md#parse-yaml-syntax"]

    assert main(["rules", "list", "--policies", str(policies), "--output", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert next(r for r in listed if r["id"] == "capacity/quota-exceeded-at-hpa-max") == {
        "id": "capacity/quota-exceeded-at-hpa-max", "validator": "capacity", "severity": "warning",
        "suppressible": True,
        "what": "The namespace fits its quota until the autoscalers scale up; at HPA max the quota refuses new pods.",
        "fix": "Lower maxReplicas or raise the tenant's quota (quotas.*).",
        "docs": "docs/rules.md#capacity-quota-exceeded-at-hpa-max"}

    assert main(["rules", "list", "--policies", str(policies), "--output", "markdown"]) == 0
    text = capsys.readouterr().out
    assert '<a id="policy-k8sdemo-no-demo"></a>\n\n### policy/K8sDemo/no-demo\n\n*warning* — Refuses demo objects.' \
        in text

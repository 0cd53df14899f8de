"""The policy validator's fast path (one engine per target shared by its work units, constraints
indexed by kind, namespace-only templates reviewed per folder) finds exactly what the straightforward
path finds (an engine per unit, every object offered to every constraint, every inventory reader
reviewed over the whole cluster), object by object and template by template, on a generated
multi-tenant repository with objects that break several constraints, some of them referential."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops import validation
from genai_gitops.manifests import read_paths
from genai_gitops.model import load_platform
from genai_gitops.report.finding import Finding
from genai_gitops.report.run import finding_sort_key
from genai_gitops.validators.base import Target
from genai_gitops.validators.gatekeeper import template as template_module
from genai_gitops.validators.gatekeeper.engine import Constraint, is_constraint
from genai_gitops.validators.gatekeeper.inventory import to_json
from genai_gitops.validators.gatekeeper.match import ConstraintMatcher, Matchable, MatchError, scope_of
from genai_gitops.validators.gatekeeper.objects import group_version_kind
from genai_gitops.validators.gatekeeper.review import Review
from genai_gitops.validators.gatekeeper.template import BoundTemplate
from genai_gitops.validators.gatekeeper.validator import GatekeeperValidator
from genai_gitops.validators.registry import ValidatorOptions

REPO = Path(__file__).resolve().parents[3]
TENANTS = 12  # over 10 customer clusters: customer-00 and customer-01 hold two tenants each

# breaks trusted images (untrusted repository, mutable tag), required resources (both constraints),
# required probes, restricted pod security, tenant ownership (no tenant label; the owning tenant comes
# from the Namespace in data.inventory) and pod placement
BAD_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: rogue
  namespace: {namespace}
spec:
  selector:
    matchLabels: {{app: rogue}}
  template:
    metadata:
      labels: {{app: rogue}}
    spec:
      tolerations:
        - key: node-role.kubernetes.io/control-plane
          effect: NoSchedule
      containers:
        - name: main
          image: docker.io/evil/miner:latest
          securityContext:
            privileged: true
"""

# tenant ownership reads the owning tenant from the Namespace in data.inventory
FOREIGN_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: foreign
  namespace: {namespace}
  labels:
    genai-gitops.io/tenant: someone-else
data:
  key: value
"""


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from genai_gitops.synth import synthesize

    root = _generator().generate(TENANTS, tmp_path_factory.mktemp("gkfast") / "repo")
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist", policies_dir=REPO / "policies",
               argocd_dir=root / "argocd")
    dist = root / "dist" / "customer-00"
    workloads = sorted(p for p in dist.glob("tenant-*") if not p.name.endswith("-guardrails"))
    first, second = workloads[0], workloads[1]
    (first / "Deployment-rogue.yaml").write_text(BAD_DEPLOYMENT.format(namespace=first.name))
    (second / "ConfigMap-foreign.yaml").write_text(FOREIGN_CONFIGMAP.format(namespace=second.name))
    # the namespace guardrails constraint finds the quota through data.inventory.namespace[...]
    (dist / f"{second.name}-guardrails" / "ResourceQuota-tenant-quota.yaml").unlink()
    return root


def _targets(root: Path) -> list[Target]:
    platform = load_platform(root / "tenants", root / "clusters.yaml")
    targets = []
    for cluster in platform.clusters:
        folder = root / "dist" / cluster.name
        targets.append(Target(name=cluster.name, k8s_version=cluster.kubernetes_version,
                              resources=read_paths([folder]).resources, cluster=cluster,
                              tenants=platform.tenants_on(cluster.name), inventory=platform.inventory))
    return targets


def _planned(validator: GatekeeperValidator, target: Target) -> list[Finding]:
    return [f for unit in validator.plan(target) for f in unit.run()]


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)


def test_fast_path_finds_exactly_what_the_straightforward_path_finds(repository: Path) -> None:
    options = ValidatorOptions(policy_paths=(REPO / "policies",))
    fast, slow = GatekeeperValidator(options), GatekeeperValidator(options, fast=False)
    targets = _targets(repository)
    assert sum(len(t.resources) for t in targets) > 1000 and sum(len(t.tenants) for t in targets) == TENANTS
    found = {t.name: _ordered(_planned(fast, t)) for t in targets}
    for target in targets:
        reference = _ordered(_planned(slow, target))
        assert found[target.name] == reference, target.name
        # the plain validate (one engine for the whole target) agrees as well
        assert found[target.name] == _ordered(list(slow.validate(target))), target.name
    rules = Counter((f.kind, f.name, f.rule) for fs in found.values() for f in fs)
    assert rules == {
        ("Deployment", "rogue", "K8sRequiredProbes/required-probes"): 2,  # liveness, readiness
        ("Deployment", "rogue", "K8sRequiredResources/required-resources"): 1,
        ("Deployment", "rogue", "K8sRequiredResources/required-resources-tenant-cpu-limits"): 1,
        ("Deployment", "rogue", "K8sRestrictedPodSecurity/restricted-pod-security"): 6,
        ("Deployment", "rogue", "K8sTenantOwnership/tenant-ownership"): 2,  # the object and its pod template
        ("Deployment", "rogue", "K8sTenantPodPlacement/tenant-pod-placement"): 1,
        ("Deployment", "rogue", "K8sTrustedImages/trusted-images"): 2,  # untrusted, mutable tag
        ("ConfigMap", "foreign", "K8sTenantOwnership/tenant-ownership"): 1,
        ("Namespace", "tenant-t0010", "K8sTenantNamespaceGuardrails/tenant-namespace-guardrails"): 1,
    }, sorted(rules.items())
    messages = {f.message for fs in found.values() for f in fs}
    assert "Namespace tenant-t0010 (tenant t0010) has no ResourceQuota; deploy one with the namespace (tenant " \
           "guardrails app)" in messages
    assert ("ConfigMap tenant-t0010/foreign is labelled genai-gitops.io/tenant: someone-else but lives in "
            "namespace tenant-t0010 of tenant t0010; a tenant's objects stay in its own namespace") in messages


def test_forked_workers_build_their_own_engines_and_agree(repository: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the runner on two forked workers (each builds a target's engine on first use)."""
    monkeypatch.setattr(validation, "PARALLEL_UNITS", 2)
    options = ValidatorOptions(policy_paths=(REPO / "policies",))
    targets = [t for t in _targets(repository) if t.name == "customer-00"]
    fast = validation.run_validators(targets, [GatekeeperValidator(options)], workers=2)
    slow = validation.run_validators(targets, [GatekeeperValidator(options, fast=False)], workers=1)
    assert fast.findings == slow.findings
    assert len(fast.findings) == 17  # every finding of the test above is on customer-00


def test_only_a_template_reading_nothing_but_namespaces_leaves_the_referential_unit(tmp_path: Path) -> None:
    from genai_gitops.validators.gatekeeper.validator import _reads_only_namespaces

    template = yaml.safe_load((REPO / "policies" / "k8s-tenant-ownership" / "template.yaml").read_text())
    rego_field = template["spec"]["targets"][0]["code"][0]["source"]

    def reads_only_namespaces(rego: str) -> bool:
        rego_field["rego"] = rego
        path = tmp_path / "template.yaml"
        path.write_text(yaml.safe_dump(template))
        [resource] = read_paths([path]).resources
        return _reads_only_namespaces(resource)

    body = "package p\nviolation contains {\"msg\": m} if {\n  ns := %s\n  m := sprintf(\"%%v\", [ns])\n}\n"
    assert reads_only_namespaces(body % "data.inventory.cluster.v1.Namespace[input.review.namespace]")
    assert reads_only_namespaces(body % "data . inventory . cluster . v1 . Namespace")
    assert not reads_only_namespaces(body % "data.inventory.cluster.v1.NamespaceList")
    assert not reads_only_namespaces(body % 'data.inventory.cluster["v1"].Namespace')
    assert not reads_only_namespaces(body % "data.inventory.namespace")
    assert not reads_only_namespaces(body % "data[\"inventory\"]")
    imported = body.replace("package p\n", "package p\nimport data.inventory\n")
    assert not reads_only_namespaces(imported % "inventory.cluster.v1.Namespace")
    commented = body.replace("package p\n", "package p\n# reads data.inventory\n")
    assert not reads_only_namespaces(commented % "data.inventory.cluster.v1.Namespace")


def _full_chain(matcher: ConstraintMatcher, target: Matchable) -> bool:
    """Every criterion in Gatekeeper's order, set or not (what `matches` did before it skipped unset ones)."""
    if not matcher.defined:
        return True
    return (matcher._kinds(target) and matcher._scope(target) and matcher._namespaces(target)
            and matcher._excluded(target) and matcher._labels(target) and matcher._namespace_selector(target)
            and matcher._name(target) and matcher._source(target))


def test_review_shortcuts_find_exactly_what_the_plain_review_finds(repository: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-review shortcuts (a Namespace's JSON made once and spliced into each review, only the
    match criteria a constraint sets checked, empty result sets not parsed, only the inventory kinds
    a template names) against the plain review with the whole inventory: every object of every
    cluster of the generated repository, both paths."""
    options = ValidatorOptions(policy_paths=(REPO / "policies",))
    targets = _targets(repository)
    fast = {t.name: _ordered(_planned(GatekeeperValidator(options), t)) for t in targets}
    spliced = 0
    original_json = Review.json.func  # type: ignore[attr-defined]

    def plain_json(review: Review) -> str:
        nonlocal spliced
        text = original_json(review)
        assert text == to_json(review.request)  # byte for byte, spliced or not
        spliced += review.namespace_json is not None
        return text

    def plain_violations(bound: BoundTemplate, input_json: str) -> list[dict[str, Any]]:
        bound._engine.set_input_json(input_json)
        raw = json.loads(bound._engine.eval_rule_as_json(bound.compiled.query))
        return [{"msg": r["msg"], "details": r.get("details", {})} for r in raw or () if "msg" in r]

    monkeypatch.setattr(Review, "json", property(plain_json))
    monkeypatch.setattr(ConstraintMatcher, "matches", _full_chain)
    monkeypatch.setattr(ConstraintMatcher, "matches_selected", _full_chain)
    monkeypatch.setattr(BoundTemplate, "violations", plain_violations)
    monkeypatch.setattr(template_module, "inventory_kinds", lambda sources: None)  # the whole inventory
    for target in targets:
        validator = GatekeeperValidator(options)
        assert fast[target.name] == _ordered(_planned(validator, target)), target.name
        assert fast[target.name] == _ordered(list(GatekeeperValidator(options, fast=False).validate(target)))
    assert spliced > 500  # most reviews are of objects in a known Namespace
    assert sum(len(f) for f in fast.values()) == 17  # those of the first test


def test_matcher_answers_as_the_full_criteria_chain(repository: Path) -> None:
    """Every constraint of every cluster against every object there: same answer, same MatchError
    (and from `matches_selected`, for an object whose kind the constraint selects)."""
    compared = selected = 0
    for target in _targets(repository):
        inventory = {r.name: r.obj for r in target.resources if r.kind == "Namespace" and not r.group}
        constraints = [Constraint.from_object(r.obj) for r in target.resources if is_constraint(r.obj)]
        for resource in target.resources:
            group, _, kind = group_version_kind(resource.obj)
            candidate = Matchable(resource.obj, inventory.get(resource.namespace), namespaced=scope_of(group, kind))
            for constraint in constraints:
                answers: list[bool | str] = []
                ways: list[Callable[[Matchable], bool]] = [constraint.matcher.matches,
                                                           partial(_full_chain, constraint.matcher)]
                if constraint.matcher.selects_kind(group, kind):
                    ways.append(constraint.matcher.matches_selected)
                for matches in ways:
                    try:
                        answers.append(matches(candidate))
                    except MatchError as exc:
                        answers.append(str(exc))
                assert answers[1:] == answers[:-1], (constraint.name, resource.file)
                compared += 1
                selected += len(ways) == 3
    assert compared > 10_000 and selected > 900

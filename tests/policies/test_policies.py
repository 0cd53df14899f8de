"""The Gatekeeper policy library in policies/: its suites pass, every policy is tested both ways,
its exemptions carry reasons, and the example platform's rendered tree breaks none of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops.cli import main
from genai_gitops.manifests.policies import load_policy_bundle
from genai_gitops.manifests.reader import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.gatekeeper.suite import Assertion, Suite, read_suite
from genai_gitops.validators.gatekeeper.validator import GatekeeperValidator
from genai_gitops.validators.registry import ValidatorOptions

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"
POLICY_FOLDERS = sorted(p for p in POLICIES.iterdir() if p.is_dir() and not p.name.startswith("."))
# parameters that exempt something: every entry must say why
EXEMPTION_PARAMETERS = ("exemptImages", "exemptions", "exemptObjects", "ignoredLabels", "bannedVersions",
                        "exemptBindings", "allowedWebhooks", "forbiddenLabels")


def folder_id(folder: Path) -> str:
    return folder.name


def suite_of(folder: Path) -> Suite:
    suite = read_suite(folder / "suite.yaml")
    assert suite is not None, f"{folder.name}/suite.yaml is not a kind: Suite"
    return suite


def constraint_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("constraint*.yaml"))


def expects_violations(assertion: Assertion) -> bool:
    """`violations: yes` or an exact count above zero (gator's forms for a disallowed case)."""
    count = assertion.violations
    return count == "yes" or (isinstance(count, int) and count > 0)


def test_every_suite_case_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["policy", "verify", str(POLICIES), "--output", "json"])
    results = json.loads(capsys.readouterr().out)
    failed = [f"{r['suite']} {r['test']}/{r['case']}: {r['message']}" for r in results if not r["passed"]]
    assert failed == []
    assert code == 0
    assert {Path(r["suite"]).parent.name for r in results} == {f.name for f in POLICY_FOLDERS}
    assert not [r for r in results if r["message"] == "skipped"], "no case may be skipped"


@pytest.mark.parametrize("folder", POLICY_FOLDERS, ids=folder_id)
def test_policy_folder_has_the_library_layout(folder: Path) -> None:
    assert (folder / "template.yaml").is_file()
    assert constraint_files(folder), f"{folder.name} has no constraint*.yaml"
    assert (folder / "suite.yaml").is_file()
    assert (folder / "samples").is_dir()


@pytest.mark.parametrize("folder", POLICY_FOLDERS, ids=folder_id)
def test_suite_has_allowed_and_disallowed_cases(folder: Path) -> None:
    """`violations: no` cases and cases expecting violations (`yes` or an exact count)."""
    cases = [case for test in suite_of(folder).tests for case in test.cases]
    allowed = [c.name for c in cases if all(a.violations in ("no", 0) for a in c.assertions)]
    disallowed = [c.name for c in cases if any(expects_violations(a) for a in c.assertions)]
    assert allowed, f"{folder.name}: no case asserts `violations: no`"
    assert disallowed, f"{folder.name}: no case asserts violations"


@pytest.mark.parametrize("folder", POLICY_FOLDERS, ids=folder_id)
def test_every_enforced_constraint_is_tested(folder: Path) -> None:
    """The suite runs the constraints that are deployed, not only test copies of them."""
    tested = {(folder / test.constraint).resolve() for test in suite_of(folder).tests}
    untested = [f.name for f in constraint_files(folder) if f.resolve() not in tested]
    assert untested == []


@pytest.mark.parametrize("folder", POLICY_FOLDERS, ids=folder_id)
def test_disallowed_cases_assert_their_message(folder: Path) -> None:
    """A case expecting violations names what it expects (a `message:` regex)."""
    vague = [f"{test.name}/{case.name}" for test in suite_of(folder).tests for case in test.cases
             if any(expects_violations(a) for a in case.assertions)
             and not any(a.message for a in case.assertions)]
    assert vague == []


def test_only_templates_and_constraints_are_deployed() -> None:
    """samples/ and suites stay test material: the bundle synth deploys holds exactly the folders'
    template.yaml and constraint*.yaml objects."""
    bundle = load_policy_bundle([POLICIES])
    assert sorted(r.file for r in bundle.templates) == sorted(str(f / "template.yaml") for f in POLICY_FOLDERS)
    assert sorted(r.file for r in bundle.constraints) == sorted(
        str(c) for f in POLICY_FOLDERS for c in constraint_files(f))


def _exemption_entries(constraint: dict[str, Any]) -> list[tuple[str, Any]]:
    parameters = (constraint.get("spec") or {}).get("parameters") or {}
    return [(name, entry) for name in EXEMPTION_PARAMETERS for entry in parameters.get(name) or []]


@pytest.mark.parametrize("file", [c for f in POLICY_FOLDERS for c in constraint_files(f)],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_exemptions_carry_reasons(file: Path) -> None:
    """Exemption parameters have a `reason`; every excludedNamespaces entry sits under a comment."""
    text = file.read_text(encoding="utf-8")
    constraint = yaml.safe_load(text)
    without_reason = [f"{name}: {entry}" for name, entry in _exemption_entries(constraint)
                      if not str(entry.get("reason", "")).strip()]
    assert without_reason == []
    uncommented: list[str] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not line.strip().startswith("excludedNamespaces:"):
            continue
        previous = ""
        for item in lines[index + 1:]:
            stripped = item.strip()
            if stripped.startswith("#"):
                previous = "comment"
                continue
            if not stripped.startswith("- "):
                break
            if previous == "":
                uncommented.append(stripped)
            previous = previous or "item"
    assert uncommented == [], f"{file.name}: excluded namespaces without a reason comment"


def test_example_tree_has_no_policy_findings(synthesized: Path, platform: Any) -> None:
    """Every cluster of the example data, rendered fresh, passes every constraint (each cluster is
    one target: referential policies see the whole cluster)."""
    validator = GatekeeperValidator(ValidatorOptions(policy_paths=(POLICIES,)))
    findings: list[str] = []
    evaluated = 0
    for cluster in platform.clusters:
        manifests = read_paths([synthesized / "dist" / cluster.name])
        assert manifests.findings == []
        target = Target(name=cluster.name, k8s_version=str(cluster.kubernetes_version),
                        resources=manifests.resources, cluster=cluster, tenants=platform.tenants_on(cluster.name))
        findings.extend(f"{Path(f.file).relative_to(synthesized)}: {f.rule}: {f.message}"
                        for f in validator.validate(target))
        evaluated += len(manifests.resources)
    assert findings == []
    assert evaluated > 0


def test_deployed_policies_are_the_library(synthesized: Path, platform: Any) -> None:
    """Each cluster's cluster-config app carries every template and constraint of policies/."""
    expected = {f"{o['kind']}/{o['metadata']['name']}"
                for f in POLICY_FOLDERS for path in (f / "template.yaml", *constraint_files(f))
                for o in yaml.safe_load_all(path.read_text(encoding="utf-8")) if o}
    for cluster in platform.clusters:
        deployed = {f"{r.kind}/{r.name}"
                    for r in read_paths([synthesized / "dist" / cluster.name / "cluster-config"]).resources
                    if r.kind == "ConstraintTemplate" or r.group == "constraints.gatekeeper.sh"}
        assert deployed == expected, cluster.name


def _trusted(entries: list[str], repository: str) -> bool:
    return any(repository.startswith(e) if e.endswith("/") else repository == e for e in entries)


def test_trusted_images_cover_every_pinned_image() -> None:
    """The trusted-images constraint is the one list of trusted repositories: every image versions.py
    pins is on it, and nothing on it trusts a whole registry host."""
    from genai_gitops.model.images import full_repository
    from genai_gitops_constructs.versions import IMAGES

    constraint = yaml.safe_load((POLICIES / "k8s-trusted-images" / "constraint.yaml").read_text(encoding="utf-8"))
    entries = constraint["spec"]["parameters"]["repositories"]
    missing = [str(i) for i in IMAGES.values() if not _trusted(entries, full_repository(str(i)))]
    assert missing == []
    assert [e for e in entries if e.count("/") < 2 and e.endswith("/")] == []
    assert "tenantRepositories" not in constraint["spec"]["parameters"], "the synth fills it per cluster"

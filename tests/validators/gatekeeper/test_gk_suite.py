"""gator's suites: the reader, the assertions and the runner, on fixture suites written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from gatekeeper_fixtures import FIXTURES, POLICIES

from genai_gitops.validators.gatekeeper.suite import (
    Assertion,
    CaseFilter,
    SuiteError,
    SuiteRunner,
    find_suite_files,
    load_objects,
    read_suite,
    summarise,
)
from genai_gitops.validators.gatekeeper.template import TemplateCompiler


def test_fixture_suites_pass(compiler: TemplateCompiler) -> None:
    results = SuiteRunner(compiler).run_paths([POLICIES])
    assert [(r.test, r.case, r.message) for r in results if not r.passed] == []
    assert summarise(results) == (12, 0, 1)
    [skipped] = [r for r in results if r.skipped]
    assert skipped.case == "not-ready-yet"


def test_failures_say_why_in_gators_words(compiler: TemplateCompiler) -> None:
    results = {(r.test, r.case): r for r in SuiteRunner(compiler).run_paths([FIXTURES / "broken"])}
    assert all(not r.passed for r in results.values())
    messages = {key: r.message for key, r in results.items()}
    assert messages[("wrong-expectations", "expects-none-gets-one")] == (
        'unexpected number of violations: got 1 violations but want none: got messages '
        '["Deployment api is missing the labels [\\"owner\\", \\"team\\"]"]')
    assert messages[("wrong-expectations", "no-assertions")] == "invalid Case: assertions must be non-empty"
    assert messages[("wrong-expectations", "two-objects")] == (
        "object file must contain exactly one object: 'two_objects.yaml' defines 2 objects")
    assert messages[("wrong-expectations", "missing-file")] == (
        "reading object from 'does_not_exist.yaml': no such file")
    assert messages[("wrong-expectations", "bad-regex")].startswith("message contains invalid regular expression")
    assert messages[("template-without-violation-rule", "never-runs")] == (
        "adding template: ConstraintTemplate 'ggnothing': invalid rego: missing required rules: [violation]")
    assert messages[("valid-constraint-marked-invalid", "")] == (
        "constraint should have failed schema validation: got error <nil> but want schema validation failed")


@pytest.mark.parametrize(("assertion", "messages", "problem"), [
    (Assertion(), ["a"], None),
    (Assertion(), [], "unexpected number of violations: got 0 violations but want at least 1: got messages []"),
    (Assertion("no"), [], None),
    (Assertion(2, "^x"), ["x1", "y", "x2"], None),
    (Assertion(1, "^x"), ["x1", "x2"],
     "unexpected number of violations: got 2 violations containing '^x' but want exactly 1: "
     'got messages ["x1", "x2"]'),
    (Assertion("no", "secret"), ["public"], None),
    (Assertion("maybe"), [],
     'invalid yaml: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"'),
])
def test_assertions(assertion: Assertion, messages: list[str], problem: str | None) -> None:
    assert assertion.check(messages) == problem


def test_files_are_read_as_yaml_1_2(tmp_path: Path) -> None:
    file = tmp_path / "suite.yaml"
    file.write_text("a: yes\nb: no\nc: 2024-01-01\nd: true\n---\n# only a comment\n---\ne: on\n")
    assert load_objects(file) == [{"a": "yes", "b": "no", "c": "2024-01-01", "d": True}, {"e": "on"}]
    assert Assertion.parse({"violations": "yes"}, "x") == Assertion("yes")


def test_non_suite_yaml_is_not_a_suite(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text("apiVersion: v1\nkind: ConfigMap\n")
    assert read_suite(file) is None
    file.write_text("apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\ntests: oops\n")
    with pytest.raises(SuiteError, match="tests must be a list"):
        read_suite(file)


def test_every_suite_file_is_found_whatever_its_name(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "checks.yml").write_text("apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\n")
    (tmp_path / "other.yaml").write_text("kind: ConfigMap\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "suite.yaml").write_text("apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\n")
    assert find_suite_files([tmp_path]) == [tmp_path / "nested" / "checks.yml"]


@pytest.mark.parametrize(("expression", "selected"), [
    ("", {"owner-and-team/allowed", "owner-and-team/bad-value", "labels-must-be-a-list/"}),
    ("bad", {"owner-and-team/bad-value"}),
    ("list", {"labels-must-be-a-list/"}),
    ("owner//^allowed$", {"owner-and-team/allowed"}),
])
def test_run_filter(compiler: TemplateCompiler, expression: str, selected: set[str]) -> None:
    results = SuiteRunner(compiler, CaseFilter.parse(expression)).run_paths([POLICIES / "requiredlabels"])
    names = {f"{r.test}/{r.case}" for r in results}
    assert selected <= names
    if expression:
        assert names == selected


def test_run_filter_rejects_two_separators() -> None:
    with pytest.raises(SuiteError, match='at most one "//"'):
        CaseFilter.parse("a//b//c")

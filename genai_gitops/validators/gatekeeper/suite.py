"""gator's test suites: a reader for `kind: Suite` files and a runner whose results are data.

A Suite (`test.gatekeeper.sh/v1alpha1`) lists tests; a test pairs a template with a constraint (and
optionally an ExpansionTemplate file) and lists cases; a case reviews one object, with optional
inventory files for `data.inventory`, and checks assertions. gator's rules, kept here:

- every case starts from a clean state: the test's template and constraint and only the case's own
  inventory (`data.inventory` is `{}` without one);
- an assertion's `violations` is `yes` (the default: at least one), `no` (none) or an integer
  (exactly that many); `message` is a regular expression searched in each violation's message and
  narrows the count to the violations it finds;
- a case needs an object and at least one assertion; the object file holds exactly one object; an
  `admission.k8s.io` AdmissionReview is reviewed as its request;
- `invalid: true` tests pass when the constraint fails the template's parameter schema;
- `skip: true` skips a suite, test or case.

Files are read as YAML 1.2 (as gator does): `yes`/`no` stay strings, dates stay strings.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_gitops import safeyaml
from genai_gitops.validators.gatekeeper.engine import ConstraintError, PolicyEngine, is_constraint
from genai_gitops.validators.gatekeeper.expansion import Expander, ExpansionError, ExpansionTemplate
from genai_gitops.validators.gatekeeper.inventory import Inventory, InventoryError
from genai_gitops.validators.gatekeeper.objects import group_version_kind, name_of
from genai_gitops.validators.gatekeeper.review import (
    ReviewError,
    is_admission_review,
    review_admission_request,
    review_object,
)
from genai_gitops.validators.gatekeeper.template import ConstraintTemplate, TemplateCompiler, TemplateError

SUITE_GROUP = "test.gatekeeper.sh"
SUITE_KIND = "Suite"
YAML_SUFFIXES = (".yaml", ".yml")


class SuiteError(ValueError):
    """A suite, test or case gator could not run (bad YAML, missing file, invalid field)."""


def load_objects(path: Path) -> list[dict[str, Any]]:
    """The non-empty objects of a YAML file (documents split as gator splits them)."""
    try:
        text = safeyaml.read_file(path)
    except OSError as exc:
        raise SuiteError(f"reading {str(path)!r}: {exc}") from exc
    except safeyaml.InputError as exc:
        raise SuiteError(f"invalid yaml: reading {str(path)!r}: {exc}") from None
    objects = []
    line = 1
    for chunk in re.split(r"\n---", text):
        try:
            doc = safeyaml.load_yaml(chunk, yaml12=True)
        except safeyaml.InputError as exc:
            raise SuiteError(f"invalid yaml: reading {str(path)!r}: {exc.shifted(line - 1)}") from None
        line += chunk.count("\n") + 1
        if doc is None or doc == {}:
            continue
        if not isinstance(doc, dict):
            raise SuiteError(f"invalid yaml: {str(path)!r}: a document is a {type(doc).__name__}, not an object")
        objects.append(doc)
    return objects


# -- model -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assertion:
    violations: int | str = "yes"
    message: str | None = None

    @classmethod
    def parse(cls, raw: Any, where: str) -> Assertion:
        if not isinstance(raw, Mapping):
            raise SuiteError(f"{where}: an assertion must be an object")
        violations = raw.get("violations", "yes")
        if isinstance(violations, bool) or not isinstance(violations, int | str):
            raise SuiteError(f'{where}: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"')
        message = raw.get("message")
        return cls(violations, None if message is None else str(message))

    def check(self, messages: Sequence[str]) -> str | None:
        """None when the assertion holds, else why not (gator's wording)."""
        if self.message is None:
            matching = len(messages)
        else:
            try:
                regex = re.compile(self.message)
            except re.error as exc:
                return f"message contains invalid regular expression: {exc}"
            matching = sum(1 for m in messages if regex.search(m))
        containing = f" containing {self.message!r}" if self.message is not None else ""
        got = f"got {matching} violations{containing}"
        if isinstance(self.violations, int):
            if self.violations < 0:
                return 'invalid yaml: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"'
            problem = None if matching == self.violations else f"{got} but want exactly {self.violations}"
        elif self.violations == "yes":
            problem = None if matching > 0 else f"{got} but want at least 1"
        elif self.violations == "no":
            problem = None if matching == 0 else f"{got} but want none"
        else:
            return 'invalid yaml: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"'
        if problem is None:
            return None
        return f"unexpected number of violations: {problem}: got messages {json.dumps(list(messages))}"


@dataclass(frozen=True)
class Case:
    name: str
    object: str = ""
    inventory: tuple[str, ...] = ()
    assertions: tuple[Assertion, ...] = ()
    skip: bool = False


@dataclass(frozen=True)
class Test:
    name: str
    template: str = ""
    constraint: str = ""
    expansion: str = ""
    cases: tuple[Case, ...] = ()
    invalid: bool = False
    skip: bool = False


@dataclass(frozen=True)
class Suite:
    path: Path
    name: str = ""
    tests: tuple[Test, ...] = ()
    skip: bool = False

    @property
    def directory(self) -> Path:
        return self.path.parent


def _parse_case(raw: Any, where: str) -> Case:
    if not isinstance(raw, Mapping):
        raise SuiteError(f"{where}: a case must be an object")
    inventory = raw.get("inventory") or []
    if not isinstance(inventory, list):
        raise SuiteError(f"{where}.inventory: must be a list of paths")
    assertions = raw.get("assertions") or []
    if not isinstance(assertions, list):
        raise SuiteError(f"{where}.assertions: must be a list")
    return Case(name=str(raw.get("name", "")), object=str(raw.get("object") or ""),
                inventory=tuple(str(p) for p in inventory),
                assertions=tuple(Assertion.parse(a, f"{where}.assertions[{i}]") for i, a in enumerate(assertions)),
                skip=bool(raw.get("skip", False)))


def _parse_test(raw: Any, where: str) -> Test:
    if not isinstance(raw, Mapping):
        raise SuiteError(f"{where}: a test must be an object")
    cases = raw.get("cases") or []
    if not isinstance(cases, list):
        raise SuiteError(f"{where}.cases: must be a list")
    return Test(name=str(raw.get("name", "")), template=str(raw.get("template") or ""),
                constraint=str(raw.get("constraint") or ""), expansion=str(raw.get("expansion") or ""),
                cases=tuple(_parse_case(c, f"{where}.cases[{i}]") for i, c in enumerate(cases)),
                invalid=bool(raw.get("invalid", False)), skip=bool(raw.get("skip", False)))


def is_suite(obj: Mapping[str, Any]) -> bool:
    group, _, kind = group_version_kind(obj)
    return kind == SUITE_KIND and group == SUITE_GROUP


def read_suite(path: Path) -> Suite | None:
    """The Suite a file defines, or None when the file is not a Suite."""
    objects = load_objects(path)
    if not objects or not is_suite(objects[0]):
        return None
    raw = objects[0]
    tests = raw.get("tests") or []
    if not isinstance(tests, list):
        raise SuiteError(f"invalid yaml: {path}: tests must be a list")
    return Suite(path=path, name=name_of(raw),
                 tests=tuple(_parse_test(t, f"tests[{i}]") for i, t in enumerate(tests)),
                 skip=bool(raw.get("skip", False)))


def find_suite_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every YAML file under the paths that declares a Suite (a file given by name is always kept)."""
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.add(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if not name.endswith(YAML_SUFFIXES):
                    continue
                file = Path(root, name)
                try:  # regular files only, as every input is read (a FIFO would block)
                    head = safeyaml.read_file(file)
                except (OSError, safeyaml.InputError):
                    continue
                if SUITE_GROUP in head and SUITE_KIND in head:
                    found.add(file)
    return sorted(found)


# -- filter ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFilter:
    """gator's `--run`: `REGEX` selects tests or cases whose name matches; `TEST//CASE` selects both."""

    test: re.Pattern[str] | None = None
    case: re.Pattern[str] | None = None
    either: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, expression: str) -> CaseFilter:
        if not expression:
            return cls()
        parts = expression.split("//")
        try:
            if len(parts) == 1:
                return cls(either=re.compile(parts[0]))
            if len(parts) == 2:
                return cls(test=re.compile(parts[0]), case=re.compile(parts[1]))
        except re.error as exc:
            raise SuiteError(f"invalid test filter: {exc}") from exc
        raise SuiteError('invalid test filter: a filter may include at most one "//"')

    def matches_test(self, test: Test) -> bool:
        if self.either is not None:
            return bool(self.either.search(test.name)) or any(self.matches_case(test.name, c.name) for c in test.cases)
        return self.test is None or bool(self.test.search(test.name))

    def matches_case(self, test_name: str, case_name: str) -> bool:
        if self.either is not None:
            return bool(self.either.search(case_name) or self.either.search(test_name))
        return (self.case is None or bool(self.case.search(case_name))) and (
            self.test is None or bool(self.test.search(test_name)))


# -- runner ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseResult:
    """One case's outcome; `case` is "" for a result about a whole test, `test` "" for a whole suite."""

    suite: str
    test: str
    case: str
    passed: bool
    message: str = ""
    skipped: bool = False
    seconds: float = field(default=0.0, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"suite": self.suite, "test": self.test, "case": self.case, "passed": self.passed,
                "message": self.message}


class SuiteRunner:
    """Runs suites; one runner shares template compilations (and file reads) across the suites it runs."""

    def __init__(self, compiler: TemplateCompiler | None = None, case_filter: CaseFilter | None = None) -> None:
        self.compiler = compiler if compiler is not None else TemplateCompiler()
        self.case_filter = case_filter if case_filter is not None else CaseFilter()
        self._files: dict[Path, list[dict[str, Any]]] = {}

    def run_paths(self, paths: Iterable[str | os.PathLike[str]]) -> list[CaseResult]:
        results: list[CaseResult] = []
        for file in find_suite_files(paths):
            try:
                suite = read_suite(file)
            except SuiteError as exc:
                results.append(CaseResult(str(file), "", "", False, str(exc)))
                continue
            if suite is not None:
                results.extend(self.run(suite))
        return results

    def run(self, suite: Suite) -> list[CaseResult]:
        if suite.skip:
            return [CaseResult(str(suite.path), "", "", True, "skipped", skipped=True)]
        results: list[CaseResult] = []
        for test in suite.tests:
            results.extend(self._run_test(suite, test))
        return results

    # -- one test ----------------------------------------------------------------------------
    def _run_test(self, suite: Suite, test: Test) -> Iterator[CaseResult]:
        name = str(suite.path)
        if not self.case_filter.matches_test(test):
            return  # filtered out: not part of this run
        if test.skip:
            yield CaseResult(name, test.name, "", True, "skipped", skipped=True)
            return
        started = time.perf_counter()
        try:
            engine = self._engine(suite, test)
            error: str | None = None
        except (SuiteError, TemplateError) as exc:
            engine, error = None, str(exc)
        except ConstraintError as exc:
            engine, error = None, f"adding constraint: {exc}"
            if test.invalid and exc.schema:
                yield CaseResult(name, test.name, "", True, "", seconds=time.perf_counter() - started)
                return
        if test.invalid:
            got = error or "<nil>"
            yield CaseResult(name, test.name, "", False,
                             f"constraint should have failed schema validation: got error {got} but want "
                             "schema validation failed", seconds=time.perf_counter() - started)
            return
        expander: Expander | None = None
        if engine is not None and test.expansion:
            try:
                expander = Expander(ExpansionTemplate.from_object(o)
                                    for o in self._objects(suite.directory, test.expansion, "ExpansionTemplate"))
            except (SuiteError, ExpansionError) as exc:
                error = str(exc)
        if engine is None or error is not None:
            # the test could not start: every selected case fails with the test's error
            selected = [c for c in test.cases if self.case_filter.matches_case(test.name, c.name)]
            for case in selected or [Case(name="")]:
                yield CaseResult(name, test.name, case.name, False, error or "", seconds=0.0)
            return
        for case in test.cases:
            if not self.case_filter.matches_case(test.name, case.name):
                continue
            if case.skip:
                yield CaseResult(name, test.name, case.name, True, "skipped", skipped=True)
                continue
            started = time.perf_counter()
            message = self._run_case(suite, engine, expander, case)
            yield CaseResult(name, test.name, case.name, message is None, message or "",
                             seconds=time.perf_counter() - started)

    def _engine(self, suite: Suite, test: Test) -> PolicyEngine:
        if not test.template:
            raise SuiteError("invalid Suite: missing template")
        if not test.constraint:
            raise SuiteError("invalid Suite: missing constraint")
        template_obj = self._single(suite.directory, test.template, "ConstraintTemplate")
        try:
            template = ConstraintTemplate.from_object(template_obj)
        except TemplateError as exc:
            raise TemplateError(f"adding template: path {test.template!r}: {exc}") from exc
        engine = PolicyEngine(self.compiler)
        try:
            engine.add_template(template)
        except TemplateError as exc:
            raise TemplateError(f"adding template: {exc}") from exc
        constraint_obj = self._single(suite.directory, test.constraint, "Constraint")
        if not is_constraint(constraint_obj):
            raise SuiteError(f"not a Constraint: {test.constraint!r}")
        engine.add_constraint(constraint_obj)
        return engine

    # -- one case ----------------------------------------------------------------------------
    def _run_case(self, suite: Suite, engine: PolicyEngine, expander: Expander | None, case: Case) -> str | None:
        """None when every assertion holds, else the first failure."""
        if not case.object:
            return "invalid Case: must define object"
        if not case.assertions:
            return "invalid Case: assertions must be non-empty"
        try:
            objects = self._objects(suite.directory, case.object, "object")
            if len(objects) != 1:
                return (f"object file must contain exactly one object: {case.object!r} defines "
                        f"{len(objects)} objects")
            inventory = Inventory()
            for path in case.inventory:
                for obj in self._objects(suite.directory, path, "inventory"):
                    inventory.add(obj)
            engine.set_inventory(inventory)
            obj = objects[0]
            if is_admission_review(obj):  # gator expands only objects given as such
                violations = engine.review(review_admission_request(obj))
            else:
                violations = engine.review_expanded(review_object(obj), expander)
        except (SuiteError, ReviewError, ExpansionError) as exc:
            return str(exc)
        except InventoryError as exc:
            return f"unable to add object to data.inventory: {exc}"
        messages = [v.msg for v in violations]
        for assertion in case.assertions:
            problem = assertion.check(messages)
            if problem is not None:
                return problem
        return None

    # -- files -------------------------------------------------------------------------------
    def _objects(self, directory: Path, relative: str, what: str) -> list[dict[str, Any]]:
        path = directory / relative.lstrip("/")
        cached = self._files.get(path)
        if cached is None:
            if not path.is_file():
                raise SuiteError(f"reading {what} from {relative!r}: no such file")
            cached = load_objects(path)
            if not cached:
                raise SuiteError(f"missing objects: path {relative!r} defines no YAML objects")
            self._files[path] = cached
        return cached

    def _single(self, directory: Path, relative: str, what: str) -> dict[str, Any]:
        objects = self._objects(directory, relative, what)
        return objects[0]


def summarise(results: Sequence[CaseResult]) -> tuple[int, int, int]:
    """(passed, failed, skipped) over case results."""
    skipped = sum(1 for r in results if r.skipped)
    passed = sum(1 for r in results if r.passed and not r.skipped)
    return passed, len(results) - passed - skipped, skipped

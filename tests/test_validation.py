"""The runner: manifests in, one Report out, whatever the validators do."""

from __future__ import annotations

import os
import sys
import time
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from genai_gitops import pools
from genai_gitops.cache import MemoryCache
from genai_gitops.manifests import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.section import Section
from genai_gitops.validation import PARALLEL_UNITS, run_validators, validate_paths
from genai_gitops.validators import registry
from genai_gitops.validators.base import Target, Validator, WorkUnit
from genai_gitops.validators.registry import ValidatorOptions


class NeedsLabels(Validator):
    """Flags every resource without labels; a stand-in for the real validators."""

    name = "labels"

    def __init__(self, options: ValidatorOptions) -> None:
        self.options = options

    def validate(self, target: Target) -> Iterator[Finding]:
        for resource in target.resources:
            if not resource.labels:
                yield Finding.about(resource, validator=self.name, rule="required", message="no labels")


class Counter(Validator):
    """Contributes a table, and records which k8s versions it was asked about."""

    name = "counter"
    seen: list[str] = []

    def __init__(self, options: ValidatorOptions) -> None:
        pass

    def validate(self, target: Target) -> Iterable[Finding]:
        Counter.seen.append(target.k8s_version)
        return []

    def sections(self, target: Target) -> list[Section]:
        return [Section("Resources", ("target", "count"), ((target.name, str(len(target.resources))),))]


class Crashes(Validator):
    """Yields one finding, then fails like a buggy validator."""

    name = "crashes"

    def __init__(self, options: ValidatorOptions) -> None:
        pass

    def validate(self, target: Target) -> Iterator[Finding]:
        yield Finding.about(target.resources[0], validator=self.name, rule="first", message="found before crash",
                            severity=Severity.WARNING)
        raise KeyError("spec")


class CannotStart(Validator):
    name = "cannot-start"

    def __init__(self, options: ValidatorOptions) -> None:
        raise RuntimeError("checkov not found on PATH")

    def validate(self, target: Target) -> Iterable[Finding]:  # pragma: no cover - never built
        return []


@pytest.fixture
def register(monkeypatch) -> Callable[..., None]:
    """Make the given classes the only registered validators, in order."""
    module = types.ModuleType("_fake_validators")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    Counter.seen = []

    def add(*classes: type[Validator]) -> None:
        table = {}
        for cls in classes:
            setattr(module, cls.__name__, cls)
            table[cls.name] = f"{module.__name__}:{cls.__name__}"
        monkeypatch.setattr(registry, "VALIDATORS", table)
        monkeypatch.setattr(registry, "DEFAULT_ORDER", tuple(table))
    return add


@pytest.fixture
def manifests(tmp_path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: t\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels: {team: x}\n")
    (tmp_path / "broken.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: [unclosed\n")
    return tmp_path


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


def test_parse_findings_and_validator_findings_in_one_report(register, manifests):
    register(NeedsLabels)
    report = validate_paths([manifests], k8s_version="1.30")
    assert [(f.validator, f.rule, Path(f.file).name, f.line) for f in report.findings] == [
        ("labels", "required", "deploy.yaml", 1),
        ("parse", "yaml-syntax", "broken.yaml", 4),
    ]
    assert report.files == (str(manifests / "app" / "deploy.yaml"), str(manifests / "broken.yaml"))
    assert report.resources == 2
    assert [run.name for run in report.runs] == ["parse", "labels"]
    assert report.exit_code() == 1


def test_each_validator_is_timed(register, manifests):
    register(NeedsLabels, Counter)
    report = validate_paths([manifests], k8s_version="1.30", clock=FakeClock())
    assert [(run.name, run.seconds, run.resources) for run in report.runs] == [
        ("parse", 0.5, 2), ("labels", 0.5, 2), ("counter", 0.5, 2)]
    # first clock reading to last: the whole run (each validator that runs whole reads it once more when planned)
    assert report.seconds == pytest.approx(5.0 - 0.5)


def test_only_the_chosen_validators_run(register, manifests):
    register(NeedsLabels, Counter)
    report = validate_paths([manifests], k8s_version="1.29", validator_names=["counter"])
    assert report.validators == ("parse", "counter")
    assert Counter.seen == ["1.29"]


def test_sections_are_collected(register, manifests):
    register(Counter)
    report = validate_paths([manifests / "app"], k8s_version="1.30")
    assert report.sections == (Section("Resources", ("target", "count"), ((str(manifests / "app"), "2"),)),)


def test_a_crashing_validator_is_an_internal_error_and_the_others_still_run(register, manifests):
    register(Crashes, NeedsLabels)
    report = validate_paths([manifests / "app"], k8s_version="1.30")
    crash = [f for f in report.findings if f.rule == "internal-error"]
    assert len(crash) == 1
    assert crash[0].validator == "crashes" and crash[0].severity is Severity.ERROR and crash[0].file == ""
    assert crash[0].message.startswith(f"failed on {manifests / 'app'}: KeyError: 'spec' (at test_validation.py:")
    assert {f.rule for f in report.findings} == {"internal-error", "first", "required"}
    assert report.exit_code() == 2


def test_a_validator_that_cannot_start_is_an_internal_error(register, manifests):
    register(CannotStart, NeedsLabels)
    report = validate_paths([manifests / "app"], k8s_version="1.30")
    [crash] = report.internal_errors
    assert crash.validator == "cannot-start"
    assert crash.message.startswith("could not start: RuntimeError: checkov not found on PATH")
    assert [run.name for run in report.runs] == ["parse", "labels"]


def test_unknown_names_and_missing_paths_fail_before_any_work(register, manifests):
    register(NeedsLabels)
    with pytest.raises(ValueError, match=r"^unknown validator\(s\) nope; choose from labels$"):
        validate_paths([manifests], k8s_version="1.30", validator_names=["nope"])
    with pytest.raises(FileNotFoundError, match=r"no such file or folder: .*missing"):
        validate_paths([manifests / "missing"], k8s_version="1.30")


def test_the_same_name_twice_runs_once(register, manifests):
    register(NeedsLabels)
    report = validate_paths([manifests / "app"], k8s_version="1.30", validator_names=["labels", "labels"])
    assert [run.name for run in report.runs] == ["parse", "labels"]
    assert report.errors == 1


def resource(name: str, file: str) -> Resource:
    return Resource(obj={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}, file=file)


def test_run_validators_over_several_clusters(register):
    register(Counter)
    Counter.seen = []
    targets = [Target("eu-1", "1.30", [resource("a", "dist/eu-1/a.yaml")]),
               Target("us-1", "1.29", [resource("b", "dist/us-1/b.yaml"), resource("c", "dist/us-1/b.yaml")])]
    parse_error = Finding(file="dist/us-1/x.yaml", line=2, api_version="", kind="", namespace="", name="",
                          validator="parse", rule="yaml-syntax", severity=Severity.ERROR, message="invalid YAML")
    progress = RecordingProgress()
    report = run_validators(targets, [Counter(ValidatorOptions()), NeedsLabels(ValidatorOptions())],
                            findings=[parse_error], files=["dist/us-1/x.yaml"], progress=progress)
    assert Counter.seen == ["1.30", "1.29"]
    assert [s.title for s in report.sections] == ["Resources (eu-1)", "Resources (us-1)"]
    assert report.files == ("dist/eu-1/a.yaml", "dist/us-1/b.yaml", "dist/us-1/x.yaml")
    assert report.resources == 3 and report.targets == ("eu-1", "us-1")
    assert [(r.name, r.targets, r.resources) for r in report.runs] == [("counter", 2, 3), ("labels", 2, 3)]
    assert [f.validator for f in report.findings] == ["labels", "labels", "labels", "parse"]
    assert progress.calls == [(0, 4, "counter on eu-1"), (1, 4, "labels on eu-1"), (2, 4, "counter on us-1"),
                              (3, 4, "labels on us-1"), (4, 4, ""), "close"]


class RecordingProgress:
    def __init__(self) -> None:
        self.calls: list[object] = []

    def update(self, done: int, total: int, label: str) -> None:
        self.calls.append((done, total, label))

    def close(self) -> None:
        self.calls.append("close")


class ManyUnits(Validator):
    """Plans one keyed unit per resource: closures over local state, as the real planners' units are."""

    name = "many"

    def __init__(self, options: ValidatorOptions) -> None:
        pass

    def validate(self, target: Target) -> Iterator[Finding]:  # pragma: no cover - the runner plans instead
        raise AssertionError("a planning validator is run as work units")

    def plan(self, target: Target) -> list[WorkUnit]:
        pid = os.getpid()

        def unit(resource: Resource) -> list[Finding]:
            elsewhere = "worker" if os.getpid() != pid else "here"
            return [Finding.about(resource, validator=self.name, rule="seen", message=elsewhere)]

        return [WorkUnit(label=r.name, key=f"{r.name:0>40}", run=partial(unit, r)) for r in target.resources]


def test_work_units_run_in_forked_workers_and_come_back_from_the_cache():
    many = [resource(f"r{i}", f"dist/c/r{i}.yaml") for i in range(PARALLEL_UNITS + 6)]
    target = Target("c", "1.30", many, digest="d" * 40)
    cache = MemoryCache()
    serial = run_validators([target], [ManyUnits(ValidatorOptions())], workers=1)
    assert {f.message for f in serial.findings} == {"here"}
    parallel = run_validators([target], [ManyUnits(ValidatorOptions())], workers=2, cache=cache)
    expected = {"worker"} if pools.available(pools.StartMethod.FORK) else {"here"}
    assert {f.message for f in parallel.findings} == expected
    assert [f.name for f in parallel.findings] == [f.name for f in serial.findings]  # in plan order
    again = run_validators([target], [ManyUnits(ValidatorOptions())], workers=2, cache=cache)
    assert again.findings == parallel.findings and cache.hits == len(many)


class MarksUnits(Validator):
    """Plans units that each leave a file in `folder` when they run."""

    name = "marks"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def validate(self, target: Target) -> Iterator[Finding]:  # pragma: no cover - the runner plans instead
        raise AssertionError("a planning validator is run as work units")

    def plan(self, target: Target) -> list[WorkUnit]:
        def unit(resource: Resource) -> list[Finding]:
            (self.folder / resource.name).touch()
            return []

        return [WorkUnit(label=r.name, key=None, run=partial(unit, r)) for r in target.resources]


class AwaitsMarks(Validator):
    """Runs whole, and reports how many units had run by the time it finished waiting (at most 20 s)."""

    name = "awaits"

    def __init__(self, folder: Path, expected: int) -> None:
        self.folder, self.expected = folder, expected

    def validate(self, target: Target) -> Iterator[Finding]:
        deadline = time.monotonic() + 20
        while len(list(self.folder.iterdir())) < self.expected and time.monotonic() < deadline:
            time.sleep(0.02)
        yield Finding.about(target.resources[0], validator=self.name, rule="units-seen",
                            message=str(len(list(self.folder.iterdir()))))


@pytest.mark.skipif(not pools.available(pools.StartMethod.FORK), reason="needs the fork start method")
def test_work_units_compute_while_the_whole_validators_run(tmp_path):
    # the whole validator waits for the units' marks: were the units run only after it (as they once were),
    # it would see none of them
    many = [resource(f"r{i}", f"dist/c/r{i}.yaml") for i in range(PARALLEL_UNITS)]
    target = Target("c", "1.30", many, digest="d" * 40)
    report = run_validators([target], [MarksUnits(tmp_path), AwaitsMarks(tmp_path, len(many))], workers=2)
    assert [(f.validator, f.message) for f in report.findings] == [("awaits", str(len(many)))]
    assert len(list(tmp_path.iterdir())) == len(many)


def test_a_failing_whole_validator_stops_the_background_units(tmp_path, monkeypatch):
    started: list[pools.InheritedMap] = []
    original = pools.InheritedMap.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        started.append(self)
    monkeypatch.setattr(pools.InheritedMap, "__init__", remember)

    class Interrupted(Validator):
        name = "interrupted"

        def __init__(self) -> None:
            pass

        def validate(self, target: Target) -> Iterator[Finding]:
            raise KeyboardInterrupt  # not an internal error: the run stops, and so must its workers

    many = [resource(f"r{i}", f"dist/c/r{i}.yaml") for i in range(PARALLEL_UNITS)]
    with pytest.raises(KeyboardInterrupt):
        run_validators([Target("c", "1.30", many)], [MarksUnits(tmp_path), Interrupted()], workers=2)
    assert len(started) == 1 and not started[0].parallel  # the pool was terminated and let go


class Declares(Validator):
    name = "declares"
    options_used = ("policy_paths",)
    built: ValidatorOptions | None = None

    def __init__(self, options: ValidatorOptions) -> None:
        Declares.built = options

    def validate(self, target: Target) -> Iterable[Finding]:
        return []


def test_a_validator_is_built_with_only_the_options_it_declares(register):
    register(Declares)
    given = ValidatorOptions(policy_paths=(Path("policies"),), checkov_skips=Path("skips.yaml"),
                             repo_root=Path("."), cache=MemoryCache())
    registry.build_validators(["declares"], given)
    assert Declares.built == ValidatorOptions(policy_paths=(Path("policies"),))
    with pytest.raises(ValueError, match=r"^unknown validator option\(s\) colour$"):
        given.for_validator(["colour"])


def test_a_registered_class_that_is_not_a_validator_cannot_start(register, manifests):
    class Loose:  # the old duck-typed shape: name and validate, no base class
        name = "loose"

        def __init__(self, options: ValidatorOptions) -> None:
            pass

    register(Loose, NeedsLabels)
    report = validate_paths([manifests / "app"], k8s_version="1.30")
    [crash] = report.internal_errors
    assert crash.message.startswith("could not start: TypeError: _fake_validators:Loose is not a Validator "
                                    "(validators/base.py)")


class HeadStart(Validator):
    """Offers a head start and records what it was given; its results are cacheable per target."""

    name = "head-start"
    given: list[list[str]] = []
    fails = False

    def __init__(self, options: ValidatorOptions) -> None:
        pass

    def prefetch(self, targets) -> None:
        HeadStart.given.append([t.name for t in targets])
        if HeadStart.fails:
            raise RuntimeError("the background scan could not start")

    def cache_context(self, target: Target) -> str:
        return "v1"

    def validate(self, target: Target) -> Iterator[Finding]:
        yield Finding.about(target.resources[0], validator=self.name, rule="seen", message=target.name)


def test_a_head_start_is_asked_for_once_per_run_for_what_the_cache_lacks():
    HeadStart.given, HeadStart.fails = [], False
    targets = [Target("eu-1", "1.30", [resource("a", "dist/eu-1/a.yaml")], digest="1" * 40),
               Target("us-1", "1.30", [resource("b", "dist/us-1/b.yaml")], digest="2" * 40)]
    cache = MemoryCache()
    first = run_validators(targets, [HeadStart(ValidatorOptions()), Counter(ValidatorOptions())], cache=cache)
    assert HeadStart.given == [["eu-1", "us-1"]]  # both, before any validate; Counter offers none
    changed = [targets[0], replace(targets[1], digest="3" * 40)]
    again = run_validators(changed, [HeadStart(ValidatorOptions())], cache=cache)
    assert HeadStart.given[-1] == ["us-1"]  # eu-1's results come from the cache
    assert [f.message for f in again.findings] == [f.message for f in first.findings] == ["eu-1", "us-1"]


def test_a_failed_head_start_costs_nothing_but_time():
    HeadStart.given, HeadStart.fails = [], True
    target = Target("eu-1", "1.30", [resource("a", "dist/eu-1/a.yaml")])
    report = run_validators([target], [HeadStart(ValidatorOptions())])
    assert [(f.rule, f.message) for f in report.findings] == [("seen", "eu-1")]

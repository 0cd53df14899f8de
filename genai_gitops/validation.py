"""The runner: read manifests, run validators over targets, return one Report. No printing here.

Two entry points serve the CLI and the tests alike (gator's reader/runner split):

* `validate_paths` - files and folders in, Report out: `genai-gitops validate`.
* `run_validators` - targets the caller built (one per cluster, each with its own k8s version)
  in, Report out: what `genai-gitops check` composes.

A validator that raises, or cannot even be built, becomes an `internal-error` finding and the
run goes on: one broken validator must not hide what the others found.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from genai_gitops import cache_keys, pools
from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.manifests import ManifestSet, read_paths
from genai_gitops.manifests.cached import parse_together
from genai_gitops.manifests.reader import read_data, read_text
from genai_gitops.manifests.resource import DeferredResources
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.progress import Progress, SilentProgress
from genai_gitops.report.rules import RuleRegistry
from genai_gitops.report.run import INTERNAL_ERROR_RULE, CheckedObject, Report, ValidatorRun
from genai_gitops.report.section import Section
from genai_gitops.report.suppression import Suppressions
from genai_gitops.validators import registry
from genai_gitops.validators.base import Target, Validator, WorkUnit
from genai_gitops.validators.registry import ValidatorOptions

Clock = Callable[[], float]

#: the pseudo-validator reading and parsing files; its findings come from the manifest reader
PARSE = "parse"
#: the path that means "read manifests from stdin", and the file name its findings carry (as kubeconform)
STDIN, STDIN_FILE = "-", "stdin"


def validate_paths(paths: Sequence[str | os.PathLike[str]], *, k8s_version: str,
                   validator_names: Sequence[str] | None = None, options: ValidatorOptions | None = None,
                   progress: Progress | None = None, clock: Clock = time.perf_counter,
                   stdin_text: str | bytes | None = None) -> Report:
    """Validate manifest files/folders as one target. `validator_names=None` runs every registered validator.
    A path `-` stands for `stdin_text` (what the caller read from stdin: bytes are decoded and limited as a
    file's are), reported as file `stdin`.

    Raises ValueError for an unknown validator name and FileNotFoundError for a missing path: those
    are mistakes of the caller, reported before any work starts.
    """
    if not paths:
        raise ValueError("no paths to validate")
    names = check_validator_names(validator_names)
    missing = [str(p) for p in paths if str(p) != STDIN and not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")

    started = clock()
    manifests, parse_run = read_manifests([p for p in paths if str(p) != STDIN], clock=clock)
    if stdin_text is not None and any(str(p) == STDIN for p in paths):
        manifests.extend(read_data(stdin_text, STDIN_FILE) if isinstance(stdin_text, bytes)
                         else read_text(stdin_text, STDIN_FILE))
        parse_run = replace(parse_run, resources=len(manifests.resources))
    validators, startup_findings = start_validators(names, options or ValidatorOptions())
    target = Target(name=" ".join(str(p) for p in paths), k8s_version=k8s_version, resources=manifests.resources)
    return run_validators([target], validators, findings=[*manifests.findings, *startup_findings],
                          files=manifests.files, runs=[parse_run], progress=progress, clock=clock,
                          started=started)


def check_validator_names(names: Sequence[str] | None) -> tuple[str, ...]:
    """The names to run, in order: all registered ones for None; ValueError naming the unknown ones."""
    if names is None:
        return tuple(registry.DEFAULT_ORDER)
    unknown = [n for n in names if n not in registry.VALIDATORS]
    if unknown:
        known = ", ".join(registry.VALIDATORS) or "(none registered)"
        raise ValueError(f"unknown validator(s) {', '.join(unknown)}; choose from {known}")
    return tuple(dict.fromkeys(names))  # duplicates would run twice and double every finding's count


def read_manifests(paths: Iterable[str | os.PathLike[str]], *,
                   clock: Clock = time.perf_counter) -> tuple[ManifestSet, ValidatorRun]:
    """read_paths, timed as the `parse` step of the report."""
    started = clock()
    manifests = read_paths(paths)
    return manifests, ValidatorRun(PARSE, clock() - started, targets=1, resources=len(manifests.resources))


def start_validators(names: Sequence[str],
                     options: ValidatorOptions) -> tuple[list[Validator], list[Finding]]:
    """Build each named validator on its own, so one that fails to start (a missing binary, a broken
    policy template) is reported as a finding while the others still run."""
    validators: list[Validator] = []
    findings: list[Finding] = []
    for name in names:
        try:
            validators.extend(registry.build_validators([name], options))
        except Exception as exc:
            findings.append(internal_error(name, f"could not start: {_describe(exc)}"))
    return validators, findings


def run_validators(targets: Sequence[Target], validators: Sequence[Validator], *,
                   findings: Iterable[Finding] = (), files: Iterable[str] = (), runs: Sequence[ValidatorRun] = (),
                   progress: Progress | None = None, clock: Clock = time.perf_counter,
                   started: float | None = None, cache: ResultCache = NO_CACHE, workers: int = 1) -> Report:
    """Run every validator over every target; `findings`, `files` and `runs` carry what came before
    (parse findings and files from reading, the parse timing) into the one Report.

    A validator that plans (`Validator.plan`) is run as work units: keyed units come from `cache`
    when their key is known, the rest run on `workers` processes (results do not depend on it).
    `started` is the `clock()` reading when the whole run began, for the report's wall time; without
    it the time of the earlier `runs` is counted as if they ran just before this call.
    """
    progress = progress or SilentProgress()
    if started is None:
        started = clock() - sum(run.seconds for run in runs)
    collected = list(findings)
    timings = {v.name: _Timing() for v in validators}
    buckets: list[_Bucket] = []
    pending: list[tuple[_Bucket, WorkUnit]] = []
    total, done = len(targets) * len(validators), 0
    data: dict[tuple[tuple[str, ...], int], str] = {}
    keys: dict[tuple[str, int], str | None] = {}

    def key_of(validator: Validator, t: int) -> str | None:
        # computed once, when first needed (a cache context can be real work: delivery's is its preview)
        if (validator.name, t) not in keys:
            target = targets[t]
            used = (validator.data_used, t)
            if used not in data:
                data[used] = cache_keys.target_data(
                    used=validator.data_used, k8s_version=target.k8s_version, cluster=target.cluster,
                    tenants=target.tenants, inventory=target.inventory) if target.digest else ""
            keys[validator.name, t] = _target_key(validator, target, data[used])
        return keys[validator.name, t]

    try:
        # validators that can begin their cache context in the background (delivery's is its whole run) have their
        # buckets filled last, after the others' work, which their forked child overlaps (the order of the buckets,
        # and so of the findings, is the same)
        later = {v.name for v in validators if workers > 1 and type(v).begin is not Validator.begin}
        # a target some validator has no cached result for is parsed below (to plan, prefetch or run):
        # all such targets at once, in one map rather than one pool per cluster. Only time is at stake:
        # if this fails, each target's first use parses it again and reports what fails. (The validators
        # begun later are left out: their key is their run, computed in a forked child.)
        needed = [target.resources for t, target in enumerate(targets)
                  if any(not (key := key_of(validator, t))
                         or not cache.has(cache_keys.target_results(validator.name), key)
                         for validator in validators if validator.name not in later)]
        with contextlib.suppress(Exception):
            parse_together(needed)
        # head starts first (checkov scans in the background while the others run), for what the cache lacks
        for validator in (v for v in validators if type(v).prefetch is not Validator.prefetch):
            began = clock()
            # a failed head start costs only time: `validate` then does the work, and reports what fails
            with contextlib.suppress(Exception):
                validator.prefetch([target for t, target in enumerate(targets)
                                    if not (key := key_of(validator, t))
                                    or not cache.has(cache_keys.target_results(validator.name), key)])
            timings[validator.name].add(clock() - began, 0)
        whole: list[tuple[_Bucket, Validator]] = []
        deferred: list[tuple[int, _Bucket, Validator]] = []

        def fill(t: int, bucket: _Bucket, validator: Validator, began: float) -> list[WorkUnit] | None:
            """The bucket from the cache or the validator's plan (its units still to run), or None: it runs whole."""
            nonlocal done
            target = targets[t]
            bucket.key = key_of(validator, t)
            cached = cache.get(cache_keys.target_results(validator.name), bucket.key) if bucket.key else None
            misses: list[WorkUnit] = []
            if cached is not None:
                bucket.findings = [Finding.from_dict(f) for f in cached["findings"]]
                bucket.sections = [Section(s["title"], tuple(s["headers"]), tuple(map(tuple, s["rows"])))
                                   for s in cached["sections"]]
                bucket.cached = True
            elif (planned := _planned(validator, target, cache)) is not None:
                bucket.findings, misses = planned
            else:
                return None  # timed when it runs
            done += 1
            timings[validator.name].add(clock() - began, len(target.resources) if not bucket.cached else 0)
            return misses

        for t, target in enumerate(targets):
            for validator in validators:
                began = clock()
                bucket = _Bucket(validator.name, target, None)
                buckets.append(bucket)
                if validator.name in later:
                    deferred.append((t, bucket, validator))
                elif (misses := fill(t, bucket, validator, began)) is None:
                    whole.append((bucket, validator))
                else:
                    pending.extend((bucket, unit) for unit in misses)
        # begun only now: the targets the others needed are parsed, and the child reads them from the cache
        later = {v.name for v in validators if v.name in later and _begun(v, targets)}
        for t, bucket, validator in [d for d in deferred if d[2].name not in later]:
            if (misses := fill(t, bucket, validator, clock())) is None:
                whole.append((bucket, validator))
            else:
                pending.extend((bucket, unit) for unit in misses)
        deferred = [d for d in deferred if d[2].name in later]
        # the work units compute on forked workers while this process runs the validators that run whole
        # (they overlap: on a cold check both are many seconds, and either alone leaves a core idle). Fork:
        # a unit's `run` is a closure over its validator's compiled policies and schemas, which the workers
        # inherit instead of rebuilding (and a closure cannot be pickled)
        # (a few units, as after one edit, compute in one forked child: the whole validators here meanwhile)
        with pools.InheritedMap(_run_unit, [(b.validator, u) for b, u in pending], workers=workers,
                                min_items=PARALLEL_UNITS, few_in_child=True) as units:
            if pending and units.parallel:
                progress.update(done, total, f"running {len(pending)} uncached work units in the background")
            for bucket, validator in whole:
                progress.update(done, total, f"{validator.name} on {bucket.target.name}" if len(targets) > 1
                                else validator.name)
                began = clock()
                bucket.findings, bucket.sections = _run_one(validator, bucket.target)
                timings[validator.name].add(clock() - began, len(bucket.target.resources))
                done += 1
            for t, bucket, validator in deferred:
                began = clock()
                if (misses := fill(t, bucket, validator, began)) is None:
                    bucket.findings, bucket.sections = _run_one(validator, bucket.target)
                    timings[validator.name].add(clock() - began, len(bucket.target.resources))
                    done += 1
                else:  # units of a deferred validator run here: the workers were given theirs already
                    for unit in misses:
                        found_dicts, seconds = _run_unit((validator.name, unit))
                        _unit_done(bucket, unit, found_dicts, seconds, timings, cache)
            if pending:
                progress.update(done, total, f"waiting for {len(pending)} uncached work units")
            executed = units.results()
        for (bucket, unit), (found_dicts, seconds) in zip(pending, executed, strict=True):
            _unit_done(bucket, unit, found_dicts, seconds, timings, cache)
        progress.update(done, total, "")
    finally:
        progress.close()
    sections: list[Section] = []
    for bucket in buckets:
        collected.extend(bucket.findings)
        # one table per cluster for `check`: the title says which
        sections.extend(replace(t, title=f"{t.title} ({bucket.target.name})") if len(targets) > 1 else t
                        for t in bucket.sections)
        if bucket.key and not bucket.cached and not any(f.rule == INTERNAL_ERROR_RULE for f in bucket.findings):
            cache.put(cache_keys.target_results(bucket.validator), bucket.key, {
                "findings": [f.to_dict() for f in bucket.findings],
                "sections": [{"title": t.title, "headers": t.headers, "rows": t.rows} for t in bucket.sections]})
    objects, suppressions = _checked(targets, cache)
    if suppressions.valid or suppressions.problems:
        collected = suppressions.apply(collected, ran={v.name for v in validators})
    all_runs = (*runs, *(ValidatorRun(name, t.seconds, len(targets), t.resources) for name, t in timings.items()))
    return Report(findings=tuple(collected), sections=tuple(sections), runs=all_runs,
                  files=tuple({*files, *(f for t in targets for f in _target_files(t))}),
                  resources=sum(_target_resources(t) for t in targets),
                  cached_files=sum(_target_cached_files(t) for t in targets),
                  seconds=clock() - started,
                  targets=tuple(t.name for t in targets),
                  objects=tuple(objects))


def begin_background(validators: Sequence[Validator], targets: Sequence[Target], workers: int) -> None:
    """Begin now, in forked children, the work the validators can begin in the background (Validator.begin),
    when a second process may be used: for a caller with other work to do before `run_validators`, which then
    finds it begun."""
    if workers > 1:
        for validator in validators:
            _begun(validator, targets)


def _begun(validator: Validator, targets: Sequence[Target]) -> bool:
    """Whether the validator began its work in the background (Validator.begin); a failed start costs only time."""
    if type(validator).begin is Validator.begin:
        return False
    try:
        return validator.begin(targets)
    except Exception:
        return False


def _unit_done(bucket: _Bucket, unit: WorkUnit, found_dicts: list[dict], seconds: float,
               timings: dict[str, _Timing], cache: ResultCache) -> None:
    found = [Finding.from_dict(d) for d in found_dicts]
    bucket.findings.extend(found)
    timings[bucket.validator].seconds += seconds
    if unit.key is not None and not any(f.rule == INTERNAL_ERROR_RULE for f in found):
        cache.put(cache_keys.unit_results(bucket.validator), unit.key, [f.to_dict() for f in found])


@dataclass
class _Bucket:
    """What one validator found on one target, filled from the cache, a direct run or work units."""

    validator: str
    target: Target
    key: str | None
    findings: list[Finding] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    cached: bool = False


def _target_key(validator: Validator, target: Target, data: str) -> str | None:
    context = validator.cache_context(target) if target.digest else None
    if context is None:
        return None
    return cache_keys.target(validator=validator.name, context=context, content=target.digest, data=data)


def _checked(targets: Sequence[Target], cache: ResultCache) -> tuple[list[CheckedObject], Suppressions]:
    """Every target's objects and their ignore-check annotations. Both depend only on the target's
    content, so a target answered from the cache is not parsed for them either."""
    registry = RuleRegistry.default()
    objects: list[CheckedObject] = []
    found = Suppressions()
    for target in targets:
        cached = cache.get(cache_keys.CHECKED, target.digest) if target.digest and not _loaded(target) else None
        if cached is not None:
            objects += [CheckedObject(*item) for item in cached["objects"]]
            found.extend(Suppressions.from_dict(cached["suppressions"]))
            continue
        mine = Suppressions.read(((r.file, r.line, r.obj) for r in target.resources), registry)
        listed = [CheckedObject(r.file, r.line, r.kind, r.namespace, r.name) for r in target.resources]
        if target.digest:
            cache.put(cache_keys.CHECKED, target.digest, {"objects": [list(o) for o in listed],
                                                 "suppressions": mine.to_dict()})
        objects += listed
        found.extend(mine)
    return objects, found


def _loaded(target: Target) -> bool:
    """False for a lazily read target that every validator answered from the cache."""
    return target.resources.loaded if isinstance(target.resources, DeferredResources) else True


# The summary counts every file and object of every target, also those answered from the cache
# without parsing (a lazily read target says how many it holds without being parsed).
def _target_files(target: Target) -> list[str]:
    if isinstance(target.resources, DeferredResources):
        return target.resources.file_names()
    return [r.file for r in target.resources]


def _target_resources(target: Target) -> int:
    if isinstance(target.resources, DeferredResources):
        return target.resources.resource_count()
    return len(target.resources)


def _target_cached_files(target: Target) -> int:
    return target.resources.cached_file_count() if isinstance(target.resources, DeferredResources) else 0


def _planned(validator: Validator, target: Target,
             cache: ResultCache) -> tuple[list[Finding], list[WorkUnit]] | None:
    """The findings of the target's cached work units and the units still to run; None when the
    validator does not plan (it runs whole)."""
    try:
        planned = validator.plan(target)
        units = None if planned is None else list(planned)  # a lazy plan fails here, not in the loop below
    except Exception as exc:
        return [internal_error(validator.name, f"failed to plan {target.name}: {_describe(exc)}")], []
    if units is None:
        return None
    found: list[Finding] = []
    misses: list[WorkUnit] = []
    for unit in units:
        cached = cache.get(cache_keys.unit_results(validator.name), unit.key) if unit.key is not None else None
        if cached is None:
            misses.append(unit)
        else:
            found.extend(Finding.from_dict(item) for item in cached)
    return found, misses


#: below this many units a second process costs more than it saves
PARALLEL_UNITS = 64


def _run_unit(job: tuple[str, WorkUnit]) -> tuple[list[dict], float]:
    name, unit = job
    began = time.perf_counter()
    try:
        found = list(unit.run())
    except Exception as exc:
        found = [internal_error(name, f"failed on {unit.label}: {_describe(exc)}")]
    return [f.to_dict() for f in found], time.perf_counter() - began


def internal_error(validator: str, message: str) -> Finding:
    return Finding(file="", line=None, api_version="", kind="", namespace="", name="", validator=validator,
                   rule=INTERNAL_ERROR_RULE, severity=Severity.ERROR, message=message)


def _run_one(validator: Validator, target: Target) -> tuple[list[Finding], list[Section]]:
    found: list[Finding] = []
    sections: list[Section] = []
    try:
        # consumed item by item so that what a validator yielded before crashing is still reported
        for item in validator.run(target):
            if isinstance(item, Section):
                sections.append(item)
            else:
                found.append(item)
    except Exception as exc:
        found.append(internal_error(validator.name, f"failed on {target.name}: {_describe(exc)}"))
        return found, []
    return found, sections


def _describe(exc: BaseException) -> str:
    """`KeyError: 'spec' (at schema.py:88)`: enough for a bug report without a traceback in the output."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


@dataclass
class _Timing:
    seconds: float = 0.0
    resources: int = 0

    def add(self, seconds: float, resources: int) -> None:
        self.seconds += seconds
        self.resources += resources

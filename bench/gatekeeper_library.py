"""Benchmark and compatibility run of the Gatekeeper engine over the public gatekeeper-library.

How to run (the library is not vendored; any checkout or export of it works):

    git clone --depth 1 https://github.com/open-policy-agent/gatekeeper-library /tmp/gatekeeper-library
    .venv/bin/python bench/gatekeeper_library.py /tmp/gatekeeper-library/library

Prints:
- compatibility: cases passed / total over every Suite under the path (gator's rules), and the
  failures with their reason;
- the whole run's time, cold (every template compiled) and warm (compilations shared, as a second
  run of the same runner), and the cost per case;
- the cost of compiling a template, and of one object x template evaluation: every object the
  suites review against every template (with that test's constraint parameters), on a template
  compiled once and bound once, plus a full `PolicyEngine.review` (matching included) per object.

Exit status 1 when a case fails, so CI can run it as a compatibility gate.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from genai_gitops.validators.gatekeeper.engine import Constraint, PolicyEngine
from genai_gitops.validators.gatekeeper.inventory import to_json
from genai_gitops.validators.gatekeeper.review import is_admission_review, review_object
from genai_gitops.validators.gatekeeper.suite import (
    CaseResult,
    SuiteError,
    SuiteRunner,
    find_suite_files,
    load_objects,
    read_suite,
    summarise,
)
from genai_gitops.validators.gatekeeper.template import (
    CompiledTemplate,
    ConstraintTemplate,
    EvaluationError,
    TemplateCompiler,
    TemplateError,
)


def run_suites(path: Path) -> tuple[list[CaseResult], float, float]:
    """(results, cold seconds, warm seconds)."""
    runner = SuiteRunner()
    started = time.perf_counter()
    results = runner.run_paths([path])
    cold = time.perf_counter() - started
    started = time.perf_counter()
    runner.run_paths([path])
    warm = time.perf_counter() - started
    return results, cold, warm


def collect(path: Path) -> tuple[list[tuple[ConstraintTemplate, dict[str, Any]]], list[dict[str, Any]]]:
    """Every (template, constraint object) pair of the suites' tests and every object they review."""
    pairs: list[tuple[ConstraintTemplate, dict[str, Any]]] = []
    objects: dict[str, dict[str, Any]] = {}
    for file in find_suite_files([path]):
        try:
            suite = read_suite(file)
        except SuiteError:
            continue
        if suite is None:
            continue
        for test in suite.tests:
            try:
                template = ConstraintTemplate.from_object(load_objects(suite.directory / test.template)[0])
                constraint = load_objects(suite.directory / test.constraint)[0]
            except (SuiteError, TemplateError, IndexError):
                continue
            pairs.append((template, constraint))
            for case in test.cases:
                try:
                    docs = load_objects(suite.directory / case.object) if case.object else []
                except SuiteError:
                    continue
                if len(docs) == 1 and not is_admission_review(docs[0]):
                    objects[str(suite.directory / case.object)] = docs[0]
    return pairs, list(objects.values())


def measure_evaluation(pairs: list[tuple[ConstraintTemplate, dict[str, Any]]],
                       objects: list[dict[str, Any]]) -> dict[str, float]:
    compiler = TemplateCompiler()
    started = time.perf_counter()
    compiled: list[tuple[CompiledTemplate, dict[str, Any]]] = []
    for template, constraint in pairs:
        try:
            compiled.append((compiler.compile(template), constraint))
        except TemplateError:
            continue
    compile_seconds = time.perf_counter() - started

    reviews = [review_object(obj) for obj in objects]
    for review in reviews:
        _ = review.json  # serialise once, as the engine does per object
    evaluations = 0
    per_template: list[float] = []
    started = time.perf_counter()
    for compiled_template, constraint in compiled:
        bound = compiled_template.bind()
        parameters = to_json(Constraint.from_object(constraint).parameters)
        t0 = time.perf_counter()
        for review in reviews:
            with contextlib.suppress(EvaluationError):
                bound.violations('{"review":' + review.json + ',"parameters":' + parameters + "}")
            evaluations += 1
        per_template.append((time.perf_counter() - t0) / max(len(reviews), 1))
    evaluate_seconds = time.perf_counter() - started

    engine = PolicyEngine(compiler)
    constraints = 0
    for index, (template, constraint) in enumerate(pairs):
        try:
            engine.add_template(template)
            renamed = {**constraint, "metadata": {**constraint.get("metadata", {}), "name": f"c{index}"}}
            engine.add_constraint(renamed)
            constraints += 1
        except (TemplateError, ValueError):
            continue
    started = time.perf_counter()
    for obj in objects:
        engine.review(review_object(obj))
    review_seconds = time.perf_counter() - started
    return {
        "templates": len(compiled),
        "objects": len(reviews),
        "constraints": constraints,
        "compile_ms_per_template": compile_seconds / max(len(compiled), 1) * 1000,
        "evaluations": evaluations,
        "eval_us_per_object_template": evaluate_seconds / max(evaluations, 1) * 1e6,
        "eval_us_median_template": statistics.median(per_template) * 1e6 if per_template else 0.0,
        "eval_us_slowest_template": max(per_template) * 1e6 if per_template else 0.0,
        "review_us_per_object_constraint": review_seconds / max(len(objects) * constraints, 1) * 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("library", type=Path, help="the gatekeeper-library's library/ folder (or any suites)")
    args = parser.parse_args(argv)
    if not args.library.is_dir():
        print(f"error: {args.library} is not a folder", file=sys.stderr)
        return 2

    results, cold, warm = run_suites(args.library)
    passed, failed, skipped = summarise(results)
    total = passed + failed
    suites = len({r.suite for r in results})
    print(f"compatibility: {passed}/{total} cases passed ({skipped} skipped) in {suites} suites")
    for result in results:
        if not result.passed:
            print(f"  FAIL {result.suite} {result.test}/{result.case}: {result.message[:300]}")
    print(f"whole run: cold {cold:.3f} s ({cold / max(total, 1) * 1000:.2f} ms per case), "
          f"warm {warm:.3f} s ({warm / max(total, 1) * 1000:.2f} ms per case)")

    stats = measure_evaluation(*collect(args.library))
    print(f"compile: {stats['compile_ms_per_template']:.2f} ms per template ({stats['templates']:.0f} templates)")
    print(f"evaluate: {stats['eval_us_per_object_template']:.1f} us per object x template "
          f"({stats['evaluations']:.0f} evaluations of {stats['objects']:.0f} objects; median template "
          f"{stats['eval_us_median_template']:.1f} us, slowest {stats['eval_us_slowest_template']:.1f} us)")
    print(f"review (match + evaluate): {stats['review_us_per_object_constraint']:.1f} us per object x constraint "
          f"({stats['constraints']:.0f} constraints)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""`genai-gitops policy verify PATH...`: run Gatekeeper test suites the way `gator verify` does.

Every `kind: Suite` file under the paths is run (see genai_gitops.validators.gatekeeper.suite);
one line per case, then a summary. Exit 0 when every case passes, 1 when any fails, 2 on usage
errors (a path that does not exist, no suites found, a bad `--run` expression).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from genai_gitops.validators.gatekeeper.suite import (
    CaseFilter,
    CaseResult,
    SuiteError,
    SuiteRunner,
    find_suite_files,
    summarise,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("policy", help="Gatekeeper policy tools",
                                   description="Gatekeeper policy tools.")
    commands = parser.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    verify = commands.add_parser(
        "verify", help="run Gatekeeper test suites (kind: Suite), compatible with `gator verify`",
        description=__doc__.splitlines()[0] if __doc__ else None)
    verify.add_argument("paths", nargs="+", metavar="PATH", help="suite files or folders searched for suites")
    verify.add_argument("--output", choices=("text", "json"), default="text", help="result format (default: text)")
    verify.add_argument("--run", default="", metavar="REGEX",
                        help="only tests or cases whose name matches; TEST//CASE matches both (as gator --run)")
    verify.add_argument("-v", "--verbose", action="store_true", help="show how long each case took")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=err)
        return EXIT_USAGE
    try:
        case_filter = CaseFilter.parse(args.run)
    except SuiteError as exc:
        print(f"error: --run: {exc}", file=err)
        return EXIT_USAGE
    if not find_suite_files(args.paths):
        print(f"error: no Suite files (kind: Suite, apiVersion: test.gatekeeper.sh/v1alpha1) under "
              f"{', '.join(args.paths)}", file=err)
        return EXIT_USAGE
    started = time.perf_counter()
    results = SuiteRunner(case_filter=case_filter).run_paths(args.paths)
    elapsed = time.perf_counter() - started
    if args.output == "json":
        json.dump([r.to_dict() for r in results], out, indent=2)
        out.write("\n")
    else:
        write_text(results, elapsed, out, verbose=args.verbose)
    _, failed, _ = summarise(results)
    return EXIT_FAILED if failed else EXIT_OK


def _label(result: CaseResult) -> str:
    parts = [p for p in (result.test, result.case) if p]
    return f"{result.suite} {'/'.join(parts)}".rstrip()


def write_text(results: Sequence[CaseResult], elapsed: float, out: TextIO, *, verbose: bool = False) -> None:
    """A line per case (a failure's reason indented below it), then the summary."""
    for result in results:
        status = "SKIP" if result.skipped else "ok" if result.passed else "FAIL"
        timing = f"  ({result.seconds * 1000:.2f} ms)" if verbose and not result.skipped else ""
        out.write(f"{status:<5} {_label(result)}{timing}\n")
        if not result.passed:
            for line in result.message.splitlines() or [""]:
                out.write(f"      {line}\n")
    passed, failed, skipped = summarise(results)
    verdict = "FAIL" if failed else "PASS"
    suites = len({r.suite for r in results})
    out.write(f"{verdict}: {passed} passed, {failed} failed, {skipped} skipped in {suites} suites "
              f"({elapsed:.2f} s)\n")

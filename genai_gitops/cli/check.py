"""`genai-gitops check`: the PR check for this repository."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from genai_gitops.cache import DEFAULT_DIR
from genai_gitops.check import CheckOptions, run_check
from genai_gitops.cli.options import (
    UsageError,
    add_report_arguments,
    existing_folder,
    resolve,
    select_validators,
    usage_error,
    write_report,
)
from genai_gitops.model.errors import ModelError
from genai_gitops.report.data_errors import data_findings
from genai_gitops.report.progress import SilentProgress, progress_for
from genai_gitops.report.run import Report


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check", help="the PR check: data valid, dist/ not drifted, every validator per cluster",
        description="Validate tenants and clusters, compare dist/ and argocd/ with a fresh synth, then run every "
                    "validator over each cluster's dist/ with that cluster's Kubernetes version. Invalid tenant or "
                    "cluster data is reported as findings in the chosen format. Exit 0 clean, 1 findings (errors, "
                    "or warnings with --fail-on warning), 2 usage or internal error. Defaults can be set in "
                    "REPO/.genai-gitops.yaml.")
    parser.add_argument("--repo", type=Path, default=Path("."), metavar="DIR", help="repository root (default .)")
    parser.add_argument("--no-drift", action="store_true", help="skip the fresh-synth comparison")
    parser.add_argument("--no-cache", action="store_true",
                        help=f"do not read or write the result cache ({DEFAULT_DIR}/, ignored by git)")
    parser.add_argument("--workers", type=int, metavar="N", help="processes for parallel work (default 2)")
    parser.add_argument("--shard", default="1/1", metavar="I/N",
                        help="check only shard I of N (whole clusters, balanced); the union of all shards "
                             "equals an unsharded run")
    add_report_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        repo = existing_folder(args.repo, "--repo")
        settings = resolve(args, "check", repo)
        names = select_validators(settings["only"], settings["skip"])
        shard = _parse_shard(args.shard)
        defaults = settings["defaults"]
        workers = args.workers if args.workers is not None else defaults.get("workers", 2)
        if workers < 1:
            raise UsageError(f"--workers: {workers} is not a number of processes; use 1 or more")
        cache = not args.no_cache and defaults.get("cache", True)
    except UsageError as exc:
        return usage_error("check", exc)
    options = CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml",
                           dist=repo / "dist", argocd=repo / "argocd", policies=repo / "policies",
                           validators=names, drift=not args.no_drift, shard=shard,
                           cache_dir=repo / DEFAULT_DIR if cache else None, workers=workers)
    started = time.perf_counter()
    progress = SilentProgress() if args.quiet else progress_for(sys.stderr, noun="checking")
    try:
        report = run_check(options, progress=progress)
    except ModelError as exc:
        # invalid tenant or cluster data: findings like any other, so SARIF/JSON/JUnit consumers get them
        findings = data_findings(exc)
        report = Report(findings=tuple(findings), files=tuple(sorted({f.file for f in findings if f.file})),
                        seconds=time.perf_counter() - started)
    finally:
        progress.close()
    try:
        write_report(report, settings["output"], settings["output_file"], quiet=args.quiet)
    except UsageError as exc:
        return usage_error("check", exc)
    return report.exit_code(fail_on=settings["fail_on"])


def _parse_shard(value: str) -> tuple[int, int]:
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise UsageError(f"--shard: {value!r} is not I/N with 1 <= I <= N, e.g. 1/2")
    return int(index), int(count)

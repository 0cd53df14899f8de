"""`genai-gitops check`: the PR check for this repository."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genai_gitops.cache import DEFAULT_DIR
from genai_gitops.check import CheckOptions, run_check
from genai_gitops.cli import EXIT_ERROR
from genai_gitops.cli.validate import UsageError, _parse_only, _write
from genai_gitops.report.progress import TerminalProgress
from genai_gitops.report.writers import DEFAULT_WRITER, WRITERS
from genai_gitops.validation import check_validator_names


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check", help="the PR check: data valid, dist/ not drifted, every validator per cluster",
        description="Validate tenants and clusters, compare dist/ and argocd/ with a fresh synth, then run every "
                    "validator over each cluster's dist/ with that cluster's Kubernetes version. "
                    "Exit 0 clean, 1 findings, 2 usage or internal error.")
    parser.add_argument("--repo", type=Path, default=Path("."), help="repository root (default .)")
    parser.add_argument("--only", metavar="NAMES", help="comma-separated validators (default: all)")
    parser.add_argument("--skip", metavar="NAMES", help="comma-separated validators to leave out (e.g. checkov)")
    parser.add_argument("--no-drift", action="store_true", help="skip the fresh-synth comparison")
    parser.add_argument("--no-cache", action="store_true",
                        help=f"do not read or write the result cache ({DEFAULT_DIR}/, ignored by git)")
    parser.add_argument("--workers", type=int, default=2, metavar="N", help="processes for parallel work (default 2)")
    parser.add_argument("--shard", default="1/1", metavar="I/N",
                        help="check only shard I of N (whole clusters, balanced); the union of all shards "
                             "equals an unsharded run")
    parser.add_argument("--output", choices=list(WRITERS), default=DEFAULT_WRITER)
    parser.add_argument("--output-file", type=Path, metavar="FILE")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    repo: Path = args.repo
    try:
        names = _parse_only(args.only) or check_validator_names(None)
        skip = set(_parse_only(args.skip) or ())
        shard = _parse_shard(args.shard)
    except UsageError as exc:
        print(f"genai-gitops check: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    options = CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml",
                           dist=repo / "dist", argocd=repo / "argocd", policies=repo / "policies",
                           validators=[n for n in names if n not in skip], drift=not args.no_drift,
                           shard=shard, cache_dir=None if args.no_cache else repo / DEFAULT_DIR,
                           workers=max(1, args.workers))
    report = run_check(options, progress=TerminalProgress(sys.stderr))
    _write(report, args.output, args.output_file)
    return report.exit_code()


def _parse_shard(value: str) -> tuple[int, int]:
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise UsageError(f"--shard: {value!r} is not I/N with 1 <= I <= N, e.g. 1/2")
    return int(index), int(count)

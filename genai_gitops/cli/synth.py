"""`genai-gitops synth`: the same synth `cdk8s synth` runs, for any data location."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from genai_gitops.cache import DEFAULT_DIR, DiskCache
from genai_gitops.cli import EXIT_ERROR, describe_os_error
from genai_gitops.cli.options import FROM_REPO_ROOT, UsageError, existing_file, existing_folder, usage_error
from genai_gitops.synth import synthesize
from genai_gitops.synth.swap import SwapError

REPO_DEFAULTS = {"tenants": "tenants", "clusters": "clusters.yaml", "out": "dist", "argocd": "argocd",
                 "policies": "policies"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("synth", help="synthesise dist/ and argocd/ from tenants and clusters",
                            description="Synthesise one folder per Argo CD Application into OUT, atomically: "
                                        "on any error the existing output is left untouched.")
    parser.add_argument("--tenants", default=REPO_DEFAULTS["tenants"], help="folder of tenant files")
    parser.add_argument("--clusters", default=REPO_DEFAULTS["clusters"], help="cluster inventory file")
    parser.add_argument("--out", default=REPO_DEFAULTS["out"], help="output folder (default: dist)")
    parser.add_argument("--argocd", default=REPO_DEFAULTS["argocd"],
                        help="folder for ApplicationSets/AppProjects (default: argocd; '' to skip)")
    parser.add_argument("--policies", default=REPO_DEFAULTS["policies"], help="Gatekeeper policies folder")
    parser.add_argument("--quiet", action="store_true", help="print only the total")
    parser.add_argument("--cache-dir", default=DEFAULT_DIR,
                        help=f"where to record what each app's inputs produce, for `check` (default {DEFAULT_DIR}; "
                             "'' for none)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:  # where the data is, is a usage question: exit 2 naming the flag, before any work
        existing_folder(Path(args.tenants), "--tenants", FROM_REPO_ROOT)
        existing_file(Path(args.clusters), "--clusters", FROM_REPO_ROOT)
    except UsageError as exc:
        return usage_error("synth", exc)
    try:
        result = synthesize(args.tenants, args.clusters, args.out,
                            policies_dir=args.policies if Path(args.policies).is_dir() else None,
                            argocd_dir=args.argocd or None,
                            cache=DiskCache(Path(args.cache_dir)) if args.cache_dir else None)
    except SwapError as exc:
        print(f"genai-gitops synth: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        # the output cannot be written where it, or its staging folder beside it, lives: name the flag
        print(f"genai-gitops synth: error: {_blame(exc, args)}", file=sys.stderr)
        return EXIT_ERROR
    if not args.quiet:
        for path, count in sorted(result.counts.items()):
            print(f"  {path:<48} {count:>4} objects")
    print(f"synthesised {result.total} objects in {len(result.counts)} apps into {args.out}/ "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr if args.quiet else sys.stdout)
    return 0


def _blame(exc: OSError, args: argparse.Namespace) -> str:
    """`cannot write --out /proc/x: No such file or directory` when the failing path is an output's
    (staging folders are named `.<name>.staging-*` beside it), else the path and the reason."""
    failing = os.path.abspath(str(exc.filename)) if exc.filename is not None else ""
    for flag, value in (("--out", args.out), ("--argocd", args.argocd)):
        if not value:
            continue
        target = os.path.abspath(value)
        parent, name = os.path.split(target)
        if failing == target or failing.startswith(target + os.sep) or (
                os.path.dirname(failing) == parent and os.path.basename(failing).startswith(f".{name}.")):
            return f"cannot write {flag} {value}: {exc.strerror or exc}"
    return describe_os_error(exc)

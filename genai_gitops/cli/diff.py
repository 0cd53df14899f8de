"""`genai-gitops diff`: what a change does to the rendered manifests, for a PR comment."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genai_gitops.cli import EXIT_ERROR
from genai_gitops.cli.options import UsageError, existing_folder, usage_error
from genai_gitops.diff import DiffError, checkout_dist, default_base, diff_trees, render_markdown, render_text, scratch
from genai_gitops.graph.changes import connectivity_section
from genai_gitops.model.loader import load_platform
from genai_gitops.synth import synthesize_platform


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("diff", help="rendered-manifest change against a base revision",
                            description="Synthesise the working tree and compare it, object by object, with the "
                                        "dist/ committed at --base (default origin/main, else HEAD).")
    parser.add_argument("--base", help="git revision to compare with")
    parser.add_argument("--repo", type=Path, default=Path("."), help="repository root (default .)")
    parser.add_argument("--output", choices=("text", "markdown"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    repo: Path = args.repo
    try:
        existing_folder(repo, "--repo")
    except UsageError as exc:
        return usage_error("diff", exc)
    try:
        base = args.base or default_base(repo)
        with scratch() as tmp:
            work = Path(tmp)
            before = checkout_dist(repo, base, work / "base")
            platform = load_platform(repo / "tenants", repo / "clusters.yaml")
            synthesize_platform(platform, work / "head" / "dist",
                                policies_dir=repo / "policies" if (repo / "policies").is_dir() else None)
            changes = diff_trees(before, work / "head" / "dist")
            sections = [(render_markdown if args.output == "markdown" else render_text)(changes, base)]
            # flows added and removed, as network-config-analyzer computes them from both trees
            sections.append(connectivity_section(before, work / "head" / "dist", markdown=args.output == "markdown",
                                                 platform=platform))
    except DiffError as exc:
        print(f"genai-gitops diff: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write("\n".join(s for s in sections if s))
    return 0

"""`genai-gitops diff`: what a change does to what Argo CD deploys, for a PR comment.

Exit codes as `git diff --exit-code`: 0 no change, 1 changes (or hand-edits), 2 usage or git error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genai_gitops.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from genai_gitops.cli.options import UsageError, existing_folder, usage_error
from genai_gitops.diff import (
    DATA,
    DEPLOYED,
    DiffError,
    checkout_revision,
    default_base,
    hand_edits,
    render_hand_edits_markdown,
    render_hand_edits_text,
    render_markdown,
    render_text,
    scratch,
    tree_changes,
)
from genai_gitops.graph.changes import connectivity_section
from genai_gitops.model.errors import ModelError
from genai_gitops.model.loader import load_platform


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("diff", help="change of the committed dist/ and argocd/ against a base revision",
                            description="Compare, object by object, the dist/ and argocd/ committed at --base "
                                        "(default origin/main, else HEAD) with those of the head (--head REF, or "
                                        "the working tree): what Argo CD will deploy. Files of the head that differ "
                                        "from a synth of the head's data (hand-edits) are listed first. Exit 0 "
                                        "without changes, 1 with changes, 2 on errors.")
    parser.add_argument("--base", help="git revision to compare with")
    parser.add_argument("--head", help="git revision to compare (default: the working tree)")
    parser.add_argument("--repo", type=Path, default=Path("."), help="repository root (default .)")
    parser.add_argument("--output", choices=("text", "markdown"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    repo: Path = args.repo
    markdown = args.output == "markdown"
    try:
        existing_folder(repo, "--repo")
    except UsageError as exc:
        return usage_error("diff", exc)
    try:
        base = args.base or default_base(repo)
        with scratch() as tmp:
            work = Path(tmp)
            before = checkout_revision(repo, base, work / "base", DEPLOYED)
            head = checkout_revision(repo, args.head, work / "head", DEPLOYED + DATA) if args.head else repo
            edits, problem = hand_edits(head, work / "synth")
            changes = tree_changes(before, head)
            try:
                platform = load_platform(head / "tenants", head / "clusters.yaml")
            except ModelError:
                platform = None
            sections = [(render_hand_edits_markdown if markdown else render_hand_edits_text)(edits, problem),
                        (render_markdown if markdown else render_text)(changes, base),
                        # flows added and removed, as network-config-analyzer computes them from both trees
                        connectivity_section(before / "dist", head / "dist", markdown=markdown, platform=platform)]
    except DiffError as exc:
        print(f"genai-gitops diff: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write("\n".join(s for s in sections if s))
    return EXIT_FINDINGS if changes or edits or problem else EXIT_OK

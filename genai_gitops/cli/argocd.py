"""`genai-gitops argocd preview`: the Applications the ApplicationSets in argocd/ would generate, offline."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from genai_gitops.argocd.preview import PreviewApp, PreviewError, preview
from genai_gitops.cli.options import UsageError, existing_file, existing_folder, usage_error
from genai_gitops.model.loader import load_inventory

EXIT_OK, EXIT_INVALID, EXIT_UNSUPPORTED = 0, 1, 2
_COLUMNS = ("NAME", "PROJECT", "CLUSTER", "NAMESPACE", "PATH", "WAVE")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("argocd", help="offline Argo CD tools (ApplicationSet preview)")
    actions = parser.add_subparsers(dest="argocd_command", required=True, metavar="ACTION")
    show = actions.add_parser(
        "preview", help="list the Applications the ApplicationSets generate",
        description="Render every ApplicationSet in REPO/argocd/ against the repository's working tree "
                    "(git generator) and the cluster inventory (clusters generator, in the role of Argo CD's "
                    "cluster secrets). Exit 0 on success, 1 when an ApplicationSet is broken, 2 when it "
                    "uses a feature the offline preview does not support.")
    show.add_argument("--output", choices=("text", "json"), default="text", help="output format (default text)")
    show.add_argument("--repo", type=Path, default=Path("."), metavar="DIR", help="repository root (default .)")
    show.add_argument("--clusters", type=Path, metavar="PATH",
                      help="cluster inventory (default REPO/clusters.yaml)")
    show.set_defaults(handler=run_preview)


def run_preview(args: argparse.Namespace) -> int:
    try:
        existing_folder(args.repo, "--repo")
        clusters = existing_file(args.clusters or args.repo / "clusters.yaml", "--clusters")
    except UsageError as exc:
        return usage_error("argocd preview", exc)
    inventory = load_inventory(clusters)
    try:
        apps = preview(args.repo, inventory)
    except PreviewError as exc:
        print(f"genai-gitops argocd preview: error: {exc}", file=sys.stderr)
        return EXIT_UNSUPPORTED if exc.unsupported else EXIT_INVALID
    sys.stdout.write(render_json(apps) if args.output == "json" else render_text(apps))
    return EXIT_OK


def render_json(apps: Sequence[PreviewApp]) -> str:
    return json.dumps([app.to_dict() for app in sorted(apps, key=lambda a: a.name)], indent=2) + "\n"


def render_text(apps: Sequence[PreviewApp]) -> str:
    rows = [(a.name, a.project, a.cluster, a.namespace or "-", a.path or "-", str(a.sync_wave))
            for a in sorted(apps, key=lambda a: a.name)]
    widths = [max(len(row[i]) for row in (_COLUMNS, *rows)) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in (_COLUMNS, *rows)]
    appsets = len({a.application_set for a in apps})
    lines.append(f"{len(apps)} applications from {appsets} ApplicationSets")
    return "\n".join(lines) + "\n"

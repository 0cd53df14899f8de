"""`genai-gitops graph`: draw what the NetworkPolicies in dist/ allow, as network-config-analyzer computes it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genai_gitops.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from genai_gitops.graph import GraphSourceError, GraphvizMissing, dist_graph, render_dot, render_mermaid, render_svg
from genai_gitops.model.loader import Platform, load_platform

FORMATS = ("mermaid", "dot", "svg")
DEFAULTS = {"dist": Path("dist"), "tenants": Path("tenants"), "clusters": Path("clusters.yaml")}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "graph", help="draw the allowed connectivity of dist/ (Mermaid, DOT or SVG)",
        description="Analyse the NetworkPolicies of each tenant namespace in dist/ with network-config-analyzer "
                    "and draw what they allow: namespaces as boxes, workloads as nodes, edges labelled with "
                    "ports; edges between tenants (never allowed) in red. Mermaid renders on GitHub.")
    parser.add_argument("--dist", type=Path, default=DEFAULTS["dist"], metavar="DIR",
                        help="rendered manifests, one folder per cluster (default: dist)")
    parser.add_argument("--cluster", metavar="NAME", help="only this cluster (a folder of --dist)")
    parser.add_argument("--tenant", metavar="ID", help="only this tenant's namespace (id or namespace) and its peers")
    parser.add_argument("--format", choices=FORMATS, default="mermaid", help="output format (default: mermaid)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--tenants", type=Path, default=DEFAULTS["tenants"], metavar="DIR",
                        help="tenant files, to name flows as the traffic graph does (default: tenants, if present)")
    parser.add_argument("--clusters", type=Path, default=DEFAULTS["clusters"], metavar="FILE",
                        help="cluster inventory (default: clusters.yaml, if present)")
    parser.set_defaults(handler=run)


def _platform(tenants: Path, clusters: Path) -> Platform | None:
    if tenants.is_dir() and clusters.is_file():
        return load_platform(tenants, clusters)  # ModelError: main() reports it with file and field
    return None


def run(args: argparse.Namespace) -> int:
    try:
        graph = dist_graph(args.dist, platform=_platform(args.tenants, args.clusters), cluster=args.cluster,
                           tenant=args.tenant)
        title = " / ".join(p for p in (args.cluster, args.tenant) if p) or "connectivity"
        if args.format == "mermaid":
            text = render_mermaid(graph)
        else:
            text = render_dot(graph, title=title)
            if args.format == "svg":
                text = render_svg(text)
    except (GraphSourceError, GraphvizMissing) as exc:
        print(f"genai-gitops graph: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for error in graph.errors:
        print(f"genai-gitops graph: could not analyse {error}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"genai-gitops graph: error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    return EXIT_FINDINGS if graph.errors else EXIT_OK

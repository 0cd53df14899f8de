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
PROG = "genai-gitops graph"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "graph", help="draw the allowed connectivity of dist/ (Mermaid, DOT or SVG)",
        description="Analyse the NetworkPolicies of each tenant namespace in dist/ with network-config-analyzer "
                    "and draw what they allow: namespaces as boxes, workloads as nodes, edges labelled with "
                    "ports; edges between tenants (never allowed) in red. Mermaid renders on GitHub; SVG needs "
                    "Graphviz's `dot` (apt-get install graphviz).")
    parser.add_argument("--dist", type=Path, default=DEFAULTS["dist"], metavar="DIR",
                        help="rendered manifests, one folder per cluster (default: dist)")
    parser.add_argument("--cluster", metavar="NAME", help="only this cluster (a folder of --dist)")
    parser.add_argument("--tenant", metavar="ID", help="only this tenant's namespace (id or namespace) and its peers")
    # `--output` names a format, as in every other command; a file name there is the old spelling
    parser.add_argument("--output", metavar="FORMAT",
                        help=f"output format: {', '.join(FORMATS)} (default: mermaid)")
    parser.add_argument("--output-file", "-o", type=Path, metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--format", choices=FORMATS, help=argparse.SUPPRESS)  # deprecated: --output
    parser.add_argument("--no-legend", action="store_true", help="leave out the legend")
    parser.add_argument("--tenants", type=Path, default=DEFAULTS["tenants"], metavar="DIR",
                        help="tenant files, to name flows as the traffic graph does (default: tenants, if present)")
    parser.add_argument("--clusters", type=Path, default=DEFAULTS["clusters"], metavar="FILE",
                        help="cluster inventory (default: clusters.yaml, if present)")
    parser.set_defaults(handler=run)


def _platform(tenants: Path, clusters: Path) -> Platform | None:
    if tenants.is_dir() and clusters.is_file():
        return load_platform(tenants, clusters)  # ModelError: main() reports it with file and field
    return None


def _format_and_file(args: argparse.Namespace) -> tuple[str, Path | None]:
    """--output FORMAT and --output-file FILE, accepting the deprecated spellings with a warning."""
    fmt, file = "mermaid", args.output_file
    if args.format is not None:
        print(f"{PROG}: warning: --format is deprecated; use --output {args.format}", file=sys.stderr)
        fmt = args.format
    if args.output is not None:
        if args.output in FORMATS:
            fmt = args.output
        elif file is None:
            print(f"{PROG}: warning: --output FILE is deprecated (--output names the format: "
                  f"{', '.join(FORMATS)}); use --output-file {args.output}", file=sys.stderr)
            file = Path(args.output)
        else:
            raise GraphSourceError(f"--output: {args.output!r} is not a format; use one of {', '.join(FORMATS)}")
    return fmt, file


def run(args: argparse.Namespace) -> int:
    try:
        fmt, output_file = _format_and_file(args)
        graph = dist_graph(args.dist, platform=_platform(args.tenants, args.clusters), cluster=args.cluster,
                           tenant=args.tenant)
        if not graph.nodes and not graph.errors:
            # an empty `flowchart LR` looks like a rendering bug; say what is there instead
            print(f"{PROG}: {nothing_to_draw(args.dist, args.cluster)}", file=sys.stderr)
            return EXIT_OK
        title = " / ".join(p for p in (args.cluster, args.tenant) if p) or "connectivity"
        legend = not args.no_legend
        if fmt == "mermaid":
            text = render_mermaid(graph, legend=legend)
        else:
            text = render_dot(graph, title=title, legend=legend)
            if fmt == "svg":
                text = render_svg(text)
    except (GraphSourceError, GraphvizMissing) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for error in graph.errors:
        print(f"{PROG}: could not analyse {error}", file=sys.stderr)
    if output_file is None:
        sys.stdout.write(text)
    else:
        try:
            output_file.parent.mkdir(parents=True, exist_ok=True)
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"{PROG}: error: cannot write {output_file}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    return EXIT_FINDINGS if graph.errors else EXIT_OK


def nothing_to_draw(dist: Path, cluster: str | None) -> str:
    """Why the picture is empty: the graph draws tenant namespaces, and which clusters have some."""
    with_tenants = sorted(p.parent.name for p in dist.glob("*/tenant-*") if p.is_dir() and
                          not p.name.endswith("-guardrails"))
    where = f"cluster {cluster}" if cluster else str(dist)
    apps = sorted(p.name for p in (dist / cluster).iterdir() if p.is_dir()) if cluster else []
    holds = f" (it holds {', '.join(apps)})" if apps else ""
    others = sorted(set(with_tenants) - {cluster})
    hint = (f"; clusters with tenants: {', '.join(others)}, e.g. --cluster {others[0]}" if others
            else "; no cluster in it has tenants yet (genai-gitops tenant new)")
    return (f"nothing to draw: {where} has no tenant namespaces{holds}. The graph shows what each tenant's "
            f"NetworkPolicies allow{hint}")


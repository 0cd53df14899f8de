"""Graphviz DOT: a `cluster_` subgraph per namespace (boxes), workloads as nodes, ports on edges,
and SVG through Graphviz's own `dot` when it is installed."""

from __future__ import annotations

import shutil
import subprocess

from genai_gitops.graph.ids import NodeIds
from genai_gitops.graph.model import ConnectivityGraph, Node, Role

_STYLE = {
    Role.TENANT: 'shape=box, style="rounded"',
    Role.PEER: 'shape=box, style="rounded,dashed"',
    Role.OTHER_TENANT: 'shape=box, color="#dd0000", fontcolor="#dd0000"',
    Role.EXTERNAL: 'shape=ellipse, style="dashed"',
}


class GraphvizMissing(RuntimeError):
    """`dot` is not on PATH."""


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_LEGEND = ((Role.TENANT, "tenant workload"), (Role.PEER, "platform peer"), (Role.EXTERNAL, "address block"),
           (Role.OTHER_TENANT, "another tenant (never allowed)"))


def render_dot(graph: ConnectivityGraph, *, title: str = "connectivity", legend: bool = False) -> str:
    ids = NodeIds()
    # spacing and labels placed by the router (not `xlabel`) keep port labels of parallel edges apart
    out = [f"digraph {_quote(title)} {{", "  rankdir=LR;", "  nodesep=0.5;", "  ranksep=1.4;",
           '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']
    if legend:
        out.append("  subgraph cluster__legend {")  # generated ids never hold "__" after the prefix
        out.append('    label="legend: edges are allowed connections, labelled with ports";')
        out.extend(f"    legend_{index} [label={_quote(text)}, {_STYLE[role]}];"
                   for index, (role, text) in enumerate(_LEGEND))
        out.append("  }")

    def node_line(node: Node, indent: str) -> str:
        return f"{indent}{ids.node(node)} [label={_quote(node.label)}, {_STYLE[node.role]}];"

    for cluster in graph.clusters:
        out.append(f"  subgraph {ids.group('cluster', cluster)} {{")
        out.append(f"    label={_quote(cluster)};")
        for namespace in graph.namespaces(cluster):
            out.append(f"    subgraph {ids.group('cluster_ns', cluster, namespace)} {{")
            out.append(f"      label={_quote(namespace)};")
            out.extend(node_line(n, "      ") for n in graph.nodes if n.cluster == cluster and n.namespace == namespace)
            out.append("    }")
        out.append("  }")
    out.extend(node_line(n, "  ") for n in graph.nodes if n.role is Role.EXTERNAL)
    for edge in graph.edges:
        style = ', color="#dd0000", fontcolor="#dd0000", penwidth=2' if edge.cross_tenant else ""
        out.append(f"  {ids.endpoint(edge.cluster, edge.source)} -> {ids.endpoint(edge.cluster, edge.destination)}"
                   f" [label={_quote(edge.label)}{style}];")
    out.append("}")
    return "\n".join(out) + "\n"


def render_svg(dot_source: str, *, timeout: float = 60.0) -> str:
    """SVG from DOT through Graphviz; GraphvizMissing when `dot` is not installed."""
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizMissing("SVG output needs Graphviz's `dot` on PATH (e.g. apt-get install graphviz); "
                              "or write --format dot and render it elsewhere")
    result = subprocess.run([binary, "-Tsvg"], input=dot_source, capture_output=True, text=True,
                            timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dot -Tsvg failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout

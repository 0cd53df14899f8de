"""Mermaid `flowchart LR` that GitHub renders: a subgraph per namespace, workloads as nodes, ports on edges.

Names come from manifests in pull requests: every label is quoted with `"` escaped as `#quot;`
(and `<`/`>` as entities), and node ids are generated, never taken from the input.
"""

from __future__ import annotations

import json

from genai_gitops.graph.ids import NodeIds
from genai_gitops.graph.model import ConnectivityGraph, Node, Role

_SHAPES = {Role.TENANT: ('["', '"]'), Role.PEER: ('("', '")'), Role.OTHER_TENANT: ('["', '"]'),
           Role.EXTERNAL: ('(["', '"])')}


def _text(value: str) -> str:
    return value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


#: what each shape and colour means, drawn as a box of sample nodes (ids cannot clash: generated ids
#: never start with `legend_`)
LEGEND = (("legend_tenant", Role.TENANT, "tenant workload"), ("legend_peer", Role.PEER, "platform peer"),
          ("legend_external", Role.EXTERNAL, "address block"), ("legend_other", Role.OTHER_TENANT,
                                                               "another tenant (never allowed)"))


def render_mermaid(graph: ConnectivityGraph, *, title: str | None = None, legend: bool = False) -> str:
    ids = NodeIds()
    out = ["flowchart LR"]
    front = [f"title: {json.dumps(title)}"] if title else []  # a JSON string is a YAML string: no `#` comment
    if legend:
        # more room between ranks and nodes: the whole-repository picture has many parallel edges
        # whose port labels otherwise overlap
        front += ["config:", "  flowchart:", "    nodeSpacing: 40", "    rankSpacing: 110", "    curve: basis"]
    if front:
        out.insert(0, "---\n" + "\n".join(front) + "\n---")
    clusters = graph.clusters
    nested = len(clusters) > 1

    def node_line(node: Node, indent: str) -> str:
        opening, closing = _SHAPES[node.role]
        return f"{indent}{ids.node(node)}{opening}{_text(node.label)}{closing}"

    for cluster in clusters:
        indent = "  "
        if nested:
            out.append(f'  subgraph {ids.group("cluster", cluster)}["{_text(cluster)}"]')
            indent = "    "
        for namespace in graph.namespaces(cluster):
            out.append(f'{indent}subgraph {ids.group("ns", cluster, namespace)}["{_text(namespace)}"]')
            out.extend(node_line(n, indent + "  ") for n in graph.nodes
                       if n.cluster == cluster and n.namespace == namespace)
            out.append(f"{indent}end")
        if nested:
            out.append("  end")
    out.extend(node_line(n, "  ") for n in graph.nodes if n.role is Role.EXTERNAL)
    crossing: list[int] = []
    for index, edge in enumerate(graph.edges):
        source = ids.endpoint(edge.cluster, edge.source)
        destination = ids.endpoint(edge.cluster, edge.destination)
        out.append(f'  {source} -->|"{_text(edge.label)}"| {destination}')
        if edge.cross_tenant:
            crossing.append(index)
    other = [ids.node(n) for n in graph.nodes if n.role is Role.OTHER_TENANT]
    if legend:
        out.append('  subgraph legend["legend: edges are allowed connections, labelled with ports"]')
        for node_id, role, text in LEGEND:
            opening, closing = _SHAPES[role]
            out.append(f"    {node_id}{opening}{text}{closing}")
        out.append("  end")
        other.append("legend_other")
    if other:
        out.append("  classDef violation stroke:#d00,stroke-width:2px,color:#d00")
        out.append(f"  class {','.join(other)} violation")
    if crossing:
        out.append(f"  linkStyle {','.join(str(i) for i in crossing)} stroke:#d00,stroke-width:2px")
    return "\n".join(out) + "\n"

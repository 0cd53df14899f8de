"""Pictures of what the NetworkPolicies allow (as network-config-analyzer computes it), and their changes."""

from genai_gitops.graph.changes import (
    connectivity_changes,
    connectivity_diff,
    connectivity_section,
    render_changes_markdown,
    render_changes_text,
)
from genai_gitops.graph.dot import GraphvizMissing, render_dot, render_svg
from genai_gitops.graph.mermaid import render_mermaid
from genai_gitops.graph.model import ConnectivityGraph, Edge, Node, Role, build_graph, merge_graphs
from genai_gitops.graph.source import GraphSourceError, dist_graph

__all__ = [
    "ConnectivityGraph",
    "Edge",
    "GraphSourceError",
    "GraphvizMissing",
    "Node",
    "Role",
    "build_graph",
    "connectivity_changes",
    "connectivity_diff",
    "connectivity_section",
    "dist_graph",
    "merge_graphs",
    "render_changes_markdown",
    "render_changes_text",
    "render_dot",
    "render_mermaid",
    "render_svg",
]

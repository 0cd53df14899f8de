"""The packages import downwards only: a low layer never imports a high one, and no two packages import
each other. Every import counts (module level, inside functions, under TYPE_CHECKING): an import
hidden in a function is still a dependency, and hiding one is how cycles crept in before.

ARCHITECTURE.md describes the same layers; a new top-level module or package must be placed here.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: (folder holding the package, package name)
PACKAGES = ((REPO, "genai_gitops"), (REPO / "constructs", "genai_gitops_constructs"))

#: lowest first; a unit may import units of its own layer or of a lower one
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("base", frozenset({"genai_gitops", "safeyaml", "yamlsubset", "goyaml", "secretscan", "jsii_node", "config",
                        "cache", "cache_keys", "pools", "globs"})),
    ("model", frozenset({"model"})),
    # the one record every layer produces; the manifest reader reports parse errors with it
    ("findings", frozenset({"report.finding"})),
    ("manifests", frozenset({"manifests"})),
    ("report", frozenset({"report"})),
    ("argocd", frozenset({"argocd"})),
    ("validators and constructs", frozenset({"validators", "constructs"})),
    ("synth", frozenset({"synth"})),
    ("gate", frozenset({"validation", "graph", "drift", "tree", "cache_trust", "diff", "check"})),
    ("cli", frozenset({"cli"})),
    ("entry point", frozenset({"__main__"})),
)
RANK = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}
LAYER_NAME = {unit: name for name, units in LAYERS for unit in units}


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module (one of ours)
    where: str  # path:line of the import statement


def modules(packages: tuple[tuple[Path, str], ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder, package in packages:
        for path in sorted((folder / package).rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        # `from pkg import sub` imports the module pkg.sub when there is one, else a name of pkg
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    return [name for name in names if name in known]


def import_edges(packages: tuple[tuple[Path, str], ...], root: Path) -> list[Edge]:
    known = modules(packages)
    edges = []
    for module, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                where = f"{path.relative_to(root)}:{node.lineno}"
                edges.extend(Edge(module, target, where) for target in _imported(module, path, node, known))
    return edges


def unit(module: str) -> str:
    """The layering unit of a module: a top-level package or module of genai_gitops, or the construct library."""
    parts = module.split(".")
    if parts[0] == "genai_gitops_constructs":
        return "constructs"
    if parts[:3] == ["genai_gitops", "report", "finding"]:
        return "report.finding"
    return parts[1] if len(parts) > 1 else parts[0]


def layer_violations(edges: list[Edge]) -> list[str]:
    problems = []
    for edge in edges:
        source, target = unit(edge.source), unit(edge.target)
        if source not in RANK or target not in RANK:
            missing = source if source not in RANK else target
            problems.append(f"{edge.where}: `{missing}` has no layer; place it in LAYERS (tests/test_layers.py) "
                            "and ARCHITECTURE.md")
        elif RANK[source] < RANK[target]:
            problems.append(f"{edge.where}: {edge.source} imports {edge.target}, but {LAYER_NAME[source]} is below "
                            f"{LAYER_NAME[target]}; move what both need into the lower layer")
    return sorted(set(problems))


def unit_cycles(edges: list[Edge]) -> list[str]:
    """Each import cycle between units, spelled with one import statement per step."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for edge in sorted(edges, key=lambda e: e.where):
        source, target = unit(edge.source), unit(edge.target)
        if source != target:
            graph[source].setdefault(target, edge.where)
    cycles: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                loop = path[path.index(nxt):]
                start = loop.index(min(loop))  # one spelling per cycle
                cycles.add(tuple(loop[start:] + loop[:start]))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return [" -> ".join(f"{a} ({graph[a][b]})" for a, b in zip(loop, (*loop[1:], loop[0]), strict=True))
            for loop in sorted(cycles)]


def test_no_package_imports_a_higher_layer():
    assert layer_violations(import_edges(PACKAGES, REPO)) == []


def test_no_import_cycle_between_packages():
    assert unit_cycles(import_edges(PACKAGES, REPO)) == []


def test_every_package_has_a_layer():
    units = {unit(module) for module in modules(PACKAGES)}
    assert sorted(units - set(RANK)) == []


def test_the_checks_name_the_offending_import(tmp_path):
    """The analysis itself: a model module importing the synth inside a function, and a cycle."""
    package = tmp_path / "genai_gitops"
    for folder in ("model", "synth", "report", "manifests"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "synth" / "apps.py").write_text("PLAN = 1\n")
    (package / "model" / "plan.py").write_text(
        "def plan():\n    from genai_gitops.synth.apps import PLAN\n    return PLAN\n")
    (package / "manifests" / "reader.py").write_text("from ..report import writer\n")
    (package / "report" / "writer.py").write_text("import genai_gitops.manifests.reader\n")
    edges = import_edges(((tmp_path, "genai_gitops"),), tmp_path)

    assert layer_violations(edges) == [
        "genai_gitops/manifests/reader.py:1: genai_gitops.manifests.reader imports genai_gitops.report.writer, but "
        "manifests is below report; move what both need into the lower layer",
        "genai_gitops/model/plan.py:2: genai_gitops.model.plan imports genai_gitops.synth.apps, but model is below "
        "synth; move what both need into the lower layer",
    ]
    assert unit_cycles(edges) == ["manifests (genai_gitops/manifests/reader.py:1) -> "
                                  "report (genai_gitops/report/writer.py:1)"]


def test_importing_the_delivery_validator_loads_no_synth_and_no_node():
    """The validators run without the construct library: no cdk8s, no jsii kernel set-up."""
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    probe = ("import os, sys\n"
             "import genai_gitops.validators.delivery, genai_gitops.validation\n"
             "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('cdk8s', 'jsii', 'genai_gitops_constructs')"
             " or m.startswith('genai_gitops.synth'))\n"
             "print(loaded, 'JSII_NODE' in os.environ)\n")
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[] False"

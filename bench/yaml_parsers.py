"""Which YAML parser to read dist/ with: time each candidate on the same files (`python bench/yaml_parsers.py DIR`).

Candidates are imported if installed (they are not project dependencies; install them in a scratch
folder and put it on PYTHONPATH): safeyaml as the reader uses it (its subset reader, libyaml for the rest),
PyYAML's libyaml CSafeLoader, rapidyaml (`ryml`, C++), and the Rust parsers yaml-rs, ryaml, rs-turboyaml.
Each parses every document of every file; the table gives objects/s and whether it gave the same objects.
Numbers vary with the machine: this measures, it tests nothing.

Measured 2026-12-03 (issue 15) on the 31,458 documents of a 1,000-tenant dist/'s customer clusters, CPU time
with every parsed object kept (2 cores shared with other work): safeyaml through libyaml 2,500 documents/s;
safeyaml's subset reader (genai_gitops/yamlsubset.py, pure Python) 9,200; rs-turboyaml 18,800, yaml-rs 11,100,
fast_yaml 10,400, py-yaml12 10,000, ryaml 7,100, oryaml 7,100 (all gave the same objects on these files). Why the reader
takes the subset reader rather than a Rust parser: Kubernetes decodes YAML 1.1 (go-yaml through
sigs.k8s.io/yaml), where `yes`/`on` are booleans and `010` is octal, while the Rust parsers read YAML 1.2
(`yes` a string, `010` ten, `1e3` a float), and a parsed value no longer says how its scalar was written,
so a 1.2 parser's answer cannot be checked against 1.1 without scanning the text again; yaml-rs also drops a
`!!binary` tag silently. The subset reader resolves every plain scalar with the libyaml path's own resolver
and constructors, hands anything outside its subset to libyaml (so refusals and their lines are libyaml's),
and comes within 2x of the fastest without a native dependency; a Rust parser would still need a walk of
every value afterwards to prove its 1.2 answer equal to 1.1's. Reading in two processes was measured too and
not taken: unpickling a parsed document in the parent (~65 us) costs as much as parsing it (~50 us).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _safeyaml() -> Callable[[str], list[Any]]:
    from genai_gitops import safeyaml

    return lambda text: [safeyaml.load_yaml(doc) for doc in text.split("\n---\n")]


def _pyyaml() -> Callable[[str], list[Any]]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return lambda text: list(yaml.load_all(text, Loader=loader))


def _rapidyaml() -> Callable[[str], list[Any]]:
    import ryml

    def parse(text: str) -> list[Any]:
        tree = ryml.parse_in_arena(text.encode())
        # ryml gives a tree of nodes, not Python objects; emitting JSON and loading it is its fastest route
        root = tree.root_id()
        if tree.is_stream(root):
            return [json.loads(ryml.emit_json(tree, child)) for child in ryml.children(tree, root)]
        return [json.loads(ryml.emit_json(tree))]

    return parse


def _yaml_rs() -> Callable[[str], list[Any]]:
    import yaml_rs

    def parse(text: str) -> list[Any]:
        loaded = yaml_rs.loads(text, parse_datetime=False)
        # several documents come back as a list of them
        return loaded if text.lstrip().startswith("---") or "\n---" in text else [loaded]

    return parse


def _ryaml() -> Callable[[str], list[Any]]:
    import ryaml

    return lambda text: list(ryaml.loads_all(text))


def _turboyaml() -> Callable[[str], list[Any]]:
    import turboyaml

    return lambda text: [turboyaml.load(doc) for doc in text.split("\n---\n")]


CANDIDATES = {"safeyaml (subset reader, libyaml for the rest)": _safeyaml, "PyYAML CSafeLoader (libyaml)": _pyyaml,
              "rapidyaml 0.15 (ryml)": _rapidyaml, "yaml-rs 0.1": _yaml_rs, "ryaml 0.5": _ryaml,
              "rs-turboyaml 0.2": _turboyaml}


def main(root: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml"))]
    print(f"{len(texts)} files, {sum(map(len, texts)) / 2**20:.1f} MiB")
    print("| parser | objects/s | seconds | same objects as PyYAML |")
    print("|---|---|---|---|")
    reference: list[Any] | None = None
    for label, make in CANDIDATES.items():
        try:
            parse = make()
        except ImportError:
            print(f"| {label} | not installed | | |")
            continue
        started = time.perf_counter()
        try:
            objects = [obj for text in texts for obj in parse(text) if obj is not None]
        except Exception as exc:  # a candidate that fails is reported, not fatal
            print(f"| {label} | failed: {type(exc).__name__}: {str(exc)[:60]} | | |")
            continue
        seconds = time.perf_counter() - started
        reference = reference if reference is not None else objects
        same = "yes" if objects == reference else "NO"
        print(f"| {label} | {len(objects) / seconds:,.0f} | {seconds:.2f} | {same} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

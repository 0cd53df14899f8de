"""yamlsubset reads the plain block YAML synth writes exactly as libyaml does, and hands everything
else back (Outside) so that libyaml gives the value or the refusal: the two paths never differ."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from genai_gitops import safeyaml, yamlsubset
from genai_gitops.manifests.reader import iter_manifest_files, read_paths
from genai_gitops.safeyaml import InputError


def exact(value: Any) -> Any:
    """A comparable form that keeps types and key order (True == 1 and 1.0 == 1 in Python)."""
    if isinstance(value, dict):
        return ("map", [(exact(k), exact(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [exact(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(monkeypatch: pytest.MonkeyPatch, text: str, *, subset: bool) -> tuple[Any, ...]:
    monkeypatch.setattr(safeyaml, "SUBSET_READER", subset)
    try:
        return ("value", exact(safeyaml.load_yaml(text)))
    except InputError as exc:
        return ("refused", exc.line, exc.column, exc.rule, exc.message)


def read_by_subset(text: str) -> bool:
    try:
        safeyaml._load_subset(text)
    except yamlsubset.Outside:
        return False
    return True


@pytest.mark.parametrize(("text", "value"), [
    ("a: 1\nb:\n  c: x\n  d: 'it''s'\ne: \"q\"\n", {"a": 1, "b": {"c": "x", "d": "it's"}, "e": "q"}),
    # an indentless sequence (as PyYAML writes it) and one indented, nested and mapping items
    ("s:\n- a\n- b: 1\n  c: 2\n- - x\n  - z\nt:\n  - 1\n", {"s": ["a", {"b": 1, "c": 2}, ["x", "z"]], "t": [1]}),
    ("- a\n-\n- b\n-\n  k: v\n", ["a", None, "b", {"k": "v"}]),
    ("a:\nb: {}\nc: []\n", {"a": None, "b": {}, "c": []}),
    # literal blocks: clip and strip, empty lines inside and after, deeper lines keep their spaces
    ("a: |\n  x\n\n    y\n\n\nb: |-\n  z\n  w\n", {"a": "x\n\n  y\n", "b": "z\nw"}),
    ("- |\n  one\n- k: |\n    two\n", ["one\n", {"k": "two\n"}]),
    ("a: |\n\n  x\n", {"a": "\nx\n"}),
    # comments on lines of their own, at any indentation, and empty lines between entries
    ("# head\na:\n# odd\n    # deeper\n  b: 1\n\n  c: 2\n# tail\n", {"a": {"b": 1, "c": 2}}),
    # YAML 1.1 as Kubernetes reads it: the libyaml path's resolver and constructors decide (where Argo CD's
    # go-yaml v2 reads a plain scalar otherwise, `y`, `0o7`, `1:20`, `1e3`, both refuse it: tests/test_goyaml.py)
    ("a: yes\nb: Off\nc: 010\ne: 1_000\ng: 2024-01-01\nh: =\ni: ~\nk: 1.5\n",
     {"a": True, "b": False, "c": 8, "e": 1000, "g": "2024-01-01", "h": "=", "i": None, "k": 1.5}),
    ("url: http://a:80/b?c=d#e\nx: a#b\nv: -1\nz: --x\nw: é\n",
     {"url": "http://a:80/b?c=d#e", "x": "a#b", "v": -1, "z": "--x", "w": "é"}),
    ("  a: 1\n  b: 2\n", {"a": 1, "b": 2}),
    ("# only a comment\n\n", None),
])
def test_the_subset_reads_these_as_libyaml_does(monkeypatch: pytest.MonkeyPatch, text: str, value: Any) -> None:
    assert read_by_subset(text)
    assert outcome(monkeypatch, text, subset=True) == ("value", exact(value))
    assert outcome(monkeypatch, text, subset=False) == ("value", exact(value))


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: !vault x\n", "<<: {a: 1}\n", "a: [1, 2]\n", "a: {b: 1}\n",
    "'a': 1\n", "\"a\": 1\n", "? a\n: 1\n", "a: >\n  folded\n", "a: |+\n  keep\n", "a: |2\n   x\n",
    "a: | # c\n  x\n", "a: \"tab\\t\"\n", "a: 'two\n  lines'\n", "a: plain\n  continued\n", "a:\n  just text\n",
    "a: 1 # comment\n", "a: b: c\n", "a: b:\n", "a:\tb\n", "a: b \n", "a: b", "a: b\r\n", "a: b\u2028c\n",
    "a: b\x85\n", "a: \x01\n", "on: 1\n", "1: a\n", "null: a\n", "a: 1\na: 2\n", "a: .inf\n",
    "a: " + "7" * 5000 + "\n", "k" * 1001 + ": v\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n...\n", "a: 1\n b: 2\n",
    "  a: 1\nb: 2\n", "a:\n  - x\n  b: y\n", "-  a\n", "a: - b\n", "a: |\nb: 1\n", "a: @x\n", "a: `x\n",
    "a: %x\n", "a: ?x\n", "a: :x\n", "plain\n", "- a\nb: 1\n",
    "".join("  " * i + "k:\n" for i in range(120)),
])
def test_anything_else_is_handed_to_libyaml(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    assert not read_by_subset(text)
    assert outcome(monkeypatch, text, subset=True) == outcome(monkeypatch, text, subset=False)


SCALARS = ["a", "b c", "x:y", "yes", "No", "on", "y", "010", "0o7", "0x1F", "0b101", "1_000", "1:20", "-1", "+1",
           "1e3", "1.5", ".5", "-.inf", ".nan", "~", "null", "", "true", "2024-01-01", "=", "<<", "'q'", "'it''s'",
           "'a'b'", '"d"', '"e\\tf"', '"g"h"', "{}", "[]", "{a: 1}", "[1]", "&x a", "*x", "!t a", "!!str 1", "|",
           "|-", "|+", ">", "a #c", "a#c", "a:", "a: b", "-", "- a", "-a", "?a", ":a", "%a", "@a", "é", "a\u2028b",
           "a ", " a", "#c", "9" * 30, "...", "---"]
KEYS = ["k", "a.b/c", "x-y", "_z", "1", "on", "null", "y", "'q'", '"d"', "? k", "k k", "<<", "-k", ".k", "k"]


def random_document(rng: random.Random) -> str:
    """Block YAML near the subset's edges: odd indentation, lone dashes, literals, comments, hard scalars."""
    def literal(indent: int) -> list[str]:
        return [rng.choice(["", " " * max(0, indent + rng.choice([0, 0, 1, -1])) + rng.choice(["x", "y: z", "#c"])])
                for _ in range(rng.randint(0, 3))]

    def node(indent: int, depth: int) -> list[str]:
        lines: list[str] = []
        if depth > 3 or rng.random() < 0.25:
            return lines
        mapping = rng.random() < 0.5
        for _ in range(rng.randint(1, 3)):
            head = " " * indent + (rng.choice(KEYS) + ":" if mapping else "-")
            if rng.random() < 0.5:
                scalar = rng.choice(SCALARS)
                lines.append(head + (" " + scalar if scalar else ""))
                if scalar.startswith("|"):
                    lines += literal(indent + rng.choice([0, 1, 2, 3]))
            else:
                lines.append(head)
                lines += node(indent + rng.choice([2, 2, 0, 1, 4]), depth + 1)
            if rng.random() < 0.1:
                lines.append(rng.choice(["", "#c", " " * rng.randint(0, 6) + "# c"]))
        return lines

    lines = node(rng.choice([0, 0, 1]), 0) or ["a: 1"]
    return "\n".join(lines) + rng.choice(["\n", "\n", "", "\n\n"])


def test_random_documents_read_alike_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(15)
    read = 0
    for _ in range(4000):
        text = random_document(rng)
        read += read_by_subset(text)
        assert outcome(monkeypatch, text, subset=True) == outcome(monkeypatch, text, subset=False), text
    assert read > 1000  # the subset answered a good share itself: the comparison is not vacuous


def manifest_documents(root: Path) -> list[str]:
    texts = [Path(f).read_text() for f in iter_manifest_files([root / "dist", root / "argocd"]) if f.endswith(".yaml")]
    return [doc for text in texts for doc in text.split("\n---\n")]


def test_mutated_manifests_read_alike_on_both_paths(monkeypatch: pytest.MonkeyPatch, synthesized: Path) -> None:
    tokens = [" ", "- ", ": ", "#", " #x", "'", '"', "|", "|-", ">", "&a", "*a", "!", "{", "[]", ",", "?", "\t",
              "\\", "\n", "\n  ", "\n- ", "yes", "010", "1_0", ".inf", "~", "<<: ", "1e3", "\u2028", "\xa0", "---"]
    rng = random.Random(15)
    documents = manifest_documents(synthesized)
    read = 0
    for _ in range(3000):
        lines = rng.choice(documents).split("\n")
        for _ in range(rng.randint(1, 2)):
            k = rng.randrange(len(lines))
            choice = rng.random()
            if choice < 0.6:
                at = rng.randint(0, len(lines[k]))
                lines[k] = lines[k][:at] + rng.choice(tokens) + lines[k][at:]
            elif choice < 0.8:
                lines[k] = " " * rng.randint(1, 3) + lines[k]
            else:
                lines.insert(k, lines[k])
        text = "\n".join(lines)
        read += read_by_subset(text)
        assert outcome(monkeypatch, text, subset=True) == outcome(monkeypatch, text, subset=False), text
    assert read > 300


def test_a_synthesised_repository_reads_identically_on_both_paths(monkeypatch: pytest.MonkeyPatch,
                                                                  synthesized: Path) -> None:
    folders = [synthesized / "dist", synthesized / "argocd"]

    def read() -> tuple[list[Any], list[Any]]:
        parsed = read_paths(folders)
        return ([(r.file, r.line, r.digest, exact(r.obj)) for r in parsed.resources],
                [(f.file, f.line, f.rule, f.message) for f in parsed.findings])

    monkeypatch.setattr(safeyaml, "SUBSET_READER", False)
    libyaml = read()
    monkeypatch.setattr(safeyaml, "SUBSET_READER", True)
    assert read() == libyaml
    documents = manifest_documents(synthesized)
    assert len(libyaml[0]) > 300  # 373 objects when this was written
    # what synth writes is inside the subset: the fast path is the one these documents take
    assert sum(map(read_by_subset, documents)) >= 0.95 * len(documents)


def test_the_memos_are_bounded() -> None:
    scalars = safeyaml._Scalars()
    reader = yamlsubset.SubsetReader(scalars.value, scalars.key_is_string, max_depth=100, memo_max=5)
    for i in range(50):
        assert reader.parse(f"k{i}: v{i}\nl{i}:\n- w{i}\n") == {f"k{i}": f"v{i}", f"l{i}": [f"w{i}"]}
    assert max(len(reader.values), len(reader.lines), len(reader.keys)) <= 5


def test_mutable_values_are_never_shared() -> None:
    first = safeyaml.load_yaml("a: {}\nb: []\n")
    first["a"]["x"] = 1
    first["b"].append(1)
    assert safeyaml.load_yaml("a: {}\nb: []\n") == {"a": {}, "b": []}


def _nested(levels: int, leaf: str) -> str:
    """`levels` block mappings, one inside the other, the innermost holding `k: leaf`."""
    return "".join("  " * i + "k:\n" for i in range(levels - 1)) + "  " * (levels - 1) + "k: " + leaf + "\n"


@pytest.mark.parametrize("text", [
    # a `{}`/`[]` is a collection too: under 100 block levels it makes 101, which libyaml's path refuses
    _nested(100, "{}"), _nested(100, "[]"), "- " * 99 + "[]\n", "- " * 99 + "{}\n",
    _nested(99, "{}"), _nested(100, "x"), _nested(101, "x"), "- " * 100 + "x\n", "- " * 101 + "x\n",
    "- " * 100 + "[]\n", "".join("  " * i + "- k:\n" for i in range(49)) + "  " * 49 + "- {}\n",
])
def test_the_depth_limit_counts_flow_leaves_alike_on_both_paths(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    assert outcome(monkeypatch, text, subset=True) == outcome(monkeypatch, text, subset=False)


@pytest.mark.parametrize("text", [
    # indentation: sequences under keys at the key's column, dedents to a column no collection started at
    "a:\n- b:\n  - c\n  d: 1\n", "a:\n- b:\n- c\n", "- a:\n  - x\n- b\n", "a:\n    b: 1\n  c: 2\n",
    "a:\n    - x\n  - y\n", "- - a\n - b\n", "-\n# c\n  k: v\n", "a:\n- |\n x\nb: 1\n", "- a: |\n  x\n",
    # literal blocks: lines less indented, comments and markers inside, trailing empty lines
    "a: |\n    x\n  y\n", "a: |\n  x\n# c\n  y\n", "a: |\n  # x\n", "a: |\n x\n...\n", "a: |-\n\n  x\n\n\nb: 1\n",
    # scalars: quotes, comments, colons, YAML 1.1 forms, characters that look like space
    "a: 'x: y'\n", "a: \"x #y\"\n", "a: ''''\n", "a: x:\n", "a: b:c\n", "- ---\n", "a: ...\n", "a: 0x_\n",
    "a: 190:20:30\n", "a: +.inf\n", "a: 1.\n", "a: x\xa0\n", "a: \xa0x\n", "a: x\u3000\n", "a: \U0001F600\n",
    # keys: YAML 1.1 spellings, quoted duplicates, the simple-key limit
    "y: 1\n", "0a: 1\n", "2024-01-01: 1\n", "0.: 1\n", "a: 1\n'a': 2\n", "- a: 1\n  a: 2\n",
    "- " + "k" * 1000 + ": v\n",
    # line breaks and markers libyaml treats apart
    "a: 1\rb: 2\n", "a: 1\x85b: 2\n", "a: \u2029\n", "--- a\n", "a: 1\n---\n", "a: 1\n...\n",
])
def test_hostile_shapes_read_alike_on_both_paths(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    assert outcome(monkeypatch, text, subset=True) == outcome(monkeypatch, text, subset=False)

"""The fast dumper for rendered objects writes exactly what the generic one writes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops import safeyaml
from genai_gitops.synth.typing_cache import SIZE, widen_typing_caches
from genai_gitops.synth.writer import _JsonTreeDumper, _Outside, _write_mapping, dump, dump_json_tree

#: strings the emitter must quote or fold: YAML 1.1 booleans, numbers, nulls, indicators, blocks
TRICKY = ["", "yes", "No", "on", "OFF", "y", "true", "null", "~", "1", "0x1F", "1.5", "1e3", ".inf", "-.nan",
          "012", "1_000", "2026-12-03", "12:30:00", "- item", "a: b", "#comment", "key #x", "@at", "`tick",
          "!tag", "&anchor", "*alias", "%pct", "|pipe", ">fold", "'single'", '"double"', "{a}", "[b]",
          " lead", "trail ", "tab\there", "line\nbreak", "ends\n", "two\n\nblank\n", "  indented\nblock",
          "unicode ü ✓", "emoji 🚀", "control \x07", "=", "<<", "?", "-", "--- doc", "... end",
          "http://x.example/a?b=c#d", "{{ .Values.x }}", "a" * 5000]


def as_from_json(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


@pytest.mark.parametrize("value", TRICKY)
def test_scalars_as_values_keys_and_items(value: str) -> None:
    doc = as_from_json({"v": value, value: "k", "list": [value, {"nested": value}]})
    assert dump_json_tree(doc) == dump(doc)


def test_a_rendered_object_with_every_json_type() -> None:
    doc = as_from_json({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "x", "labels": {"app.kubernetes.io/name": "x"}, "annotations": {}},
        "data": {"config.yaml": "a: 1\nb:\n  - c\n", "empty": ""},
        "spec": {"replicas": 0, "big": 2**40, "negative": -3, "ratio": 0.25, "whole": 3.0, "on": True,
                 "off": False, "none": None, "items": [], "matrix": [[1, 2], [], [{"a": None}]]},
    })
    assert dump_json_tree(doc) == dump(doc)


def test_shared_references_take_the_generic_path_output_anyway() -> None:
    # not a JSON tree (a dict used twice): the fast dumper writes it out twice where `dump` would anchor
    # it, which is why the render uses it only for objects parsed from the jsii kernel's JSON
    shared = {"a": 1}
    assert "&id001" in dump({"x": shared, "y": shared})
    assert "&id001" not in dump_json_tree({"x": shared, "y": shared})


def test_widened_typing_caches_keep_typing_answers() -> None:
    import typing

    widen_typing_caches()
    assert widen_typing_caches() == 0  # idempotent: already widened
    method: Any = typing._SpecialForm.__getitem__
    cached = method.__closure__[method.__code__.co_freevars.index("cached")].cell_contents
    assert cached.cache_parameters()["maxsize"] == SIZE
    forms: Any = typing  # the run-time subscriptions jsii's bindings evaluate, as they spell them
    assert forms.Optional["Foo"] == forms.Union["Foo", None]
    assert forms.Optional[int] is forms.Optional[int]
    assert forms.List[str].__args__ == (str,)


def _libyaml(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_JsonTreeDumper, sort_keys=False, default_flow_style=False, width=4096,
                     allow_unicode=True)


def _direct(obj: dict) -> str | None:
    """The direct writer's text, or None where it hands the document to libyaml."""
    out: list[str] = []
    try:
        _write_mapping(out, obj, 0, "")
    except _Outside:
        return None
    return "".join(out)


#: indicators, quotes, breaks, spaces, a tab, a control and non-ASCII characters: what decides a style
ALPHABET = "ab09 :#-?&*!|>'\"%@`,[]{}\n.~=+/\\\t\x00é\u2028"


def _random_tree(rnd: random.Random, depth: int = 0) -> Any:
    roll = rnd.random()
    if depth > 4 or roll < 0.4:
        if rnd.random() < 0.7:
            return rnd.choice(TRICKY) if rnd.random() < 0.3 else "".join(
                rnd.choice(ALPHABET[:-4] if rnd.random() < 0.8 else ALPHABET) for _ in range(rnd.randint(0, 12)))
        return rnd.choice([0, 1, -3, 10**20, True, False, None, 0.5])
    if roll < 0.7:
        return {"".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 8))): _random_tree(rnd, depth + 1)
                for _ in range(rnd.randint(0, 4))}
    return [_random_tree(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]


def test_the_direct_writer_equals_libyaml_on_random_trees() -> None:
    """Where the direct writer takes a document it writes libyaml's bytes; elsewhere it hands it over."""
    rnd = random.Random(15)
    direct = handed = 0
    for _ in range(6000):
        doc = {"k" + str(i): _random_tree(rnd) for i in range(rnd.randint(1, 4))}
        text = _direct(doc)
        if text is None:
            handed += 1
        else:
            direct += 1
            assert text == _libyaml(doc), doc
        assert dump_json_tree(doc) == _libyaml(doc)
    assert direct > 1000 and handed > 1000  # both paths well exercised


def test_every_object_of_a_synthesised_repository_is_written_directly(synthesized: Path) -> None:
    files = sorted((synthesized / "dist").rglob("*.yaml"))
    assert len(files) > 300
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _direct(yaml.load(text, Loader=yaml.CSafeLoader)) == text, path


#: strings PyYAML reads back plain as strings but Argo CD's go-yaml v2 would not (`y` is true, `1e3` 1000)
GO_NOT_STRINGS = ["y", "Y", "n", "N", "1e3", "-1e3", "1.5e3", "+.5", "0o7", "08", "09", "0b-1", "1E3", ".5e3"]


@pytest.mark.parametrize("value", GO_NOT_STRINGS)
def test_strings_argo_would_read_as_no_string_are_quoted(value: str) -> None:
    doc = as_from_json({"v": value, value: "k", "list": [value]})
    text = dump(doc)
    assert text == f"v: '{value}'\n'{value}': k\nlist:\n- '{value}'\n"
    assert dump_json_tree(doc) == text and _direct(doc) == text
    assert safeyaml.load_yaml(text) == doc


def test_whatever_the_writer_writes_reads_back_without_a_refusal() -> None:
    """Every short string over the characters that decide a scalar's type, written as a value and as a key,
    reads back the same through the checker's reader: none is written plain where Argo CD reads otherwise."""
    alphabet = "01789_.exob:+-EyYnN~"
    texts = {a + b + c for a in alphabet for b in [*alphabet, ""] for c in [*alphabet, ""]}
    for value in sorted(texts):
        doc = {"v": value, value: "k"} if value != "v" else {"v": value}
        text = dump(doc)
        assert dump_json_tree(doc) == text
        assert safeyaml.load_yaml(text) == doc, text

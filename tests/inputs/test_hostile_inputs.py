"""Hostile input files (issue 11, hole 6): every file up to 1 MiB is answered within 5 s of CPU
and 500 MiB of address space, by the manifest reader and by the tenant loader alike, with the
exact refusal a user sees. The corpus is generated (hostile_corpus.py); each file runs in a child
process (hostile_child.py) that sets the limits before importing anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import hostile_corpus
import pytest

CHILD = Path(__file__).with_name("hostile_child.py")
ALIASES = "aliases expand this document by {} nodes; at most 100,000 are allowed (an alias bomb?): write the data " \
          "without anchors"
TAG = "tag {} is not allowed; only JSON values (mapping, sequence, string, number, boolean and null) are: write " \
      "the value as a plain string"
DEEP = "nesting deeper than 100 levels; flatten the data"

#: file -> (line, rule, message): the one finding of the manifest reader, and (prefixed with
#: the file name and line) the one problem of the tenant loader
REFUSED = {
    "billion-laughs.yaml": (1, "input-limit", ALIASES.format("490,329,036")),
    "wide-aliases.yaml": (1, "input-limit", ALIASES.format("100,100,000")),
    "merge-bomb.yaml": (1, "input-limit", ALIASES.format("1,600,400")),
    "deep-flow.yaml": (1, "input-limit", DEEP),
    "deep-block.yaml": (1, "input-limit", DEEP),
    "deep-mapping.yaml": (101, "input-limit", DEEP),
    "long-integer.yaml": (1, "input-limit", "integer of 100,000 characters is too long; quote it"),
    "binary-key.yaml": (3, "yaml-tag", TAG.format("!!binary")),
    "python-tag.yaml": (2, "yaml-tag", TAG.format("!!python/object/apply:os.system")),
    "set-tag.yaml": (2, "yaml-tag", TAG.format("!!set")),
    "custom-tag.yaml": (2, "yaml-tag", TAG.format("!vault")),
    "duplicate-secrets.yaml": (4, "duplicate-key", "duplicate key 'secrets' (first at line 2); a key may appear "
                                                   "once per mapping: remove or merge the two"),
    "invalid-utf8.yaml": (2, "encoding", "not valid UTF-8 (byte 0xe9 at offset 18); save the file as UTF-8"),
    "nul-byte.yaml": (2, "encoding", "a NUL byte is not allowed in a YAML or JSON file; remove it"),
    "utf16.yaml": (1, "encoding", "file starts with a UTF-16 byte-order mark; save it as UTF-8"),
    "infinity.yaml": (2, "yaml-tag", "'.inf' is not a JSON number; quote it if it is meant as a string"),
}
TOO_LARGE = ("file holds more than 1,048,576 bytes (1 MiB), the most an input file may hold: split it into "
             "several files")


@pytest.fixture(scope="module")
def both_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    """Each reading path's answers: safeyaml's subset reader first (the default), and libyaml alone.
    The subset must hand every hostile file it cannot read exactly to libyaml."""
    folder = tmp_path_factory.mktemp("hostile")
    files = hostile_corpus.write(folder)
    both = {}
    for path, flags in (("subset", []), ("libyaml", ["--libyaml-only"])):
        done = subprocess.run([sys.executable, str(CHILD), *flags, *files], cwd=folder, capture_output=True,
                              text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        both[path] = {a["file"]: a for a in map(json.loads, done.stdout.splitlines())}
    return both


@pytest.fixture(scope="module", params=["subset", "libyaml"])
def answers(both_answers: dict[str, dict[str, dict]], request: pytest.FixtureRequest) -> dict[str, dict]:
    """Every test below holds for both reading paths."""
    return both_answers[request.param]


def test_both_paths_answer_every_file_alike(both_answers: dict[str, dict[str, dict]]) -> None:
    subset, libyaml = both_answers["subset"], both_answers["libyaml"]
    assert sorted(subset) == sorted(libyaml) == sorted(hostile_corpus.CORPUS)
    for name in subset:
        assert (subset[name]["manifest"], subset[name]["tenant"]) == (libyaml[name]["manifest"],
                                                                      libyaml[name]["tenant"]), name


def test_every_file_is_answered_within_the_limits(answers: dict[str, dict]) -> None:
    assert sorted(answers) == sorted(hostile_corpus.CORPUS)
    slow = {name: round(a["seconds"], 2) for name, a in answers.items() if a["seconds"] >= 5}
    assert slow == {}
    for name, answer in answers.items():
        assert answer["manifest"] not in ("TIMEOUT", "OUT OF MEMORY"), name
        assert answer["tenant"] not in ("TIMEOUT", "OUT OF MEMORY"), name


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_the_exact_finding(answers: dict[str, dict], name: str) -> None:
    line, rule, message = REFUSED[name]
    assert answers[name]["manifest"] == {"findings": [[line, rule, message]], "resources": 0}
    assert answers[name]["tenant"] == [f"{name}: line {line}: {message}"]


def test_too_large_is_refused_before_reading(answers: dict[str, dict]) -> None:
    assert answers["too-large.yaml"]["manifest"] == {"findings": [[1, "input-limit", TOO_LARGE]], "resources": 0}
    assert answers["too-large.yaml"]["tenant"] == [f"too-large.yaml: {TOO_LARGE}"]


def test_large_but_valid_yaml_is_read(answers: dict[str, dict]) -> None:
    """No limit but the size applies to plain data: 60,000 keys, 40,000 documents, a 1 MiB string."""
    assert answers["flat-mapping.yaml"]["manifest"] == {"findings": [], "resources": 1}
    assert answers["many-documents.yaml"]["manifest"] == {"findings": [], "resources": 40_000}
    assert answers["long-scalar.yaml"]["manifest"] == {"findings": [], "resources": 1}


def test_tenant_loader_caps_and_shortens_what_it_reports(answers: dict[str, dict]) -> None:
    flat = answers["flat-mapping.yaml"]["tenant"]
    assert len(flat) == 51
    assert "flat-mapping.yaml: 59,962 more schema problems not listed" in flat
    long_id = next(p for p in answers["long-scalar.yaml"]["tenant"] if p.startswith("long-scalar.yaml: id: "))
    assert "...(1,048,319 characters left out)..." in long_id
    assert len(long_id) < 500
    assert answers["many-documents.yaml"]["tenant"] == [
        "many-documents.yaml: line 3, column 1: invalid YAML: but found another document; fix the syntax"]

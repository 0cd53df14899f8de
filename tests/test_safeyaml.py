"""The one YAML/JSON reader: JSON values only, with positions, whatever the input."""

from __future__ import annotations

import pytest

from genai_gitops import safeyaml
from genai_gitops.manifests.reader import read_text
from genai_gitops.safeyaml import InputError, decode, load_json, load_yaml


def refusal(call, *args, **kwargs) -> tuple[int | None, str, str]:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value.line, info.value.rule, info.value.message


def test_json_values_as_kubernetes_reads_them() -> None:
    text = "a: [1, 2.5, true, null, 'x']\ndate: 2024-01-01\neq: =\nyes_: yes\n"
    assert load_yaml(text) == {"a": [1, 2.5, True, None, "x"], "date": "2024-01-01", "eq": "=", "yes_": True}
    # gator reads suites as YAML 1.2: `yes` is a string there
    assert load_yaml(text, yaml12=True)["yes_"] == "yes"


def test_explicit_json_tags_and_merge_keys_are_allowed() -> None:
    text = "a: !!str 12\nbase: &b {x: 1, z: 2}\nc:\n  <<: *b\n  x: 3\n"
    assert load_yaml(text) == {"a": "12", "base": {"x": 1, "z": 2}, "c": {"x": 3, "z": 2}}


@pytest.mark.parametrize(("text", "tag", "line"), [
    ("a: !!binary aGVsbG8=\n", "!!binary", 1),
    ("a: 1\nb: !!omap [x: 1]\n", "!!omap", 2),
    ("a: !!timestamp 2024-01-01\n", "!!timestamp", 1),
    ("a: !!python/name:os.system\n", "!!python/name:os.system", 1),
    ("a:\n  - !Ref x\n", "!Ref", 2),
])
def test_other_tags_are_refused_with_their_line(text: str, tag: str, line: int) -> None:
    assert refusal(load_yaml, text) == (line, "yaml-tag", f"tag {tag} is not allowed; only JSON values (mapping, "
                                        "sequence, string, number, boolean and null) are: write the value as a "
                                        "plain string")


def test_duplicate_keys_are_refused_but_a_merge_may_be_overridden() -> None:
    assert refusal(load_yaml, "a:\n  b: 1\n  c: 2\n  b: 3\n") == (
        4, "duplicate-key", "duplicate key 'b' (first at line 2); a key may appear once per mapping: remove or "
                            "merge the two")
    assert refusal(load_yaml, "a: 1\n'a': 2\n")[:2] == (2, "duplicate-key")
    assert load_yaml("m: &m {a: 1}\np: {<<: *m, a: 2}\n")["p"] == {"a": 2}


def test_non_scalar_keys_and_non_json_numbers() -> None:
    assert refusal(load_yaml, "? [a]\n: b\n") == (1, "yaml-tag", "a mapping key must be a string, number, boolean "
                                                                 "or null")
    assert refusal(load_yaml, "a: -.inf\n") == (1, "yaml-tag", "'-.inf' is not a JSON number; quote it if it is "
                                                               "meant as a string")
    assert refusal(load_yaml, "a:\n  b: .nan\n")[0] == 2


def test_aliases_within_the_budget_are_fine_and_recursion_is_refused() -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    assert load_yaml(text) == {"a": [1, 2, 3], "b": [[1, 2, 3], [1, 2, 3]]}
    assert refusal(load_yaml, "a: &a\n  b: [*a]\n") == (
        1, "input-limit", "recursive alias: an anchored node contains an alias to itself; JSON data cannot be "
                          "recursive")


def test_aliases_may_not_nest_past_the_depth_limit() -> None:
    def nest(levels: int, inner: str) -> str:
        return "[" * levels + inner + "]" * levels

    text = f"a: &a {nest(60, '')}\nb: &b {nest(30, '*a')}\nc: {nest(12, '*b')}\n"
    assert refusal(load_yaml, text)[1:] == ("input-limit", "aliases nest this node deeper than 100 levels; write "
                                                           "the data without anchors")


def test_nesting_limit_is_exact() -> None:
    assert load_yaml("[" * 100 + "]" * 100) is not None
    assert refusal(load_yaml, "[" * 101 + "]" * 101) == (1, "input-limit", "nesting deeper than 100 levels; "
                                                                            "flatten the data")
    # brackets inside strings only make the cheap bound larger; the exact count decides
    assert load_yaml("a: '" + "[" * 500 + "'\n") == {"a": "[" * 500}


def test_bytes_are_utf8_without_nul_or_foreign_byte_order_marks() -> None:
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    assert refusal(decode, b"a: 1\nb: \xff\n") == (2, "encoding", "not valid UTF-8 (byte 0xff at offset 8); save "
                                                                  "the file as UTF-8")
    assert refusal(decode, "a: 1\n".encode("utf-32")) == (1, "encoding", "file starts with a UTF-32 byte-order "
                                                                         "mark; save it as UTF-8")
    assert refusal(decode, b"a: 1\nb: \xef\xbb\xbf\n") == (
        2, "encoding", "a byte-order mark (U+FEFF) inside the file is not allowed in a YAML or JSON file; remove it")


def test_size_limit(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b" " * safeyaml.MAX_BYTES)
    assert refusal(safeyaml.read_file, big)[1] == "input-limit"
    ok = tmp_path / "ok.yaml"
    ok.write_bytes(b"a: '" + b"x" * (safeyaml.MAX_BYTES - 10) + b"'\n")
    assert len(safeyaml.read_file(ok)) > 1_000_000


def test_json_rules() -> None:
    assert load_json('{"a": [1, 2]}') == {"a": [1, 2]}
    assert refusal(load_json, '{\n "a": 1,\n "a": 2\n}') == (
        3, "duplicate-key", "duplicate key 'a'; a key may appear once per object: remove or merge the two")
    assert refusal(load_json, '{"a": NaN}')[2] == "NaN is not a JSON number; quote it if it is meant as a string"
    assert refusal(load_json, "[" * 100_000)[1:] == ("input-limit", "nesting too deep for JSON; flatten the data")
    assert refusal(load_json, '{"a": }')[:2] == (1, "yaml-syntax")


def test_manifest_reader_places_findings_on_the_file_line() -> None:
    text = "kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata:\n  name: b\n  name: c\n---\nkind: C\nx: !!set {}\n"
    parsed = read_text(text, "dist/x.yaml")
    assert [r.kind for r in parsed.resources] == ["A"]
    assert [(f.line, f.rule, f.validator) for f in parsed.findings] == [
        (7, "duplicate-key", "parse"), (10, "yaml-tag", "parse")]
    parsed = read_text('{"kind": "A", "kind": "B"}', "dist/x.json")
    assert [(f.line, f.rule) for f in parsed.findings] == [(1, "duplicate-key")]


def test_the_checks_cached_reader_refuses_the_same_way(tmp_path) -> None:
    """`check` reads dist/ folder by folder (manifests/cached.py): same refusals, same lines."""
    from genai_gitops.manifests.cached import load_folders, parse_folders

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "bad.yaml").write_bytes(b"kind: A\nx: caf\xe9\n")
    (tmp_path / "app" / "big.yaml").write_bytes(b"#" * (safeyaml.MAX_BYTES + 10))
    (tmp_path / "app" / "tag.yaml").write_text("kind: A\nx: !!binary aGVsbG8=\n")
    parsed = parse_folders(load_folders([tmp_path]))
    assert [(f.file.rsplit("/", 1)[1], f.line, f.rule) for f in parsed.findings] == [
        ("bad.yaml", 2, "encoding"), ("big.yaml", 1, "input-limit"), ("tag.yaml", 2, "yaml-tag")]


def test_policies_suites_and_checkov_skips_use_the_same_reader(tmp_path) -> None:
    from genai_gitops.manifests.policies import load_policy_bundle
    from genai_gitops.validators.checkov import load_skips
    from genai_gitops.validators.gatekeeper.suite import SuiteError, load_objects

    policy = tmp_path / "policies" / "p"
    policy.mkdir(parents=True)
    (policy / "template.yaml").write_text("kind: ConstraintTemplate\nmetadata: {name: a}\nmetadata: {name: b}\n")
    bundle = load_policy_bundle([tmp_path / "policies"])
    assert [(f.line, f.rule) for f in bundle.findings] == [(3, "duplicate-key")]

    suite = tmp_path / "suite.yaml"
    suite.write_text("kind: Suite\n---\nkind: X\nspec: !!python/object:os.system {}\n")
    with pytest.raises(SuiteError, match=r"line 4: tag !!python/object:os.system is not allowed"):
        load_objects(suite)

    skips = tmp_path / "checkov-skips.yaml"
    skips.write_text("skips:\n  - {id: CKV_K8S_1, reason: a, reason: b}\n")
    with pytest.raises(ValueError, match=r"checkov-skips.yaml: line 2: duplicate key 'reason'"):
        load_skips(skips)


@pytest.mark.parametrize("text", [
    "a: !!bool maybe\n", "a: !!bool [1]\n", "a: !!float x\n", "a: !!int abc\n",
])
def test_an_explicit_scalar_tag_on_the_wrong_text_is_refused_not_a_crash(text: str) -> None:
    line, rule, message = refusal(load_yaml, text)
    assert (line, rule) == (1, "yaml-tag")
    assert "remove the !!" in message


#: documents of every shape the fast constructor (`safeyaml._build`) takes or hands back to PyYAML's
SHAPES = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: 'y'}}\ndata: {k: '1', e: ''}\n",
    "a: [1, -2, 0x1f, 0o17, 1_000, 2.5, -1.5e+3, 1.5e3, .5, true, False, yes, off, ~, null, '', x]\n",
    "a: 2024-01-01\nb: =\nc: '010'\nd: 010\ne: 1:20\nf: !!str 12\ng: !!int '7'\nh: !!float '1'\ni: !!null x\n",
    "j: !!bool 'on'\nk: !!seq [1]\nl: !!map {a: 1}\nm: !!str\n",
    "1: a\ntrue: b\nnull: c\n2.5: d\n", "? [a]\n: b\n", "a: !!str {b: 1}\n", "a: !!map [1]\n", "a: !!seq {b: 1}\n",
    "a: {b: 1, b: 2}\n", "a: 1\n'a': 2\n", "a: 1\n1: 2\n'1': 3\n", "m: &m {a: 1}\nn: {<<: *m, b: 2}\n",
    "a: &x [1, {b: *y}]\n", "a: !!binary aGk=\n", "a: !Ref x\n", "a: .inf\n", "- a\n- [b, {c: d}]\n- {}\n- []\n",
    "plain text\n", "'quoted'\n", "", "# only a comment\n",
    "a:\n  b:\n    c:\n      - d: |\n          x\n          y\n",
    "a: >-\n  folded\n  text\nb: \"esc\\tape\\u00e9\"\n", "a: '&notananchor'\nb: '*star'\n", "<<: {a: 1}\n",
]


@pytest.mark.parametrize("yaml12", [False, True])
@pytest.mark.parametrize("text", SHAPES)
def test_the_fast_constructor_gives_exactly_what_pyyaml_gives(monkeypatch, text: str, yaml12: bool) -> None:
    def outcome() -> object:
        try:
            value = load_yaml(text, yaml12=yaml12)
        except InputError as exc:
            return ("refused", exc.line, exc.column, exc.rule, exc.message)
        return ("value", repr(value), value)

    fast = outcome()

    def general(loader, node):
        raise safeyaml._General

    monkeypatch.setattr(safeyaml, "_build", general)
    assert fast == outcome()


@pytest.mark.parametrize("text", SHAPES)
def test_the_subset_reader_gives_exactly_what_libyaml_gives(monkeypatch, text: str) -> None:
    def outcome() -> object:
        try:
            value = load_yaml(text)
        except InputError as exc:
            return ("refused", exc.line, exc.column, exc.rule, exc.message)
        return ("value", repr(value), value)

    subset = outcome()
    monkeypatch.setattr(safeyaml, "SUBSET_READER", False)
    assert subset == outcome()


def test_the_resolver_memo_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(safeyaml, "_RESOLVED_MAX", 5)
    monkeypatch.setattr(safeyaml.KubernetesLoader, "_resolved", {})
    assert load_yaml("{" + ", ".join(f"k{i}: v{i}" for i in range(50)) + "}") == {f"k{i}": f"v{i}" for i in range(50)}
    assert len(safeyaml.KubernetesLoader._resolved) <= 5


def test_only_regular_files_are_read_a_fifo_never_blocks(tmp_path) -> None:
    import os

    fifo = tmp_path / "evil.yaml"
    os.mkfifo(fifo)  # opening it for reading the usual way waits for a writer forever
    for path in (fifo, tmp_path, "/dev/zero"):
        with pytest.raises(OSError, match="not a regular file"):
            safeyaml.read_file(path)
    (finding,) = read_file_findings(fifo)
    assert finding.rule == "yaml-syntax" and "not a regular file" in finding.message


def read_file_findings(path):
    from genai_gitops.manifests.reader import read_file

    return read_file(path).findings

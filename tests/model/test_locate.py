"""field_line points at a field of a data file; the file is read with the same limits as every input."""

from __future__ import annotations

from pathlib import Path

from genai_gitops.model.locate import field_line


def test_the_line_of_a_nested_field_and_of_a_list_item(tmp_path: Path) -> None:
    file = tmp_path / "acme.yaml"
    file.write_text("id: acme\nquotas:\n  cpu: 4\n  memory: 8Gi\nmodels:\n  - name: a\n  - name: b\n")
    assert field_line(file, "quotas.memory") == 4
    assert field_line(file, "models[1].name") == 7
    assert field_line(file, "quotas.gpus") == 2  # the deepest part that exists
    assert field_line(file, "", "line 3, column 7: invalid YAML") == 3


def test_a_hostile_file_gives_no_line_and_no_crash(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 50_000 + "]" * 50_000 + "\n")  # libyaml's composer would overflow the C stack
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (1024 * 1024) + "\n")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"a: \xff\n")
    assert [field_line(f, "a") for f in (deep, big, binary, tmp_path / "missing.yaml")] == [None] * 4


def test_aliases_are_pointed_at_not_expanded(tmp_path: Path) -> None:
    file = tmp_path / "bomb.yaml"
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
    file.write_text("\n".join(rows) + "\nfield: here\n")
    assert field_line(file, "field") == 10

"""The Helm values text of an Application is read as hostile input, like any file."""

from __future__ import annotations

from genai_gitops.validators.gatekeeper.integrity import _helm_values


def test_values_text_is_parsed_with_parameters() -> None:
    source = {"helm": {"values": "replicas: 2\n", "parameters": [{"name": "a.b", "value": "1"}]}}
    assert _helm_values(source) == {"replicas": 2, "--set a.b": "1"}


def test_values_text_the_safe_reader_refuses_counts_as_no_values() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    for text in (bomb, "a: !!python/object:os.system x\n", "a: 1\na: 2\n"):
        assert _helm_values({"helm": {"values": text}}) == {}

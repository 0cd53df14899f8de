"""Multi-document files: every document is read, with the line it starts on."""

from __future__ import annotations

from genai_gitops.manifests.reader import read_text


def test_a_document_written_on_its_separator_line_is_not_lost() -> None:
    # YAML parsers (and so kubectl and Argo CD) read a document that starts on its `---` line; a reader that
    # dropped it would hide a Secret from every check
    text = ("--- {apiVersion: v1, kind: Secret, metadata: {name: hidden}}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: seen}\n--- # a comment only\nkind: A\n---\n--- !!binary eA==\n")
    parsed = read_text(text, "x.yaml")
    assert [(r.kind, r.name, r.line) for r in parsed.resources] == [("Secret", "hidden", 1), ("ConfigMap", "seen", 3),
                                                                    ("A", "", 7)]
    assert [(f.line, f.rule) for f in parsed.findings] == [(9, "yaml-tag")]


def test_plain_separators_keep_their_line_numbers() -> None:
    parsed = read_text("kind: A\n---\n\nkind: B\n---\nkind: C\n", "x.yaml")
    assert [(r.kind, r.line) for r in parsed.resources] == [("A", 1), ("B", 3), ("C", 6)]

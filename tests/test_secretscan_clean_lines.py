"""secretscan.CleanLines: a long value scanned with the clean lines of an earlier scan gives exactly what a
scan from nothing gives, whichever line an edit touches and whatever it puts there."""

from __future__ import annotations

import json

import pytest

from genai_gitops.secretscan import CleanLines, keyword_kind, keyword_kind_in, line_key, secret_kind, secret_kind_in

#: a generated teams.json as the LiteLLM ConfigMap carries it: 400 teams, ~3,600 lines
TEAMS = json.dumps({"teams": [{"team_id": f"t{i:04d}", "team_alias": f"Tenant {i}", "rpm_limit": 300 + i,
                               "models": ["claude-sonnet", "gpt-4o-mini"], "max_budget": 500 + i}
                              for i in range(400)]}, indent=2)
LINES = TEAMS.splitlines()
EDITS = {
    "a clean edit": '      "rpm_limit": 9999,',
    "an OpenAI key": '      "note": "sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2",',
    "a password in a URL": '      "url": "postgres://app:Sup3rS3cret@db:5432/app",',
    "high-entropy hex": '      "seed": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",',
}


def scanned(value: str, field: str, known: frozenset[str]) -> tuple[str | None, CleanLines]:
    clean = CleanLines(known=known)
    return secret_kind_in(value, field, clean), clean


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("where", [0, 1, 1800, len(LINES) - 2])
def test_a_rescan_with_known_lines_equals_a_scan_from_nothing(edit: str, where: int) -> None:
    before, first = scanned(TEAMS, "teams.json", frozenset())
    assert before is None and before == secret_kind(TEAMS, "teams.json")
    edited = "\n".join([*LINES[:where], EDITS[edit], *LINES[where + 1:]])
    after, second = scanned(edited, "teams.json", frozenset(first.found))
    assert after == secret_kind(edited, "teams.json")
    assert (after is None) == (edit == "a clean edit")
    if after is None:  # what the next run is given: exactly this value's clean lines
        assert second.found == {line_key("teams.json", line) for line in set(edited.splitlines())}


def test_a_line_is_known_only_under_its_own_field() -> None:
    # 40 hex characters are a digest under a hash-like field name and a secret anywhere else
    line = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b9f86d081"
    value = "\n".join([*LINES[:600], line])
    assert secret_kind(value, "checksum") is None
    _, clean = scanned(value, "checksum", frozenset())
    assert line_key("checksum", line) in clean.found
    assert scanned(value, "config", frozenset(clean.found))[0] == secret_kind(value, "config") is not None


def test_short_values_and_values_without_known_lines_are_scanned_as_before() -> None:
    assert scanned("sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2", "note", frozenset())[0] == "an OpenAI/LiteLLM key"
    assert secret_kind_in(TEAMS, "teams.json", None) is None
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    value = "\n".join([*LINES[:600], key])
    _, clean = scanned("\n".join(LINES[:600]), "data", frozenset())
    assert scanned(value, "data", frozenset(clean.found))[0] == secret_kind(value, "data") == "a private key"


SHORT = ["sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2", "postgres://app:Sup3rS3cret@db:5432/app", "litellm.genai-platform.svc",
         "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "ghcr.io/open-webui/open-webui:v0.6.5", "short", "hunter2hunter2",
         "Zm9vOmJhcg==Zm9vOmJhcg==", "true", "12345678901234567890"]


@pytest.mark.parametrize("field", ["note", "checksum", "DB_PASSWORD", "image"])
def test_short_values_known_clean_are_not_scanned_and_give_the_same_answers(field: str) -> None:
    """A short value is one line of secret_kind's: remembered clean under its field, it answers None without a scan;
    a value that looks like a secret is never remembered, so it is found again in every run. The same for the
    keyword rule of environment variables, under a field of its own."""
    first = CleanLines()
    answers = [(secret_kind_in(v, field, first), keyword_kind_in(field, v, first)) for v in SHORT]
    assert answers == [(secret_kind(v, field), keyword_kind(field, v)) for v in SHORT]
    second = CleanLines(known=frozenset(first.found))
    assert [(secret_kind_in(v, field, second), keyword_kind_in(field, v, second)) for v in SHORT] == answers
    assert second.found == first.found
    flagged = {v for v, (kind, keyword) in zip(SHORT, answers, strict=True) if kind}
    assert flagged and not {line_key(field, v) for v in flagged} & first.found
    # a value known clean for the keyword rule only is still scanned by secret_kind, and the other way round
    assert not {line_key(f"\0keyword\0{field}", v) for v in SHORT} & {line_key(field, v) for v in SHORT}

"""secretscan.CleanLines: a long value scanned with the clean lines of an earlier scan gives exactly what a
scan from nothing gives, whichever line an edit touches and whatever it puts there."""

from __future__ import annotations

import json

import pytest

from genai_gitops.secretscan import CleanLines, line_key, secret_kind, secret_kind_in

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

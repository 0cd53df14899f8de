"""One selector term, as the API server evaluates it; the four selector front ends agree on it."""

from __future__ import annotations

import pytest

from genai_gitops.argocd.generators.base import parse_selector
from genai_gitops.manifests.selectors import requirement_holds
from genai_gitops.validators.gatekeeper.match import LabelSelector as GatekeeperSelector
from genai_gitops.validators.isolation.selectors import selector_matches

LABELS = {"tier": "web", "team": "a"}


@pytest.mark.parametrize(("key", "operator", "values", "expected"), [
    ("tier", "In", {"web", "db"}, True), ("tier", "In", {"db"}, False), ("zone", "In", {"x"}, False),
    ("tier", "NotIn", {"db"}, True), ("tier", "NotIn", {"web"}, False), ("zone", "NotIn", {"x"}, True),
    ("tier", "Exists", set(), True), ("zone", "Exists", set(), False),
    ("zone", "DoesNotExist", set(), True), ("tier", "DoesNotExist", set(), False),
    ("tier", "Matches", {"web"}, False),
])
def test_a_term(key: str, operator: str, values: set[str], expected: bool) -> None:
    assert requirement_holds(LABELS, key, operator, values) is expected


@pytest.mark.parametrize(("expressions", "expected"), [
    ([{"key": "tier", "operator": "In", "values": ["web"]}, {"key": "zone", "operator": "DoesNotExist"}], True),
    ([{"key": "tier", "operator": "NotIn", "values": ["web"]}], False),
    ([{"key": "zone", "operator": "NotIn", "values": ["x"]}, {"key": "team", "operator": "Exists"}], True),
])
def test_argo_cd_gatekeeper_and_isolation_agree(expressions: list[dict], expected: bool) -> None:
    selector = {"matchLabels": {"team": "a"}, "matchExpressions": expressions}
    assert parse_selector(selector, "selector", validate_values=True).matches(LABELS) is expected
    assert GatekeeperSelector.parse(selector, "labelSelector").matches(LABELS) is expected
    assert selector_matches(selector, LABELS) is expected

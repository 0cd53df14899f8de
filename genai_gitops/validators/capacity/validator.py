"""CapacityValidator, the `capacity` validator: findings and the quota headroom table of one target."""

from __future__ import annotations

from collections.abc import Iterator

from genai_gitops.report.finding import Finding
from genai_gitops.report.section import Section
from genai_gitops.validators.base import Target
from genai_gitops.validators.capacity.analysis import VALIDATOR, CapacityAnalysis
from genai_gitops.validators.registry import ValidatorOptions

HEADROOM_HEADERS = ("namespace", "resource", "quota", "worst case", "headroom")


class CapacityValidator:
    """ResourceQuota and LimitRange fit at the worst case, and GPU pods placed on GPU pools."""

    name = VALIDATOR

    def __init__(self, options: ValidatorOptions) -> None:
        self.options = options
        self._last: tuple[Target, CapacityAnalysis] | None = None

    def analyse(self, target: Target) -> CapacityAnalysis:
        """The analysis of `target`, reused by `sections` right after `validate` on the same target."""
        if self._last is None or self._last[0] is not target:
            self._last = (target, CapacityAnalysis(target))
        return self._last[1]

    def cache_context(self, target: Target) -> str:
        """Results depend on the target's objects and cluster data only (both in the runner's key)."""
        return ""

    def validate(self, target: Target) -> Iterator[Finding]:
        yield from self.analyse(target).findings

    def sections(self, target: Target) -> list[Section]:
        rows = self.analyse(target).rows
        if not rows:
            return []
        return [Section(title="Quota headroom", headers=HEADROOM_HEADERS, rows=tuple(sorted(rows)))]

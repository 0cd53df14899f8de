"""CapacityValidator, the `capacity` validator: findings and the quota headroom table of one target."""

from __future__ import annotations

from collections.abc import Iterator

from genai_gitops.report.finding import Finding
from genai_gitops.report.section import Section
from genai_gitops.validators.base import OnePassValidator, Target
from genai_gitops.validators.capacity.analysis import VALIDATOR, CapacityAnalysis
from genai_gitops.validators.registry import ValidatorOptions

HEADROOM_HEADERS = ("namespace", "resource", "quota", "worst case", "headroom")


class CapacityValidator(OnePassValidator):
    """ResourceQuota and LimitRange fit at the worst case, and GPU pods placed on GPU pools."""

    name = VALIDATOR
    data_used = ("cluster",)

    def __init__(self, options: ValidatorOptions) -> None:
        self.options = options

    def cache_context(self, target: Target) -> str:
        """Results depend on the target's objects and cluster data only (both in the runner's key)."""
        return ""

    def run(self, target: Target) -> Iterator[Finding | Section]:
        """The findings and the headroom table, from one analysis of the target."""
        analysis = CapacityAnalysis(target)
        yield from analysis.findings
        rows = analysis.rows
        if rows:
            yield Section(title="Quota headroom", headers=HEADROOM_HEADERS, rows=tuple(sorted(rows)))

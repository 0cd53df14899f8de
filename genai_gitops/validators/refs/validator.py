"""RefsValidator, the `refs` validator: every reference between the objects of one cluster resolves."""

from __future__ import annotations

from collections.abc import Iterator

from genai_gitops.report.finding import Finding
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.plaintext import plaintext_findings
from genai_gitops.validators.refs.check import ReferenceCheck
from genai_gitops.validators.refs.rules import VALIDATOR
from genai_gitops.validators.registry import ValidatorOptions


class RefsValidator(Validator):
    """Every reference between the objects of one cluster resolves: selectors select, names name, keys exist."""

    name = VALIDATOR
    #: the cache keeps the plaintext scan's clean lines from one run to the next (plaintext.py)
    options_used = ("cache",)
    data_used = ()

    def __init__(self, options: ValidatorOptions) -> None:
        self.options = options

    def cache_context(self, target: Target) -> str:
        """Results depend on the target's objects alone (in the runner's key; `data_used` is empty)."""
        return ""

    def validate(self, target: Target) -> Iterator[Finding]:
        yield from ReferenceCheck(target.resources).findings()
        yield from plaintext_findings(target.resources, VALIDATOR, cache=self.options.cache,
                                      where=target.name if target.digest else "")

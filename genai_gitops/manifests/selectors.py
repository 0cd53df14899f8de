"""What one term of a Kubernetes label selector means (k8s.io/apimachinery labels.Requirement.Matches).

Argo CD's cluster selectors, Gatekeeper's match, workload selectors and the isolation workspace each
parse selectors with their own error grammar, but evaluate a term here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def requirement_holds(labels: Mapping[str, object], key: str, operator: str, values: Collection[str]) -> bool:
    """`key In (values)`, `key NotIn (values)` (a missing key satisfies it), `key Exists`, `key DoesNotExist`.
    An unknown operator selects nothing: the API server refuses such a selector."""
    present = key in labels
    if operator == "In":
        return present and str(labels[key]) in values
    if operator == "NotIn":
        return not present or str(labels[key]) not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    return False


@dataclass(frozen=True, slots=True)
class Requirement:
    """One parsed matchExpressions term: `key In (a, b)`, `key NotIn (...)`, `key Exists`, `key DoesNotExist`."""

    key: str
    operator: str
    values: frozenset[str]

    def matches(self, labels: Mapping[str, object]) -> bool:
        return requirement_holds(labels, self.key, self.operator, self.values)

    def describe(self) -> str:
        if self.operator in ("Exists", "DoesNotExist"):
            return self.key if self.operator == "Exists" else f"!{self.key}"
        return f"{self.key} {self.operator.lower()} ({', '.join(sorted(self.values))})"

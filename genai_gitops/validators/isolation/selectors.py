"""Kubernetes label selectors: does one match a label set, and which labels would satisfy one.

Used only to *place* objects in an analysis workspace (which pod is which workload, where a
stand-in pod must go) and to name the policies behind a flow. Whether traffic is allowed is
decided by network-config-analyzer alone: nothing here evaluates a NetworkPolicy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_gitops.manifests.selectors import requirement_holds


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """`matchLabels` and `matchExpressions` semantics of metav1.LabelSelector; `{}` matches everything."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != str(value):
            return False
    return all(requirement_holds(labels, str(expression.get("key", "")), str(expression.get("operator", "")),
                                 {str(v) for v in expression.get("values") or []})
               for expression in selector.get("matchExpressions") or [])


def selector_witness(selector: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Labels a pod (or namespace) would need to be selected, or None when nothing can match."""
    labels: dict[str, str] = {str(k): str(v) for k, v in ((selector or {}).get("matchLabels") or {}).items()}
    absent: set[str] = set()
    excluded: dict[str, set[str]] = {}
    expressions = (selector or {}).get("matchExpressions") or []
    # `In` pins a value; `Exists` must not pick one before an `In` on the same key has
    for expression in sorted(expressions, key=lambda e: e.get("operator") != "In"):
        key, operator = str(expression.get("key", "")), expression.get("operator", "")
        values = sorted(str(v) for v in expression.get("values") or [])
        if operator == "In":
            if key in labels:
                if labels[key] not in values:
                    return None
            elif values:
                labels[key] = values[0]
            else:
                return None
        elif operator == "Exists":
            labels.setdefault(key, "present")
        elif operator == "DoesNotExist":
            absent.add(key)
        elif operator == "NotIn":
            excluded.setdefault(key, set()).update(values)
        else:
            return None
    if absent & labels.keys():
        return None
    if any(labels.get(key) in values for key, values in excluded.items()):
        return None
    return labels

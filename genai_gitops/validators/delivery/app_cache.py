"""What the delivery check keeps per Application in the run's cache: its AppFacts and the findings
about its objects, by what they depend on, every Application's record in one entry
(cache_keys.delivery_index), those new or changed since in a small one beside it (delivery_delta);
a damaged entry or record, or one of another shape, is recomputed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from genai_gitops import cache_keys
from genai_gitops.cache import ResultCache
from genai_gitops.report.finding import Finding
from genai_gitops.validators.delivery.facts import AppFacts

#: cache namespace: per Application's folder content, its AppFacts and the findings about its objects
APPS_NAMESPACE = cache_keys.DELIVERY_APPS
#: findings about an app's objects kept per cache entry, for as many (view, project, scopes) contexts
MAX_OBJECT_CONTEXTS = 4
#: new or changed records kept in the delta entry (cache_keys.delivery_delta) before all are written whole
MAX_DELTA_RECORDS = 64
_T = TypeVar("_T")


def restored(restore: Callable[[Any], _T], data: Any) -> _T | None:
    try:
        return restore(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def entry_from(data: Any) -> tuple[AppFacts, dict[str, Any]]:
    objects = data["objects"]
    if not isinstance(objects, dict):
        raise ValueError("expected the object findings by context")
    return AppFacts.from_json(data["facts"]), objects


def store(cache: ResultCache, namespace: str, key: str, value: Any) -> None:
    # a value JSON cannot hold (a YAML timestamp in a spec) is not cached: recomputed next time
    with contextlib.suppress(TypeError, ValueError):
        cache.put(namespace, key, value)


def findings_from(data: Any) -> list[Finding]:
    if not isinstance(data, list):
        raise ValueError("expected a list of findings")
    return [Finding.from_dict(item) for item in data]


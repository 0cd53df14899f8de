"""Builtins Gatekeeper adds to OPA that regorus does not have, registered as regorus extensions.

regorus 0.13 already implements the Gatekeeper-specific string helpers templates use
(`strings.any_prefix_match`, `strings.any_suffix_match`), so only `external_data` is missing. An
offline run has no external data providers: the builtin answers the way Gatekeeper does when a
provider is not in its cache (HTTP 400 with a system error), so templates that check
`response.system_error` report it instead of silently passing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OFFLINE_STATUS = 400


def external_data(request: Any) -> dict[str, Any]:
    provider = request.get("provider", "") if isinstance(request, Mapping) else ""
    return {
        "responses": [],
        "errors": [],
        "status_code": OFFLINE_STATUS,
        "system_error": f"external data provider {provider!r} is not available in an offline check",
    }


def register(engine: Any) -> None:
    """Add the missing builtins to a regorus engine (before policies are added)."""
    engine.add_extension("external_data", 1, external_data)

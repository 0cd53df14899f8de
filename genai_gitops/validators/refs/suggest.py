"""The end of a message about a name that does not exist: a near miss, or the names that do."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

_SHOWN_NAMES = 6


def suggest(name: str, candidates: Sequence[str], what: str) -> str:
    """' (did you mean "x"?)' for a near miss, else the (first few) names that do exist, to end a message."""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    if close:
        return f' (did you mean "{close[0]}"?)'
    if not candidates:
        return f" (no {what} here)"
    shown = ", ".join(candidates[:_SHOWN_NAMES]) + (", ..." if len(candidates) > _SHOWN_NAMES else "")
    return f" ({what} here: {shown})"

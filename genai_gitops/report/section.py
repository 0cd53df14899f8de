"""A table a validator adds to the report, beside its findings (e.g. quota headroom)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """Rendered by the text and markdown writers; the report layer owns it so writers need no validator."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

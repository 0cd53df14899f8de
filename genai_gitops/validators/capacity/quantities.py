"""Quantities as the capacity check counts and shows them: exact decimals, human units."""

from __future__ import annotations

from decimal import Decimal

Quantities = dict[str, Decimal]

_GI = Decimal(2) ** 30


def _is_bytes(resource: str) -> bool:
    base = resource.rpartition("/")[2].removeprefix("requests.").removeprefix("limits.")
    return base in ("memory", "storage", "ephemeral-storage") or base.startswith("hugepages-")


def _is_cores(resource: str) -> bool:
    return resource.removeprefix("requests.").removeprefix("limits.") == "cpu"


def format_quantity(resource: str, value: Decimal) -> str:
    """Human units: cores for CPU, Gi for bytes, plain numbers for counts and devices."""
    if _is_bytes(resource):
        return f"{trim(value / _GI, 2)}Gi"
    return trim(value, 3 if _is_cores(resource) else 2)


def trim(value: Decimal, places: int) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

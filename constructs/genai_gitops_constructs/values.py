"""Memoised jsii value objects (quantities, int-or-strings).

Every `k8s.Quantity.from_string(...)` is a round trip to the jsii kernel (node). The values are
immutable, so one instance per distinct value serves every object; at 1,000 tenants this removes
most of the synth's kernel calls.
"""

from __future__ import annotations

from functools import cache

from cdk8s_plus_28 import k8s


@cache
def quantity(value: str | int | float) -> k8s.Quantity:
    if isinstance(value, str):
        return k8s.Quantity.from_string(value)
    return k8s.Quantity.from_number(value)


@cache
def int_or_string(value: int | str) -> k8s.IntOrString:
    if isinstance(value, int):
        return k8s.IntOrString.from_number(value)
    return k8s.IntOrString.from_string(value)

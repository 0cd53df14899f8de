"""LimitRange: the container defaults the LimitRanger admission plugin fills in, and the min/max/ratio
bounds it enforces."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from genai_gitops.manifests.resource import Resource
from genai_gitops.validators.capacity.quantities import Quantities, format_quantity, trim


@dataclass
class LimitItem:
    """One `spec.limits[]` entry, with the defaults the API server fills in for Container items."""

    source: Resource
    type: str
    min: Quantities = field(default_factory=dict)
    max: Quantities = field(default_factory=dict)
    default: Quantities = field(default_factory=dict)
    default_request: Quantities = field(default_factory=dict)
    ratio: Quantities = field(default_factory=dict)


class LimitPolicy:
    """The LimitRanges of one namespace: container defaults, and min/max/ratio bounds to check."""

    def __init__(self, items: Sequence[LimitItem]) -> None:
        self.items = items

    def of_type(self, kind: str) -> list[LimitItem]:
        return [i for i in self.items if i.type == kind]

    def default_container(self, requests: Quantities, limits: Quantities) -> tuple[Quantities, Quantities, set[str]]:
        """(requests, limits, names of limits that came from a LimitRange default) as admitted.

        Order matters and mirrors the API server: first a limit without a request becomes the request
        (defaulting on create), then LimitRanger fills what is still unset from `default`/`defaultRequest`.
        """
        requests, limits = dict(requests), dict(limits)
        for resource, value in limits.items():
            requests.setdefault(resource, value)
        defaulted: set[str] = set()
        for item in self.of_type("Container"):
            for resource, value in item.default.items():
                if resource not in limits:
                    limits[resource] = value
                    defaulted.add(resource)
            for resource, value in item.default_request.items():
                requests.setdefault(resource, value)
        return requests, limits, defaulted

    def violations(self, kind: str, requests: Quantities, limits: Quantities) -> Iterator[str]:
        """What the LimitRanger would reject, as sentences naming the bound and the LimitRange."""
        for item in self.of_type(kind):
            where = f"LimitRange {item.source.name}"
            for resource, bound in item.min.items():
                for field_name, values in (("requests", requests), ("limits", limits)):
                    value = values.get(resource)
                    if value is not None and value < bound:
                        yield (f"{field_name}.{resource} {format_quantity(resource, value)} is below the "
                               f"{where} minimum {format_quantity(resource, bound)} per {kind}; raise it")
            for resource, bound in item.max.items():
                for field_name, values in (("requests", requests), ("limits", limits)):
                    value = values.get(resource)
                    if value is not None and value > bound:
                        yield (f"{field_name}.{resource} {format_quantity(resource, value)} exceeds the "
                               f"{where} maximum {format_quantity(resource, bound)} per {kind}; lower it or "
                               "raise the LimitRange max")
                if kind != "PersistentVolumeClaim" and resource not in limits:
                    yield (f"limits.{resource} is not set and {where} has a maximum for it; set "
                           f"limits.{resource} (at most {format_quantity(resource, bound)})")
            for resource, ratio in item.ratio.items():
                request, limit = requests.get(resource), limits.get(resource)
                if request and limit is not None and limit / request > ratio:
                    yield (f"limits.{resource}/requests.{resource} is {trim(limit / request, 2)}, above the "
                           f"{where} maxLimitRequestRatio {trim(ratio, 2)}; raise the request or lower the limit")

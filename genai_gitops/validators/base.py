"""The interface every validator implements, and the target it validates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding

if TYPE_CHECKING:
    from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
    from genai_gitops.model.tenant import TenantSpec


@dataclass
class Target:
    """One unit of validation: the rendered tree of one cluster, or an ad-hoc set of manifests.

    Referential validators (refs, Gatekeeper inventory, capacity) see every resource of the
    target at once, so a cluster's folders are validated together, never folder by folder.
    """

    name: str
    k8s_version: str
    resources: Sequence[Resource]
    #: the cluster's data and its tenants, when validating this repository's dist/ (None for ad-hoc paths)
    cluster: ClusterSpec | None = None
    tenants: Sequence[TenantSpec] = field(default_factory=tuple)
    inventory: ClusterInventory | None = None


class Validator(Protocol):
    #: short id used by `--only` and in Finding.validator
    name: str

    def validate(self, target: Target) -> Iterable[Finding]: ...


@dataclass(frozen=True)
class Section:
    """A table a validator adds to the report (e.g. quota headroom), rendered by the text/markdown writers."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


class SummarisingValidator(Validator, Protocol):
    """A validator that also contributes tables to the report."""

    def sections(self, target: Target) -> Sequence[Section]: ...

"""The interface every validator implements, and the target it validates."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding
from genai_gitops.report.section import Section

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
    #: content digest of everything in `resources` ("" when unknown: ad-hoc paths, nothing cached)
    digest: str = ""


class Validator(Protocol):
    #: short id used by `--only` and in Finding.validator
    name: str

    def validate(self, target: Target) -> Iterable[Finding]: ...


class SummarisingValidator(Validator, Protocol):
    """A validator that also contributes tables to the report."""

    def sections(self, target: Target) -> Sequence[Section]: ...


@dataclass(frozen=True)
class WorkUnit:
    """A piece of a validator's work whose result depends only on what `key` digests.

    `key=None` means "always run" (e.g. a referential check over the whole cluster). The runner
    reuses cached results for keyed units and spreads the rest over both cores.
    """

    label: str
    key: str | None
    run: Callable[[], list[Finding]]


class CachingValidator(Validator, Protocol):
    """A validator whose result for a target depends only on the target's content, its cluster data
    and what `cache_context` digests (its options, policy files...): the runner may reuse it."""

    def cache_context(self, target: Target) -> str: ...


class PlanningValidator(Validator, Protocol):
    """A validator that splits a target into cacheable, parallel work units."""

    def plan(self, target: Target) -> Sequence[WorkUnit]: ...


def resources_digest(resources: Iterable[Resource]) -> str:
    """Order-independent digest of resources by (file, line, file digest)."""
    h = hashlib.blake2b(digest_size=20)
    for file, line, dig in sorted((r.file, r.line, r.digest) for r in resources):
        h.update(f"{file}\0{line}\0{dig}\n".encode())
    return h.hexdigest()


def group_by_folder(resources: Iterable[Resource]) -> dict[str, list[Resource]]:
    """Resources by the folder of their file: one Argo CD Application per folder in dist/."""
    groups: dict[str, list[Resource]] = {}
    for resource in resources:
        groups.setdefault(os.path.dirname(resource.file), []).append(resource)
    return dict(sorted(groups.items()))

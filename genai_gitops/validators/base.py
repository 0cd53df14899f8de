"""The interface every validator implements (its capabilities declared), and the target it validates."""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

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


@dataclass(frozen=True)
class WorkUnit:
    """A piece of a validator's work whose result depends only on what `key` digests.

    `key=None` means "always run" (e.g. a referential check over the whole cluster). The runner
    reuses cached results for keyed units and spreads the rest over both cores.
    """

    label: str
    key: str | None
    run: Callable[[], list[Finding]]


class Validator(ABC):
    """What every validator is. `validate` is the one required method; the others are capabilities a
    validator may offer, each declared here with the default that means "not offered", so the runner
    asks every validator the same questions and never probes for a method.

    A validator holds no state between calls: whatever it returns for a target is computed from that
    target (and the options it was built with) alone, so the runner may call its methods in any
    order, on any target, in worker processes, or answer them from the cache. (A memo of a pure
    function is not state: delivery computes its repository-wide findings once per repository and
    inventory, and the schema validator compiles each schema once.)
    """

    #: short id used by `--only` and in Finding.validator
    name: ClassVar[str]
    #: the fields of `ValidatorOptions` this validator reads; the registry builds it with only these set
    #: (the others at their defaults), so what a validator depends on is declared, not discovered
    options_used: ClassVar[tuple[str, ...]] = ()
    #: the parts of a target's data (cache_keys.TARGET_DATA) its results depend on, in the runner's cache key
    #: for its whole-target results: all of them unless a validator declares fewer. Declaring fewer is a claim
    #: that it never reads the others: a tenant edit then does not re-run it on an unchanged cluster
    data_used: ClassVar[tuple[str, ...]] = ("k8s_version", "cluster", "tenants", "inventory")

    @abstractmethod
    def validate(self, target: Target) -> Iterable[Finding]:
        """The findings about `target`."""

    def sections(self, target: Target) -> Sequence[Section]:
        """The report tables about `target`: a function of the target alone, never of an earlier call."""
        return ()

    def run(self, target: Target) -> Iterator[Finding | Section]:
        """The findings and the tables about `target`: what the runner calls. A validator whose tables
        come from the same computation as its findings is a `OnePassValidator`, so the work is done
        once per run."""
        yield from self.validate(target)
        yield from self.sections(target)

    def cache_context(self, target: Target) -> str | None:
        """None: results are not reused. A string: the runner may reuse the results for a target with the
        same content and cluster data (cache_keys.target) when this string (options, policy files...) is
        the same too."""
        return None

    def prefetch(self, targets: Sequence[Target]) -> None:
        """Nothing: no head start. Otherwise: begin, in the background, work `validate` will need for these
        targets (the ones the runner could not answer from the cache), so it overlaps the other validators.
        Whatever it computes is a memo of a pure function: `validate` returns the same with or without it."""
        return None

    def begin(self, targets: Sequence[Target]) -> bool:
        """False: nothing begun. True: it started, in a forked child, the work its `cache_context` needs for these
        targets (delivery's context is its whole run), and the runner asks for its keys only after the other
        validators' work, so both compute together. A memo of a pure function, as `prefetch`; the runner calls it
        only when it may use a second process. It may be called again for the same targets (a caller can begin
        early, `validation.begin_background`): work begun and not yet taken is not begun twice."""
        return False

    def plan(self, target: Target) -> Sequence[WorkUnit] | None:
        """None: run whole (`run`). Work units: the target's work split into cacheable, parallel pieces;
        the findings are the units' findings together (no tables)."""
        return None


class OnePassValidator(Validator):
    """A validator whose tables come from the same analysis as its findings: it implements `run`, and
    `validate` and `sections` are taken from it."""

    @abstractmethod
    def run(self, target: Target) -> Iterator[Finding | Section]:
        """The findings and the tables about `target`, from one analysis."""

    def validate(self, target: Target) -> Iterator[Finding]:
        return findings_of(self.run(target))

    def sections(self, target: Target) -> list[Section]:
        return sections_of(self.run(target))


def findings_of(items: Iterable[Finding | Section]) -> Iterator[Finding]:
    """The findings of a `run`."""
    return (item for item in items if isinstance(item, Finding))


def sections_of(items: Iterable[Finding | Section]) -> list[Section]:
    """The tables of a `run`."""
    return [item for item in items if isinstance(item, Section)]


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

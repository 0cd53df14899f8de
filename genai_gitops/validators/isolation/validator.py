"""`isolation`: prove with network-config-analyzer that every tenant namespace is isolated.

Per tenant namespace (a Namespace labelled genai-gitops.io/tenant, or a tenant the data places on
the cluster):

* `cross-tenant-flow`: no connection to or from another tenant's namespace (or a tenant yet to come);
* `undeclared-flow` / `missing-flow`: with the tenant's data, the allowed flows are exactly
  `tenant_flows(tenant, inventory)`, compared per workload, port and address;
* `not-default-deny`: every pod is selected by some policy for Ingress and for Egress;
* `shared-database-subnet` (warning): a tenant without `database_endpoints` may reach a data subnet
  that holds another tenant's databases (databases.py).

Without tenant data (`genai-gitops validate PATH`), only the first and the last run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.report.finding import Finding
from genai_gitops.report.run import finding_sort_key
from genai_gitops.report.section import Section
from genai_gitops.validators.base import OnePassValidator, Target
from genai_gitops.validators.isolation.analysis import DEFAULT_WORKERS, PARALLEL_FROM, NamespaceAnalysis
from genai_gitops.validators.isolation.check import VALIDATOR, TenantCheck
from genai_gitops.validators.isolation.classes import ClassAnalyser
from genai_gitops.validators.isolation.connectivity import AddressBook
from genai_gitops.validators.isolation.databases import shared_database_findings
from genai_gitops.validators.isolation.workspace import Origin, TenantWorkspace, build_workspaces
from genai_gitops.validators.registry import ValidatorOptions

SECTION_TITLE = "Network isolation"
SECTION_HEADERS = ("Namespace", "Pods (stand-ins)", "Policies", "Allowed flows", "Declared flows", "Findings")


def analyse_target(target: Target, *, workers: int = DEFAULT_WORKERS, parallel_from: int = PARALLEL_FROM,
                   tenant: str | None = None, cache: ResultCache = NO_CACHE,
                   analyser: ClassAnalyser | None = None) -> list[tuple[TenantWorkspace, NamespaceAnalysis]]:
    """Each tenant namespace of the target (or only `tenant`: an id or a namespace) with what nca computed.

    nca runs once per class of alike workspaces (classes.py), and an analysis is cached by its class
    key, so an unchanged tenant, or a new one alike to an analysed one, is not analysed again."""
    subjects = [s for s in build_workspaces(target.resources, tenants=target.tenants, cluster=target.cluster,
                                            inventory=target.inventory)
                if tenant is None or tenant in (s.tenant, s.namespace)]
    analyser = analyser or ClassAnalyser(cache=cache, workers=workers, parallel_from=parallel_from)
    analyses = analyser.analyse_many([s.workspace for s in subjects])
    return list(zip(subjects, analyses, strict=True))


def address_book(subjects: Sequence[TenantWorkspace], target: Target, *, split: bool = True) -> AddressBook:
    """Names for the address blocks of these tenants' flows and of the clusters' ingresses and VPCs."""
    return AddressBook.for_platform([f for s in subjects for f in s.declared or ()], target.inventory, split=split)


class IsolationValidator(OnePassValidator):
    name = VALIDATOR
    options_used = ("cache",)

    def __init__(self, options: ValidatorOptions | None = None, *, workers: int = DEFAULT_WORKERS,
                 parallel_from: int = PARALLEL_FROM) -> None:
        self.cache = options.cache if options is not None else NO_CACHE
        self.workers = workers
        self.parallel_from = parallel_from
        #: class key -> canonical analysis: a memo of a pure function, shared by the targets of a run
        self._classes: dict[str, NamespaceAnalysis | None] = {}

    def cache_context(self, target: Target) -> str:
        """Results depend on the target's objects and data only (nca's version is in the fingerprint)."""
        return ""

    def run(self, target: Target) -> Iterator[Finding | Section]:
        """The findings and the per-tenant table, from one analysis of the target."""
        analyser = ClassAnalyser(cache=self.cache, workers=self.workers, parallel_from=self.parallel_from,
                                 classes=self._classes)
        analysed = analyse_target(target, analyser=analyser)
        book = address_book([s for s, _ in analysed], target, split=False)
        rows = []
        for subject, analysis in analysed:
            check = TenantCheck(subject, analysis, analyser=analyser, book=book)
            findings = sorted(check.findings(), key=finding_sort_key)
            yield from findings
            rows.append(_row(subject, analysis, check, len(findings)))
        yield from shared_database_findings([s for s, _ in analysed])
        if rows:
            yield Section(SECTION_TITLE, SECTION_HEADERS, tuple(rows))


def _row(subject: TenantWorkspace, analysis: NamespaceAnalysis, check: TenantCheck, findings: int) -> tuple[str, ...]:
    pods = subject.workspace.subject_pods
    stand_ins = sum(1 for p in pods if p.origin is not Origin.WORKLOAD)
    allowed = "" if analysis.error else str(len(check.connections().connections()))
    declared = "" if subject.declared is None else str(len(subject.declared))
    return (subject.namespace, f"{len(pods)} ({stand_ins})", str(len(subject.workspace.policies)), allowed, declared,
            str(findings))

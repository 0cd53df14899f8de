"""The result of one validation run: findings, tables, timings and the exit code, as plain data.

Writers present a Report; they never decide whether the run failed. That decision is
`Report.exit_code()`, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple, TypeVar

from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.section import Section

#: exit codes, the same values as genai_gitops.cli.EXIT_* (the report layer must not import the CLI)
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

#: Finding.rule of a validator that crashed or could not start: the run is incomplete, not the manifests wrong
INTERNAL_ERROR_RULE = "internal-error"

#: most severe first; used wherever findings are ranked for people
SEVERITY_RANK: dict[Severity, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def finding_sort_key(finding: Finding) -> tuple[object, ...]:
    """A total order over findings (Finding's own ordering fails on line=None against an int)."""
    return (finding.file, finding.line if finding.line is not None else 0, finding.validator, finding.rule,
            finding.api_version, finding.kind, finding.namespace, finding.name,
            SEVERITY_RANK[finding.severity], finding.message)


@dataclass(frozen=True)
class Counts:
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    #: findings a suppression with a reason silenced: counted apart, in no severity above
    suppressed: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Counts:
        tally = {severity: 0 for severity in Severity}
        suppressed = 0
        for finding in findings:
            if finding.suppressed:
                suppressed += 1
            else:
                tally[finding.severity] += 1
        return cls(tally[Severity.ERROR], tally[Severity.WARNING], tally[Severity.INFO], suppressed)


class CheckedObject(NamedTuple):
    """One object a run checked, whether or not anything was found on it (a JUnit test case)."""

    file: str
    line: int
    kind: str
    namespace: str
    name: str


@dataclass(frozen=True)
class ValidatorRun:
    """How long one validator took over every target of the run, and how much it saw."""

    name: str
    seconds: float
    targets: int = 1
    resources: int = 0


T = TypeVar("T")


def _sorted_unique(items: Sequence[T]) -> tuple[T, ...]:
    """`tuple(sorted(set(items)))`, without the set and the sort when `items` are in that order already (a Report
    made again by `dataclasses.replace`: at 1,000 tenants each of 31,634 objects was hashed and sorted twice)."""
    try:
        if all(a < b for a, b in pairwise(items)):  # type: ignore[operator]
            return tuple(items)
    except TypeError:  # items that do not compare (None beside a number): sorted() decides, as without this
        pass
    return tuple(sorted(set(items)))  # type: ignore[type-var]


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...] = ()
    sections: tuple[Section, ...] = ()
    #: one entry per validator in the order they ran ("parse" first when the runner read the files)
    runs: tuple[ValidatorRun, ...] = ()
    #: every manifest file read, whether or not it has findings
    files: tuple[str, ...] = ()
    resources: int = 0
    #: how many of `files` were not parsed in this run: their results came from the cache
    cached_files: int = 0
    #: wall-clock seconds of the whole run
    seconds: float = 0.0
    #: names of the targets validated (one per cluster for `check`)
    targets: tuple[str, ...] = ()
    #: every object checked, also those a cached run did not read again
    objects: tuple[CheckedObject, ...] = ()
    #: the data files the run read (tenants/*.yaml, clusters.yaml): checked, though not manifests
    data_files: tuple[str, ...] = ()
    _by_validator: dict[str, Counts] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Sorted and de-duplicated here so every writer, and every run over the same input, agrees:
        # two targets sharing a file must not report the same problem twice.
        object.__setattr__(self, "findings", tuple(sorted(set(self.findings), key=finding_sort_key)))
        object.__setattr__(self, "files", _sorted_unique(self.files))
        object.__setattr__(self, "objects", _sorted_unique(self.objects))
        object.__setattr__(self, "data_files", tuple(sorted(set(self.data_files))))
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.validator, []).append(finding)
        object.__setattr__(self, "_by_validator", {name: Counts.of(items) for name, items in grouped.items()})

    # counts -----------------------------------------------------------------------------------------

    @property
    def counts(self) -> Counts:
        return Counts.of(self.findings)

    @property
    def errors(self) -> int:
        return self.counts.errors

    @property
    def warnings(self) -> int:
        return self.counts.warnings

    @property
    def infos(self) -> int:
        return self.counts.infos

    @property
    def validators(self) -> tuple[str, ...]:
        """Validators in the order they ran, then any others that reported (e.g. "parse"), by name."""
        ran = [run.name for run in self.runs]
        return (*ran, *sorted(set(self._by_validator) - set(ran)))

    def counts_for(self, validator: str) -> Counts:
        return self._by_validator.get(validator, Counts())

    def run_for(self, validator: str) -> ValidatorRun | None:
        return next((run for run in self.runs if run.name == validator), None)

    def by_file(self) -> dict[str, list[Finding]]:
        """Findings grouped by file, files in sorted order ("" for findings that belong to no file)."""
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.file, []).append(finding)
        return grouped

    @property
    def internal_errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule == INTERNAL_ERROR_RULE and f.severity is Severity.ERROR)

    @property
    def active(self) -> tuple[Finding, ...]:
        """The findings that count: every finding but the suppressed ones."""
        return tuple(f for f in self.findings if not f.suppressed)

    # the one decision -------------------------------------------------------------------------------

    @property
    def passed(self) -> bool:
        return self.exit_code() == EXIT_OK

    def exit_code(self, fail_on: Severity = Severity.ERROR) -> int:
        """0 clean (warnings and info do not fail unless `fail_on` is WARNING), 1 any error finding,
        2 a validator crashed.

        A crashed validator means the run did not check everything, which CI must not mistake for
        "your manifests are wrong" (1) nor for "clean" (0).
        """
        if self.internal_errors:
            return EXIT_ERROR
        if self.errors or (fail_on is Severity.WARNING and self.warnings):
            return EXIT_FINDINGS
        return EXIT_OK

    def summary(self) -> str:
        """`2 errors, 1 warning in 3 files (10 resources, 2 files from cache) in 0.42 s`: the last line of
        every text output; "from cache" counts files whose results were reused rather than computed."""
        counts = self.counts
        parts = [_plural(counts.errors, "error"), _plural(counts.warnings, "warning")]
        if counts.infos:
            parts.append(f"{counts.infos} info")
        if counts.suppressed:
            parts.append(f"{counts.suppressed} suppressed")
        cached = f", {_plural(self.cached_files, 'file')} from cache" if self.cached_files else ""
        return (f"{', '.join(parts)} in {_plural(len(self.files), 'file')} "
                f"({_plural(self.resources, 'resource')}{cached}) in {self.seconds:.2f} s")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

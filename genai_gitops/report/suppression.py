"""Inline suppression: an annotation on the object, with the reason, silences one rule there.

    metadata:
      annotations:
        ignore-check.genai-gitops.io/capacity.quota-exceeded-at-hpa-max: "load test namespace; PLAT-12"

The key names the rule as `genai-gitops rules list` does, with `/` written as `.` (an annotation
name allows one `/`, after the prefix): `policy.K8sTrustedImages.trusted-images`,
`checkov.CKV_K8S_21`. kube-linter's `ignore-check.kube-linter.io/<check>` works the same way; here
the reason is required. A suppressed finding is kept in every report, marked with its reason and
counted apart; it fails nothing. A suppression that cannot apply is itself a finding: an empty
reason, a rule no validator has, a rule that may never be suppressed (rules.NEVER_SUPPRESSED), or
one that silenced nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.rules import RuleRegistry

PREFIX = "ignore-check.genai-gitops.io/"
VALIDATOR = "suppression"

ObjectKey = tuple[str, str, str, str]  # file, kind, namespace, name


def rule_id_of(name: str) -> str:
    """`policy.K8sTrustedImages.trusted-images` -> `policy/K8sTrustedImages/trusted-images`."""
    validator, _, rest = name.partition(".")
    if validator == "policy":
        kind, _, constraint = rest.partition(".")
        return f"policy/{kind}/{constraint}" if constraint else f"policy/{kind}"
    return f"{validator}/{rest}"


def annotation_name(rule_id: str) -> str:
    """The annotation that suppresses `rule_id`: `ignore-check.genai-gitops.io/capacity.quota-exceeded`."""
    return PREFIX + rule_id.replace("/", ".")


@dataclass(frozen=True)
class Suppression:
    key: ObjectKey
    rule_id: str
    reason: str
    #: where the annotation is, for findings about the suppression itself
    line: int | None
    api_version: str


@dataclass
class Suppressions:
    """The valid suppressions of a set of objects, and findings about the invalid ones."""

    valid: list[Suppression] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    @classmethod
    def read(cls, objects: Iterable[tuple[str, int | None, dict[str, Any]]], registry: RuleRegistry) -> Suppressions:
        """From (file, line, object) triples: every `ignore-check.genai-gitops.io/` annotation checked."""
        out = cls()
        for file, line, obj in objects:
            raw_meta = obj.get("metadata")
            meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
            raw_annotations = meta.get("annotations")
            annotations: dict[str, Any] = raw_annotations if isinstance(raw_annotations, dict) else {}
            names = sorted(str(k) for k in annotations if str(k).startswith(PREFIX))
            if not names:
                continue
            key: ObjectKey = (file, str(obj.get("kind", "")), str(meta.get("namespace", "") or ""),
                              str(meta.get("name", "")))
            api_version = str(obj.get("apiVersion", ""))

            def problem(rule: str, message: str, *, severity: Severity = Severity.ERROR,
                        key: ObjectKey = key, line: int | None = line, api_version: str = api_version) -> None:
                out.problems.append(Finding(file=key[0], line=line, api_version=api_version, kind=key[1],
                                            namespace=key[2], name=key[3], validator=VALIDATOR, rule=rule,
                                            severity=severity, message=message))

            for name in names:
                value = annotations[name]
                reason = value.strip() if isinstance(value, str) else ""
                rule_id = rule_id_of(name[len(PREFIX):])
                rule = registry.by_id(rule_id)
                if rule is None:
                    problem("unknown-rule", f"annotation {name}: no rule {rule_id}; `genai-gitops rules list` "
                                            "shows the ids (write `/` as `.`)")
                elif not registry.can_suppress(rule_id):
                    problem("not-suppressible", f"annotation {name}: {rule_id} cannot be suppressed (it protects "
                                                "every tenant); fix the finding instead")
                elif not reason:
                    problem("missing-reason", f"annotation {name} gives no reason; write why the rule does not "
                                              "apply here as its value")
                else:
                    out.valid.append(Suppression(key, rule_id, reason, line, api_version))
        return out

    def apply(self, findings: Sequence[Finding], ran: Collection[str] | None = None) -> list[Finding]:
        """The findings with those a valid suppression covers marked, plus a warning per unused suppression
        of a validator in `ran` (None: all), and the findings about invalid suppressions."""
        by_key: dict[tuple[ObjectKey, str], Suppression] = {(s.key, s.rule_id): s for s in self.valid}
        used: set[tuple[ObjectKey, str]] = set()
        out: list[Finding] = []
        for finding in findings:
            wanted = ((finding.file, finding.kind, finding.namespace, finding.name),
                      f"{finding.validator}/{finding.rule}")
            found = by_key.get(wanted)
            if found is not None and not finding.suppressed:
                used.add(wanted)
                finding = replace(finding, suppressed=found.reason)
            out.append(finding)
        for suppression in self.valid:
            validator = suppression.rule_id.partition("/")[0]
            if (suppression.key, suppression.rule_id) not in used and (ran is None or validator in ran):
                file, kind, namespace, name = suppression.key
                out.append(Finding(file=file, line=suppression.line, api_version=suppression.api_version, kind=kind,
                                   namespace=namespace, name=name, validator=VALIDATOR, rule="unused",
                                   severity=Severity.WARNING,
                                   message=f"annotation {annotation_name(suppression.rule_id)} suppresses nothing: "
                                           f"{suppression.rule_id} reports no finding on this object; remove it"))
        return [*out, *self.problems]

    def to_dict(self) -> dict[str, Any]:
        return {"valid": [[*s.key, s.rule_id, s.reason, s.line, s.api_version] for s in self.valid],
                "problems": [f.to_dict() for f in self.problems]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Suppressions:
        valid = [Suppression((v[0], v[1], v[2], v[3]), v[4], v[5], v[6], v[7]) for v in data["valid"]]
        return cls(valid, [Finding.from_dict(f) for f in data["problems"]])

    def extend(self, other: Suppressions) -> None:
        self.valid.extend(other.valid)
        self.problems.extend(other.problems)


@dataclass(frozen=True)
class TenantEntry:
    """A `suppressions:` entry of a tenant file: a rule accepted in the tenant's namespace."""

    file: str
    index: int
    namespace: str
    rule_id: str
    field: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return (finding.namespace == self.namespace and f"{finding.validator}/{finding.rule}" == self.rule_id
                and (not self.field or finding.source.endswith(f": {self.field}")))


def apply_tenant_entries(findings: Sequence[Finding], entries: Iterable[TenantEntry], registry: RuleRegistry,
                         ran: Collection[str] | None = None) -> list[Finding]:
    """Tenant suppressions over findings already mapped to tenant fields (sources.map_to_tenants); bad
    entries and unused ones become findings on the tenant file, as annotations' do on their object."""
    valid: list[TenantEntry] = []
    problems: list[Finding] = []

    def problem(entry: TenantEntry, rule: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Finding(file=entry.file, line=None, api_version="", kind="", namespace="", name="",
                                validator=VALIDATOR, rule=rule, severity=severity,
                                message=f"suppressions[{entry.index}] ({entry.rule_id}): {message}"))

    for entry in entries:
        if registry.by_id(entry.rule_id) is None:
            problem(entry, "unknown-rule", "no such rule; `genai-gitops rules list` shows the ids")
        elif not registry.can_suppress(entry.rule_id):
            problem(entry, "not-suppressible", "this rule cannot be suppressed (it protects every tenant); fix the "
                                               "finding instead")
        elif not entry.reason.strip():
            problem(entry, "missing-reason", "no reason; say why the finding does not apply in `reason:`")
        else:
            valid.append(entry)
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        match = next((e for e in valid if e.covers(finding)), None) if not finding.suppressed else None
        if match is not None:
            used.add(id(match))
            finding = replace(finding, suppressed=match.reason.strip())
        out.append(finding)
    for entry in valid:
        if id(entry) not in used and (ran is None or entry.rule_id.partition("/")[0] in ran):
            problem(entry, "unused", "suppresses nothing: the rule reports no finding here; remove the entry",
                    Severity.WARNING)
    return [*out, *problems]

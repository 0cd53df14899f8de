"""The one report model every validator produces."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class Located(Protocol):
    """Where a finding points: a parsed manifest (manifests.Resource) has these, so the report layer, which
    the manifest reader itself uses for parse errors, needs nothing from manifests/."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def api_version(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def name(self) -> str: ...


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    file: str
    line: int | None
    api_version: str
    kind: str
    namespace: str
    name: str
    validator: str
    rule: str
    severity: Severity
    message: str
    #: for an object the synth generated, what the user edits instead: `tenants/acme.yaml: quotas.memory`
    source: str = ""
    #: the reason a suppression gave ("" when not suppressed); a suppressed finding stays in every report
    #: but fails nothing
    suppressed: str = ""

    @classmethod
    def about(cls, resource: Located, *, validator: str, rule: str, message: str,
              severity: Severity = Severity.ERROR) -> Finding:
        return cls(file=resource.file, line=resource.line, api_version=resource.api_version,
                   kind=resource.kind, namespace=resource.namespace, name=resource.name,
                   validator=validator, rule=rule, severity=severity, message=message)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "apiVersion": self.api_version, "kind": self.kind,
                "namespace": self.namespace, "name": self.name, "validator": self.validator,
                "rule": self.rule, "severity": self.severity.value, "message": self.message,
                "source": self.source, "suppressed": self.suppressed}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(file=data["file"], line=data["line"], api_version=data["apiVersion"], kind=data["kind"],
                   namespace=data["namespace"], name=data["name"], validator=data["validator"],
                   rule=data["rule"], severity=Severity(data["severity"]), message=data["message"],
                   source=data.get("source", ""), suppressed=data.get("suppressed", ""))

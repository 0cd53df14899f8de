"""Secret references: tenant files name where a secret lives, never what it is."""

from __future__ import annotations

import re
from typing import Any

from pydantic import field_validator, model_validator

from genai_gitops.model.base import StrictModel

# Shapes of real credentials. A match anywhere in a data file is refused: the file is committed.
LITERAL_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an OpenAI/LiteLLM key", re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}")),
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Langfuse key", re.compile(r"\b(pk|sk)-lf-[A-Za-z0-9-]{8,}")),
    ("a JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")),
    ("a password in a URL", re.compile(r"://[^/\s:@]+:[^/\s@]+@")),
)

_STORE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_+=.@-]*$")


def literal_secret_kind(value: str) -> str | None:
    for label, pattern in LITERAL_SECRET_PATTERNS:
        if pattern.search(value):
            return label
    return None


class SecretRef(StrictModel):
    """A value in the secret store (AWS Secrets Manager through External Secrets).

    `key` is the secret-store path, `property` the JSON property inside it (optional).
    """

    key: str
    property: str | None = None

    @field_validator("key")
    @classmethod
    def _path(cls, value: str) -> str:
        if not _STORE_PATH.match(value):
            raise ValueError(
                f"{value!r} is not a secret-store path; use letters, digits and '/_+=.@-', "
                "e.g. 'genai/tenants/acme/oidc'")
        return value

    @model_validator(mode="before")
    @classmethod
    def _refuse_literals(cls, data: Any) -> Any:
        if isinstance(data, str):
            what = literal_secret_kind(data)
            shown = "this looks like " + what if what else "a literal value is not allowed here"
            raise ValueError(
                f"{shown}; secrets are never written in tenant files. Store it in AWS Secrets Manager "
                "and reference it instead: {key: genai/tenants/<id>/<name>, property: <field>}")
        return data

"""Secret references: tenant files name where a secret lives, never what it is."""

from __future__ import annotations

import re
from typing import Any

from pydantic import field_validator, model_validator

from genai_gitops.model.base import StrictModel
from genai_gitops.secretscan import secret_kind

_STORE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_+=.@-]*$")


def literal_secret_kind(value: str, field: str = "") -> str | None:
    """What a value in a data file looks like when it looks like a credential (the file is
    committed, so a match anywhere is refused); `field` is the name it is stored under."""
    return secret_kind(value, field)


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

"""Secret references: tenant files name where a secret lives, never what it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, field_validator, model_validator

from genai_gitops.model.base import StrictModel
from genai_gitops.secretscan import secret_kind

#: AWS Secrets Manager's name alphabet, as '/'-separated segments: no empty segment ('//', a leading or
#: trailing '/'), no '.' or '..' segment (names are literal in AWS, but a path that reads like a traversal
#: misleads every reviewer and every prefix check written with path semantics)
_STORE_SEGMENT = re.compile(r"^[A-Za-z0-9_+=.@-]+$")
_STORE_PATH_MAX = 512  # AWS Secrets Manager's limit for a secret name
#: the JSON property External Secrets extracts. ESO reads it as a gjson path ('.', '#', '|', '*', '?' and '@'
#: are operators there): plain names only, so a reference names one field and nothing else
_PROPERTY = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
#: where every tenant's own secrets live; the tenant's SecretStore role reads this prefix and nothing else
TENANT_SECRET_PREFIX = "genai/tenants"  # noqa: S105 - a store path, not a secret


def tenant_secret_prefix(tenant_id: str) -> str:
    """The only store prefix a tenant file may reference: 'genai/tenants/<id>/'."""
    return f"{TENANT_SECRET_PREFIX}/{tenant_id}/"


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
        segments = value.split("/")
        if len(value) > _STORE_PATH_MAX or not all(_STORE_SEGMENT.match(s) and s not in (".", "..")
                                                   for s in segments):
            raise ValueError(
                f"{value!r} is not a secret-store path; use '/'-separated names of letters, digits and '_+=.@-' "
                "(no empty, '.' or '..' segment, at most 512 characters), e.g. 'genai/tenants/acme/oidc'")
        return value

    @field_validator("property")
    @classmethod
    def _property(cls, value: str | None) -> str | None:
        if value is not None and not _PROPERTY.match(value):
            raise ValueError(
                f"{value!r} is not a property name; use 1-128 letters, digits, '_' and '-' (one JSON field of "
                "the secret, e.g. 'client_secret')")
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


def secret_refs(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, SecretRef]]:
    """Every SecretRef held by `model` (nested models and lists too), with its dotted field path."""
    for name in type(model).model_fields:
        yield from _refs_in(getattr(model, name), f"{prefix}.{name}" if prefix else name)


def _refs_in(value: Any, where: str) -> Iterator[tuple[str, SecretRef]]:
    if isinstance(value, SecretRef):
        yield where, value
    elif isinstance(value, BaseModel):
        yield from secret_refs(value, where)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _refs_in(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _refs_in(item, f"{where}.{key}")

"""Shared pydantic configuration and small value types for the data models."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from genai_gitops.model.quantity import parse_quantity


class StrictModel(BaseModel):
    # strict: "2" is not 2 and "yes" is not True; forbid: a typo'd field is an error, not ignored
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_QUANTITY = re.compile(r"^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_MINOR_VERSION = re.compile(r"^1\.(2[5-9]|3[0-7])$")


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS label; use 1-63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit")
    return value


#: the API server keeps quantities as int64 (milli-units for CPU): anything larger cannot be scheduled against
INT64_MAX = 2**63 - 1
_QUANTITY_MAX = Decimal(INT64_MAX) / 1000


def _quantity(value: str) -> str:
    if len(value) > 32 or not _QUANTITY.match(value):
        raise ValueError(f"{value!r} is not a Kubernetes quantity; write e.g. '500m', '4', '16Gi'")
    if parse_quantity(value) > _QUANTITY_MAX:
        raise ValueError(f"{value!r} is more than Kubernetes can count (int64 milli-units); write a real amount, "
                         "e.g. '64', '512Gi'")
    return value


def _k8s_minor(value: str) -> str:
    if not _MINOR_VERSION.match(value):
        raise ValueError(f"{value!r} is not a supported Kubernetes minor version; use '1.25' to '1.37'")
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
Quantity = Annotated[str, AfterValidator(_quantity)]
KubernetesVersion = Annotated[str, AfterValidator(_k8s_minor)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]

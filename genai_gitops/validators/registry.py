"""Validator names (as used by `--only`) and how to build each from the run's options."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.validators.base import Validator


@dataclass(frozen=True)
class ValidatorOptions:
    #: folders with Gatekeeper templates/constraints (policies/ layout) for the `policy` validator
    policy_paths: Sequence[Path] = field(default_factory=tuple)
    #: checkov skips with reasons (policies/checkov-skips.yaml)
    checkov_skips: Path | None = None
    #: the repository (argocd/ and dist/) for the `delivery` validator; None: found from the target's files
    repo_root: Path | None = None
    #: the cluster inventory for `delivery` when the target carries none (default REPO/clusters.yaml)
    clusters_file: Path | None = None
    #: the run's content-hash cache, for validators that cache parts of their work themselves
    cache: ResultCache = NO_CACHE


# name -> "module:Class"; each class takes ValidatorOptions in its constructor
VALIDATORS: dict[str, str] = {
    "schema": "genai_gitops.validators.schema.validator:SchemaValidator",
    "policy": "genai_gitops.validators.gatekeeper.validator:GatekeeperValidator",
    "refs": "genai_gitops.validators.refs:RefsValidator",
    "capacity": "genai_gitops.validators.capacity:CapacityValidator",
    "foundations": "genai_gitops.validators.foundations:FoundationsValidator",
    "checkov": "genai_gitops.validators.checkov:CheckovValidator",
    "isolation": "genai_gitops.validators.isolation.validator:IsolationValidator",
    "delivery": "genai_gitops.validators.delivery:DeliveryValidator",
}

#: what `validate` runs when `--only` is not given
DEFAULT_ORDER: tuple[str, ...] = tuple(VALIDATORS)


def build_validators(names: Sequence[str], options: ValidatorOptions) -> list[Validator]:
    unknown = [n for n in names if n not in VALIDATORS]
    if unknown:
        raise ValueError(f"unknown validator(s) {', '.join(unknown)}; choose from {', '.join(VALIDATORS)}")
    built: list[Validator] = []
    for name in names:
        module_name, _, class_name = VALIDATORS[name].partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        built.append(cls(options))
    return built

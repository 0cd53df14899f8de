"""Validator names (as used by `--only`) and how to build each from the run's options."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, cast

from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.validators.base import Validator

if TYPE_CHECKING:
    from genai_gitops.manifests.cached import Folder


@dataclass(frozen=True)
class ValidatorOptions:
    """Everything a run can tell its validators. Each validator declares the fields it reads
    (`Validator.options_used`) and is built with only those (see `for_validator`)."""

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
    #: the folders `check` read under dist/ (manifests.cached.load_folders), by Folder.path, for `delivery`
    #: to reuse instead of reading them again; None: it reads what it needs itself
    read_folders: Mapping[str, Folder] | None = None

    def for_validator(self, used: Sequence[str]) -> ValidatorOptions:
        """These options with only the `used` fields kept, every other one at its default: a validator
        reading a field it did not declare sees the default, so a missing declaration shows in its tests."""
        unknown = [name for name in used if name not in {f.name for f in fields(self)}]
        if unknown:
            raise ValueError(f"unknown validator option(s) {', '.join(unknown)}")
        return ValidatorOptions(**{name: getattr(self, name) for name in used})


# name -> "module:Class"; each class is a Validator taking ValidatorOptions (the fields it declares) in its
# constructor
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
        if not (isinstance(cls, type) and issubclass(cls, Validator)):
            raise TypeError(f"{VALIDATORS[name]} is not a Validator (validators/base.py)")
        # each validator's constructor takes the options (the base class declares none)
        factory = cast(Callable[[ValidatorOptions], Validator], cls)
        built.append(factory(options.for_validator(cls.options_used)))
    return built

"""Every registered validator is a Validator that declares the options it reads."""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import fields
from pathlib import Path

import pytest

from genai_gitops.validators.base import Validator
from genai_gitops.validators.registry import VALIDATORS, ValidatorOptions

OPTION_FIELDS = {f.name for f in fields(ValidatorOptions)}


def validator_class(name: str) -> type:
    module, _, cls = VALIDATORS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def options_read(path: Path) -> set[str]:
    """Fields of ValidatorOptions read as `options.<field>` or `self.options.<field>` in a module."""
    read = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in OPTION_FIELDS and ast.unparse(node.value) in (
                "options", "self.options"):
            read.add(node.attr)
    return read


@pytest.mark.parametrize("name", sorted(VALIDATORS))
def test_registered_validators_declare_what_they_read(name: str) -> None:
    cls = validator_class(name)
    assert issubclass(cls, Validator) and cls.name == name
    assert set(cls.options_used) <= OPTION_FIELDS
    assert options_read(Path(inspect.getfile(cls))) <= set(cls.options_used)


def test_the_scan_sees_an_option_read(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("class V:\n    def __init__(self, options):\n        self.a = options.policy_paths\n"
                      "        self.b = self.options.cache\n        self.c = other.repo_root\n")
    assert options_read(module) == {"policy_paths", "cache"}

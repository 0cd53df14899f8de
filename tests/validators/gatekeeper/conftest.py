"""Fixtures for the Gatekeeper engine tests: one TemplateCompiler per session, as a real run shares it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gatekeeper_fixtures import load_one

from genai_gitops.validators.gatekeeper.engine import GATOR, PolicyEngine
from genai_gitops.validators.gatekeeper.template import ConstraintTemplate, TemplateCompiler


@pytest.fixture(scope="session")
def compiler() -> TemplateCompiler:
    return TemplateCompiler()


@pytest.fixture
def engine_for(compiler: TemplateCompiler) -> Callable[..., PolicyEngine]:
    """engine_for(template, *constraints, points=(GATOR,)) -> PolicyEngine; template: a fixture path or object."""

    def build(template: str | dict[str, Any], *constraints: dict[str, Any], points: tuple[str, ...] = (GATOR,),
              kind_scopes: bool = False) -> PolicyEngine:
        engine = PolicyEngine(compiler, enforcement_points=points, kind_scopes=kind_scopes)
        obj = load_one(template) if isinstance(template, str) else template
        engine.add_template(ConstraintTemplate.from_object(obj))
        for constraint in constraints:
            engine.add_constraint(constraint)
        return engine

    return build

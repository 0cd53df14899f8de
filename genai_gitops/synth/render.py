"""Build the cdk8s App for a set of applications and turn each chart into plain objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdk8s import App

from genai_gitops.model.loader import Platform
from genai_gitops.synth.apps import AppSpec
from genai_gitops_constructs.stacks import build_stack


@dataclass(frozen=True)
class SynthInputs:
    """Everything a stack may read: the data and the policy objects to deploy."""

    platform: Platform
    policy_objects: tuple[dict[str, Any], ...] = ()


def render_apps(inputs: SynthInputs, specs: Sequence[AppSpec]) -> list[tuple[AppSpec, list[dict[str, Any]]]]:
    app = App()
    charts = [(spec, build_stack(app, spec, inputs.platform, inputs.policy_objects)) for spec in specs]
    return [(spec, list(chart.to_json())) for spec, chart in charts]

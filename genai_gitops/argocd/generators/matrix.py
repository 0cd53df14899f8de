"""The matrix generator: every combination of its two children's parameter sets.

The second child is rendered with each of the first child's parameter sets before it runs (that is
how a clusters selector can name `{{index .path.segments 1}}`). In a combination, a key both
children produce takes the first child's value; nested maps merge key by key (mergo, override).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_gitops.argocd.generators.base import (
    GeneratorContext,
    GeneratorError,
    Params,
    check_fields,
    merge_params,
    transform,
)


class MatrixGenerator:
    key = "matrix"

    def generate(self, spec: Mapping[str, Any], context: GeneratorContext, depth: int) -> list[Params]:
        where = f"{context.application_set}: matrix"
        spec = check_fields(spec, ("generators", "template"), where, required=("generators",))
        children = spec["generators"]
        if not isinstance(children, list) or len(children) != 2:
            count = len(children) if isinstance(children, list) else 0
            raise GeneratorError(f"{where}: found {count} generators, Matrix supports exactly two")
        first = transform(children[0], context, f"{where}.generators[0]", depth=depth + 1)
        combined: list[Params] = []
        for params in first:
            for second in transform(children[1], context, f"{where}.generators[1]", parent=params, depth=depth + 1):
                combined.append(merge_params(second, params))
        return combined

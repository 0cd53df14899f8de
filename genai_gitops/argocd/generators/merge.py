"""The merge generator: the first child's parameter sets, overridden by later children's matching ones.

Sets match on the values of `mergeKeys`. With goTemplate these are top-level parameter names, looked
up literally: `path.basename` names a key called "path.basename", which no generator produces (Argo
CD documents nested merge keys as unsupported with goTemplate). Sets of one child must be unique by
their merge keys; a later child's set without a match in the first is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from genai_gitops.argocd.generators.base import (
    GeneratorContext,
    GeneratorError,
    Params,
    check_fields,
    merge_key,
    merge_params,
    transform,
)


class MergeGenerator:
    key = "merge"

    def generate(self, spec: Mapping[str, Any], context: GeneratorContext, depth: int) -> list[Params]:
        where = f"{context.application_set}: merge"
        spec = check_fields(spec, ("generators", "mergeKeys", "template"), where, required=("generators",))
        children = spec["generators"]
        if not isinstance(children, list) or len(children) < 2:
            raise GeneratorError(f"{where}: found less than two generators, Merge requires two or more")
        keys = spec.get("mergeKeys") or []
        if not isinstance(keys, list) or not keys:
            raise GeneratorError(f"{where}: no merge keys were specified, Merge requires at least one")
        keys = [str(k) for k in keys]
        sets = [transform(child, context, f"{where}.generators[{i}]", depth=depth + 1)
                for i, child in enumerate(children)]
        merged = self._by_key(sets[0], keys, where, 0)
        for index, later in enumerate(sets[1:], start=1):
            for key, override in self._by_key(later, keys, where, index).items():
                if key in merged:
                    merged[key] = merge_params(merged[key], override)
        return list(merged.values())

    @staticmethod
    def _by_key(sets: Sequence[Params], keys: Sequence[str], where: str, index: int) -> dict[str, Params]:
        out: dict[str, Params] = {}
        for params in sets:
            key = merge_key(params, keys)
            if key in out:
                nested = [k for k in keys if "." in k and k not in params]
                hint = (f" (merge keys are top-level parameter names with goTemplate: {', '.join(nested)} "
                        "is looked up literally)") if nested else ""
                raise GeneratorError(
                    f"{where}.generators[{index}]: the parameters from a generator were not unique by the given "
                    f"mergeKeys, Merge requires all param sets to be unique. Duplicate key was {key}{hint}")
            out[key] = params
        return out

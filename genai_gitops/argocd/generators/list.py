"""The list generator: literal `elements` (and `elementsYaml`), one parameter set each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_gitops import safeyaml
from genai_gitops.argocd.generators.base import GeneratorContext, GeneratorError, Params, check_fields, json_value


class ListGenerator:
    key = "list"

    def generate(self, spec: Mapping[str, Any], context: GeneratorContext, depth: int) -> list[Params]:
        where = f"{context.application_set}: list"
        spec = check_fields(spec, ("elements", "elementsYaml", "template"), where)
        elements = spec.get("elements") or []
        if not isinstance(elements, list):
            raise GeneratorError(f"{where}.elements: expected a list")
        params: list[Params] = []
        for i, element in enumerate(elements):
            # with goTemplate the element is the parameter set as it is (JSON: numbers are float64)
            if not isinstance(element, Mapping):
                raise GeneratorError(f"{where}.elements[{i}]: error unmarshling list element: expected an object")
            params.append(json_value(element))
        text = spec.get("elementsYaml")
        if text:
            try:
                extra = safeyaml.load_yaml(str(text))
            except safeyaml.InputError as exc:
                raise GeneratorError(f"{where}.elementsYaml: error unmarshling decoded ElementsYaml {exc}") from None
            if not isinstance(extra, list) or not all(isinstance(e, Mapping) for e in extra):
                raise GeneratorError(f"{where}.elementsYaml: expected a YAML list of objects")
            params.extend(json_value(e) for e in extra)
        return params

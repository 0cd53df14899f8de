"""ApplicationSet generators, one per module behind one interface (`Generator`), composed by `transform`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genai_gitops.argocd.generators.base import (
    UNSUPPORTED_GENERATORS,
    Generator,
    GeneratorContext,
    GeneratorError,
    Params,
    UnsupportedGeneratorFeature,
    transform,
)
from genai_gitops.argocd.generators.clusters import ClustersGenerator
from genai_gitops.argocd.generators.git import GitGenerator
from genai_gitops.argocd.generators.list import ListGenerator
from genai_gitops.argocd.generators.matrix import MatrixGenerator
from genai_gitops.argocd.generators.merge import MergeGenerator
from genai_gitops.model.cluster import ClusterInventory

#: key in `spec.generators[]` -> generator
GENERATORS: Mapping[str, Generator] = {g.key: g for g in (
    ListGenerator(), ClustersGenerator(), GitGenerator(), MatrixGenerator(), MergeGenerator())}

__all__ = ["GENERATORS", "UNSUPPORTED_GENERATORS", "Generator", "GeneratorContext", "GeneratorError", "Params",
           "UnsupportedGeneratorFeature", "new_context", "transform"]


def new_context(repo_root: Path, inventory: ClusterInventory, *, application_set: str = "",
                cache: dict[str, Any] | None = None) -> GeneratorContext:
    """A context that knows every supported generator (what matrix and merge children may name).

    Pass one `cache` to the contexts of one preview: the working tree and the inventory are then
    read once for all ApplicationSets."""
    return GeneratorContext(repo_root=repo_root, inventory=inventory, application_set=application_set,
                            generators=GENERATORS, cache={} if cache is None else cache)

"""`cached_preview`: the Argo CD preview, keyed by argocd/ and the inventory, and kept only while
the working tree answers every read the preview made the same way (argocd/recorded.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from genai_gitops import cache_keys
from genai_gitops.argocd.preview import PreviewApp, preview
from genai_gitops.argocd.recorded import RecordedPreview, recorded_preview
from genai_gitops.cache import ResultCache
from genai_gitops.manifests.cached import Folder
from genai_gitops.model.cluster import ClusterInventory

PREVIEW_NAMESPACE = cache_keys.DELIVERY_PREVIEW


def cached_preview(root: Path, inventory: ClusterInventory, argocd: Sequence[Folder], cache: ResultCache, *,
                   non_empty: Mapping[str, bool] | None = None) -> list[PreviewApp]:
    """`preview(root, inventory)`, from `cache` when nothing it read changed. `argocd`: the manifest
    folders of root/argocd/ (load_folders); `non_empty`: folders (repository paths) known to hold
    files or not, to spare testing them again."""
    if not cache.enabled:
        return preview(root, inventory)
    key = cache_keys.preview(root=str(root), inventory=inventory.model_dump_json(),
                             argocd_folders=(f.key for f in argocd))
    entry = cache.get(PREVIEW_NAMESPACE, key)
    if entry is not None:
        try:
            kept = RecordedPreview.from_json(entry)
            if kept.still_valid(root, non_empty=non_empty):
                return kept.apps
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an entry of another shape: preview again
    recorded = recorded_preview(root, inventory)
    if recorded.reads is not None:
        with contextlib.suppress(TypeError, ValueError):  # something JSON cannot hold: previewed again next time
            cache.put(PREVIEW_NAMESPACE, key, recorded.to_json())
    return recorded.apps

"""A preview with the record of what it read from the working tree, to keep and check again later.

A preview is a function of argocd/, the inventory, and what the generators read from the working
tree (the git generator: folder walks, empty-folder tests, file listings and the listed files'
contents). A caller that keeps a preview (the delivery check's cache) keys it by the first two and
keeps the record of the third: `RecordedPreview.still_valid` says whether the tree still answers
every read the same way, so the kept Applications are what a new preview would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from genai_gitops.argocd.generators import clusters, git
from genai_gitops.argocd.preview import PreviewApp, preview
from genai_gitops.model.cluster import ClusterInventory

_FIELDS = fields(PreviewApp)
#: generator memo entries read from the inventory alone (which a caller's key holds): nothing to check again
_FROM_INVENTORY = frozenset({clusters.MEMO_KEY})


@dataclass(frozen=True)
class RecordedPreview:
    apps: list[PreviewApp]
    #: what the generators read from the working tree (JSON); None when they read something that
    #: cannot be checked again (then the preview must not be kept)
    reads: Mapping[str, Any] | None

    def still_valid(self, repo_root: Path, *, non_empty: Mapping[str, bool] | None = None) -> bool:
        """Whether the working tree still answers every read the same way (False when not recorded).
        `non_empty`: folders (repository paths) the caller knows to hold files or not, to spare testing
        them again. KeyError, TypeError or ValueError on a record of another shape."""
        if self.reads is None:
            return False
        return git.reads_unchanged(self.reads["git"], repo_root, non_empty=non_empty or {})

    def to_json(self) -> dict[str, Any]:
        # the fields as they are (asdict would deep-copy every spec only for json.dumps to read it)
        return {"apps": [{f.name: getattr(app, f.name) for f in _FIELDS} for app in self.apps], "reads": self.reads}

    @classmethod
    def from_json(cls, data: Any) -> RecordedPreview:
        """What `to_json` wrote; KeyError, TypeError or ValueError when `data` has another shape."""
        reads = data["reads"]
        if reads is not None and not isinstance(reads, Mapping):
            raise ValueError("expected the reads as an object")
        return cls([PreviewApp(**item) for item in data["apps"]], reads)


def recorded_preview(repo_root: Path, inventory: ClusterInventory) -> RecordedPreview:
    """`preview(repo_root, inventory)` and the record of what it read from the working tree."""
    memo: dict[str, Any] = {}
    apps = preview(repo_root, inventory, memo=memo)
    return RecordedPreview(apps, _record(memo, repo_root))


def _record(memo: Mapping[str, Any], repo_root: Path) -> dict[str, Any] | None:
    unknown = [key for key in memo if not key.startswith(git.MEMO_PREFIX) and key not in _FROM_INVENTORY]
    if unknown:
        return None  # a generator memoised a read this does not know how to check again
    record = git.record_reads(memo, repo_root)
    return None if record is None else {"git": record}

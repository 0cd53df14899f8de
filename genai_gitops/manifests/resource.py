"""A Kubernetes object together with where it was read from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Resource:
    """One object of a manifest file: the parsed body plus file and 1-based line of its document."""

    obj: dict[str, Any]
    file: str
    line: int = 1
    #: content digest of the file the object came from (cache keys are built from it)
    digest: str = ""

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.obj.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name", ""))

    @property
    def namespace(self) -> str:
        return str(self.metadata.get("namespace", "") or "")

    @property
    def labels(self) -> dict[str, str]:
        labels = self.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> dict[str, str]:
        annotations = self.metadata.get("annotations")
        return annotations if isinstance(annotations, dict) else {}

    @property
    def group(self) -> str:
        """API group ('' for the core group)."""
        return self.api_version.rpartition("/")[0]

    @property
    def signature(self) -> tuple[str, str, str, str]:
        """(apiVersion, kind, namespace, name): how resources are indexed, as kubeconform does."""
        return (self.api_version, self.kind, self.namespace, self.name)

    def describe(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {ns}{self.name}"


class DeferredResources(Sequence["Resource"], ABC):
    """Resources read on first use, which can tell the run's summary what they hold without being read
    (manifests/cached.py: LazyResources). A plain list of resources is read already."""

    @property
    @abstractmethod
    def loaded(self) -> bool:
        """Whether the resources were read (parsed) in this run."""

    @abstractmethod
    def file_names(self) -> list[str]:
        """Every file the resources come from, read or not."""

    @abstractmethod
    def resource_count(self) -> int:
        """How many objects the files hold, without reading them when that is known."""

    @abstractmethod
    def cached_file_count(self) -> int:
        """How many of the files were not read and parsed again in this run."""

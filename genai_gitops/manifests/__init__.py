"""Reading Kubernetes manifests (YAML/JSON trees) into located resources."""

from genai_gitops.manifests.resource import Resource
from genai_gitops.manifests.reader import ManifestSet, read_paths, read_text

__all__ = ["ManifestSet", "Resource", "read_paths", "read_text"]

"""Reading Kubernetes manifests (YAML/JSON trees) into located resources."""

from genai_gitops.manifests.reader import ManifestSet, read_paths, read_text
from genai_gitops.manifests.resource import Resource

__all__ = ["ManifestSet", "Resource", "read_paths", "read_text"]

"""genai-gitops: data files in, reviewed GitOps manifests out."""

__version__ = "0.1.0"

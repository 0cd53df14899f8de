"""Tenants and clusters as validated data: the single input of every synth and check."""

from genai_gitops.model.cluster import ClusterInventory, ClusterSpec
from genai_gitops.model.errors import ModelError, Problem
from genai_gitops.model.loader import Platform, load_platform
from genai_gitops.model.tenant import TenantSpec, UsageMode

__all__ = ["ClusterInventory", "ClusterSpec", "ModelError", "Platform", "Problem", "TenantSpec",
           "UsageMode", "load_platform"]

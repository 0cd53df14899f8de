"""Tenant network isolation, proven with network-config-analyzer (nca) one tenant namespace at a time.

workspace     what nca reads for one tenant (its pods and policies, stand-ins for shared peers and
              other tenants); hashable, with a content fingerprint
analysis      `analyse(workspace)`: run nca in-process, parse its connectivity (pure, cacheable);
              `analyse_all` spreads many workspaces over a process pool
classes       workspaces alike up to the tenant's names and own address blocks: nca runs once per class
              (`ClassAnalyser`), the analysis mapped back to every member
connectivity  Endpoint/Connection, exact set arithmetic over ports and addresses, `connectivity_diff`
check         one tenant's analysis -> findings (cross-tenant, undeclared, missing, default deny)
validator     IsolationValidator, the `isolation` validator
"""

from genai_gitops.validators.isolation.analysis import NamespaceAnalysis, analyse, analyse_all
from genai_gitops.validators.isolation.connectivity import (
    AddressBook,
    Connection,
    ConnectivityMap,
    Endpoint,
    connectivity_diff,
)
from genai_gitops.validators.isolation.validator import IsolationValidator, analyse_target
from genai_gitops.validators.isolation.workspace import TenantWorkspace, Workspace, build_workspaces

__all__ = [
    "AddressBook",
    "Connection",
    "ConnectivityMap",
    "Endpoint",
    "IsolationValidator",
    "NamespaceAnalysis",
    "TenantWorkspace",
    "Workspace",
    "analyse",
    "analyse_all",
    "analyse_target",
    "build_workspaces",
    "connectivity_diff",
]

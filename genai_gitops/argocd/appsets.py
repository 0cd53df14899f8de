"""The ApplicationSets that turn every `dist/<cluster>/<app>/` folder into one Application.

They are static: generators discover folders (git directories) and match each folder's cluster
segment to an Argo CD cluster secret (clusters generator, labelled from the inventory), so adding
or removing a tenant changes dist/ only, never argocd/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from genai_gitops.model.apps import (
    ARGOCD_NAMESPACE,
    CLUSTER_LABEL,
    ENVIRONMENT_LABEL,
    PLATFORM_PROJECT,
    WAVES,
    AppKind,
)
from genai_gitops.model.cluster import ENVIRONMENT_ORDER, ClusterInventory

_CLUSTER = "{{index .path.segments 1}}"

#: What an Application reads from its folder: exactly what `check` reads. Argo CD (v3.5) reads every
#: `*.yaml|yml|json|jsonnet` of a directory app, hidden files and links inside the repository too,
#: and renders a folder holding `kustomization.yaml` or `Chart.yaml` as Kustomize or Helm unless the
#: source type is explicit. A `directory` with recurse off and no Jsonnet options is dropped as empty
#: (util/argo NormalizeSource) unless it has include/exclude globs: these keep it, which forces the
#: directory type, and limit the files to non-hidden YAML/JSON (gobwas globs on the path relative to
#: the app folder). The check makes any other file a finding (genai_gitops/tree.py).
DIRECTORY_SOURCE = {"recurse": False, "include": "*.{yaml,yml,json}", "exclude": ".*"}
_APP = "{{.path.basename}}"


@dataclass(frozen=True)
class AppSetLayout:
    kind: AppKind
    directories: tuple[str, ...]
    excludes: tuple[str, ...] = ()
    #: destination namespace (Go template)
    namespace: str = ""
    #: project (Go template)
    project: str = PLATFORM_PROJECT
    #: True: the Application's objects go to Argo CD's own cluster (Applications, AppProjects)
    control_plane: bool = False
    sync_options: tuple[str, ...] = ()


LAYOUTS: tuple[AppSetLayout, ...] = (
    AppSetLayout(AppKind.PROJECTS, ("dist/*/projects",), namespace=ARGOCD_NAMESPACE, control_plane=True),
    AppSetLayout(AppKind.ADDONS, ("dist/*/addons",), namespace=ARGOCD_NAMESPACE, control_plane=True),
    # ConstraintTemplates create the constraint CRDs in the same sync; those objects carry
    # SkipDryRunOnMissingResource themselves. Gatekeeper/ESO CRDs are large: server-side apply.
    AppSetLayout(AppKind.CLUSTER_CONFIG, ("dist/*/cluster-config",), sync_options=("ServerSideApply=true",)),
    AppSetLayout(AppKind.CENTRAL, ("dist/*/central",), namespace="genai-platform",
                 sync_options=("ServerSideApply=true",)),
    AppSetLayout(AppKind.GUARDRAILS, ("dist/*/tenant-*-guardrails",),
                 namespace='{{trimSuffix "-guardrails" .path.basename}}'),
    # the namespace exists already (guard rails, wave 0): never let a tenant app create one
    AppSetLayout(AppKind.TENANT, ("dist/*/tenant-*",), excludes=("dist/*/tenant-*-guardrails",),
                 namespace=_APP, project=_APP, sync_options=("CreateNamespace=false", "PruneLast=true")),
)


def appset_name(kind: AppKind) -> str:
    return f"genai-{kind.value}"


def application_set(layout: AppSetLayout, inventory: ClusterInventory) -> dict[str, Any]:
    repo, revision = inventory.gitops.repo_url, inventory.gitops.revision
    directories: list[dict[str, Any]] = [{"path": p} for p in layout.directories]
    directories += [{"path": p, "exclude": True} for p in layout.excludes]
    destination = ({"name": "in-cluster", "namespace": layout.namespace} if layout.control_plane
                   else {"name": "{{.name}}", "namespace": layout.namespace})
    wave = str(WAVES[layout.kind])
    environment = f'{{{{index .metadata.labels "{ENVIRONMENT_LABEL}"}}}}'
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": appset_name(layout.kind), "namespace": ARGOCD_NAMESPACE,
                     "annotations": {"argocd.argoproj.io/sync-wave": wave}},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"matrix": {"generators": [
                {"git": {"repoURL": repo, "revision": revision, "directories": directories}},
                # the folder's cluster segment picks exactly one cluster secret
                {"clusters": {"selector": {"matchLabels": {CLUSTER_LABEL: _CLUSTER}}}},
            ]}}],
            "strategy": {"type": "RollingSync", "rollingSync": {"steps": [
                {"matchExpressions": [{"key": "environment", "operator": "In", "values": [env.value]}]}
                for env in ENVIRONMENT_ORDER]}},
            "syncPolicy": {"applicationsSync": "create-delete", "preserveResourcesOnDeletion": True},
            "template": {
                "metadata": {
                    "name": f"{_CLUSTER}-{_APP}",
                    "labels": {"environment": environment, "cluster": _CLUSTER,
                               "app-kind": layout.kind.value},
                    "annotations": {"argocd.argoproj.io/sync-wave": wave},
                    "finalizers": ["resources-finalizer.argocd.argoproj.io"],
                },
                "spec": {
                    "project": layout.project,
                    "source": {"repoURL": repo, "targetRevision": revision, "path": "{{.path.path}}",
                               "directory": dict(DIRECTORY_SOURCE)},
                    "destination": destination,
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": list(layout.sync_options),
                        "retry": {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}},
                    },
                    "revisionHistoryLimit": 10,
                },
            },
        },
    }


def platform_project(inventory: ClusterInventory, chart_repos: Iterable[str]) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": PLATFORM_PROJECT, "namespace": ARGOCD_NAMESPACE,
                     "annotations": {"argocd.argoproj.io/sync-wave": "-10"},
                     "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
        "spec": {
            "description": "Central stacks, cluster add-ons, cluster config and every tenant's guard rails",
            # add-on charts come from their upstream Helm repositories (the constructs' versions.py pins each)
            "sourceRepos": [inventory.gitops.repo_url, *sorted(set(chart_repos))],
            "destinations": [{"name": c.argocd.name, "namespace": "*"} for c in sorted(
                inventory.clusters, key=lambda c: c.name)],
            "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
            "orphanedResources": {"warn": True},
        },
    }


def root_application(inventory: ClusterInventory) -> dict[str, Any]:
    """The app of apps an operator applies once per Argo CD instance."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "genai-gitops-root", "namespace": ARGOCD_NAMESPACE,
                     "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
        "spec": {
            "project": "default",
            "source": {"repoURL": inventory.gitops.repo_url, "targetRevision": inventory.gitops.revision,
                       "path": "argocd/apps", "directory": dict(DIRECTORY_SOURCE)},
            "destination": {"name": "in-cluster", "namespace": ARGOCD_NAMESPACE},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                           "retry": {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}}},
        },
    }

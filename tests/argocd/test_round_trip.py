"""preview(appsets(plan)) == plan: the ApplicationSets the synth writes, rendered by the offline preview
(generators and the Go template engine), yield exactly the planned Applications - no more, no fewer,
and each with the name, project, destination, path, wave, labels, source and sync options its plan
entry stands for.

On the fixture repository (a real synth) and on bench repositories (bench/generate.py: 10 customer
clusters and a central one, tenants in all three usage modes). The bench ones get argocd/ from the
synth's own writer and one file in each planned dist/ folder: the git generator sees folders, not
their contents, and a full synth of 50 tenants would take minutes for nothing more.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_gitops.argocd.appsets import DIRECTORY_SOURCE, LAYOUTS, appset_name
from genai_gitops.argocd.preview import RESOURCES_FINALIZER, PreviewApp, preview, render_applications
from genai_gitops.model.apps import ARGOCD_NAMESPACE, AppSpec, plan_apps
from genai_gitops.model.loader import Platform, load_platform
from genai_gitops.synth.argocd import write_argocd

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

LAYOUT = {layout.kind: layout for layout in LAYOUTS}


def planned(app: AppSpec, platform: Platform) -> dict[str, Any]:
    """What the plan says the Application for `app` is, in the preview's terms."""
    cluster = platform.cluster(app.cluster)
    layout = LAYOUT[app.kind]
    gitops = platform.inventory.gitops
    return {
        "name": f"{app.cluster}-{app.name}", "application_set": appset_name(app.kind), "project": app.project,
        "cluster": "in-cluster" if layout.control_plane else cluster.argocd.name, "namespace": app.namespace,
        "path": f"dist/{app.path}", "sync_wave": app.wave,
        "labels": {"environment": cluster.environment.value, "cluster": app.cluster, "app-kind": app.kind.value},
        "source": {"repoURL": gitops.repo_url, "targetRevision": gitops.revision, "path": f"dist/{app.path}",
                   "directory": DIRECTORY_SOURCE},
        "sync_options": list(layout.sync_options),
    }


def previewed(app: PreviewApp) -> dict[str, Any]:
    return {
        "name": app.name, "application_set": app.application_set, "project": app.project, "cluster": app.cluster,
        "namespace": app.namespace, "path": app.path, "sync_wave": app.sync_wave, "labels": dict(app.labels),
        "source": app.spec["source"], "sync_options": app.spec["syncPolicy"]["syncOptions"],
    }


def assert_round_trip(root: Path) -> list[PreviewApp]:
    platform = load_platform(root / "tenants", root / "clusters.yaml")
    apps = preview(root, platform.inventory)
    assert [previewed(a) for a in apps] == sorted((planned(a, platform) for a in plan_apps(platform)),
                                                  key=lambda p: p["name"])
    for app in apps:
        # the wave as the annotation Argo CD orders by; nothing left unrendered
        assert app.annotations == {"argocd.argoproj.io/sync-wave": str(app.sync_wave)}
        assert "{{" not in repr(app.spec)
    return apps


def bench_repo(root: Path, tenants: int) -> Path:
    bench.generate(tenants, root)
    platform = load_platform(root / "tenants", root / "clusters.yaml")
    plan = plan_apps(platform)
    write_argocd(platform, plan, root / "argocd")
    for app in plan:
        folder = root / "dist" / app.cluster / app.name
        folder.mkdir(parents=True)
        (folder / "ConfigMap-x.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    return root


def test_the_fixture_repository_round_trips(synthesized: Path) -> None:
    assert len(assert_round_trip(synthesized)) == 15


@pytest.mark.parametrize("tenants", [10, 50])
def test_bench_repositories_round_trip(tmp_path: Path, tenants: int) -> None:
    root = bench_repo(tmp_path / "bench", tenants)
    apps = assert_round_trip(root)
    platform = load_platform(root / "tenants", root / "clusters.yaml")
    assert {t.usage_mode.value for t in platform.tenants} == {"local", "external", "hybrid"}
    # every customer cluster with tenants: projects, addons, cluster-config, two per tenant; central: + central
    assert len(apps) == 2 * tenants + 3 * 10 + 3


def test_a_full_application_object(tmp_path: Path) -> None:
    """One generated Application in full, as the controller would create it."""
    root = bench_repo(tmp_path / "bench", 3)
    platform = load_platform(root / "tenants", root / "clusters.yaml")
    tenant = next(a for a in plan_apps(platform) if a.kind.value == "tenant")
    appset = yaml.safe_load((root / "argocd/apps/applicationset-genai-tenant.yaml").read_text())
    apps = {a["metadata"]["name"]: a for a in render_applications(appset, root, platform.inventory)}
    gitops = platform.inventory.gitops
    assert apps[f"{tenant.cluster}-{tenant.name}"] == {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": f"{tenant.cluster}-{tenant.name}", "namespace": ARGOCD_NAMESPACE,
                     "labels": {"environment": "prod", "cluster": tenant.cluster, "app-kind": "tenant"},
                     "annotations": {"argocd.argoproj.io/sync-wave": "1"}, "finalizers": [RESOURCES_FINALIZER]},
        "spec": {
            "project": tenant.project,
            "source": {"repoURL": gitops.repo_url, "targetRevision": gitops.revision,
                       "path": f"dist/{tenant.path}", "directory": DIRECTORY_SOURCE},
            "destination": {"name": tenant.cluster, "namespace": tenant.namespace},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                           "syncOptions": ["CreateNamespace=false", "PruneLast=true"],
                           "retry": {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}}},
            "revisionHistoryLimit": 10,
        },
    }

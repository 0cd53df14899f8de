"""Argo CD sync phases inside one Application: hooks and waves as Argo CD orders them.

Argo CD applies an Application's resources in phases: PreSync hooks, then the Sync phase wave by wave
(lowest `argocd.argoproj.io/sync-wave` first, each wave healthy before the next), then PostSync hooks
once every resource of the sync is healthy. Two mistakes follow from that order:

- `hook-waits-for-unrelated`: a PostSync hook in an Application that runs several workloads waits
  for all of them to become healthy (a GPU workload without a node, another component's failing Job),
  however little it needs; give it its own Application or make it a Job/CronJob that waits for the
  one dependency it has;
- `applied-before-its-inputs`: a pod that reads a Secret or ConfigMap this Application delivers in a
  later wave, or a PreSync hook that reads one at all (PreSync runs before any Sync-phase resource
  exists on the first sync), starts before what it needs and hangs or fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from genai_gitops.manifests import Resource
from genai_gitops.manifests.pods import pod_spec
from genai_gitops.report.finding import Finding

HOOK = "argocd.argoproj.io/hook"
WAVE = "argocd.argoproj.io/sync-wave"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")
POD_OWNERS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet")


def _annotations(res: Resource) -> Mapping[str, Any]:
    meta = res.obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, Mapping) else None
    return annotations if isinstance(annotations, Mapping) else {}


def _hooks(res: Resource) -> set[str]:
    return {h.strip() for h in str(_annotations(res).get(HOOK, "")).split(",") if h.strip()}


def _wave(res: Resource) -> int:
    try:
        return int(str(_annotations(res).get(WAVE, "0")).strip())
    except ValueError:
        return 0  # the schema validator reports malformed annotations; Argo CD treats them as 0


def _pod_spec(res: Resource) -> Mapping[str, Any] | None:
    return pod_spec(res) if res.kind in ("Pod", "CronJob", *POD_OWNERS) else None


def _inputs(pod: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """("Secret"|"ConfigMap", name) for everything the pod's containers and volumes read."""
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    for container in containers:
        if not isinstance(container, Mapping):
            continue
        for var in container.get("env", []) or []:
            source = var.get("valueFrom", {}) if isinstance(var, Mapping) else {}
            for key, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                ref = source.get(key) if isinstance(source, Mapping) else None
                if isinstance(ref, Mapping) and ref.get("name") and not ref.get("optional"):
                    yield kind, str(ref["name"])
        for source in container.get("envFrom", []) or []:
            for key, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                ref = source.get(key) if isinstance(source, Mapping) else None
                if isinstance(ref, Mapping) and ref.get("name") and not ref.get("optional"):
                    yield kind, str(ref["name"])
    for volume in pod.get("volumes", []) or []:
        if not isinstance(volume, Mapping):
            continue
        secret, config_map = volume.get("secret"), volume.get("configMap")
        if isinstance(secret, Mapping) and secret.get("secretName") and not secret.get("optional"):
            yield "Secret", str(secret["secretName"])
        if isinstance(config_map, Mapping) and config_map.get("name") and not config_map.get("optional"):
            yield "ConfigMap", str(config_map["name"])


def _produced(objects: Sequence[Resource]) -> dict[tuple[str, str, str], Resource]:
    """(namespace, kind, name) -> the object of this Application that creates that Secret or ConfigMap."""
    out: dict[tuple[str, str, str], Resource] = {}
    for res in objects:
        if res.kind in ("Secret", "ConfigMap"):
            out[(res.namespace, res.kind, res.name)] = res
        elif res.kind == "ExternalSecret":
            spec = res.obj.get("spec", {})
            target = spec.get("target", {}) if isinstance(spec, Mapping) else {}
            name = (target.get("name") if isinstance(target, Mapping) else None) or res.name
            out[(res.namespace, "Secret", str(name))] = res
    return out


def sync_phase_findings(app: str, objects: Sequence[Resource], validator: str,
                        default_namespace: str = "") -> list[Finding]:
    out: list[Finding] = []
    workloads = sorted({res.name for res in objects if res.kind in WORKLOADS and not _hooks(res)})
    produced = _produced(objects)
    for res in objects:
        hooks = _hooks(res)
        if "PostSync" in hooks and len(workloads) > 1:
            shown = ", ".join(workloads[:6]) + (f" and {len(workloads) - 6} more" if len(workloads) > 6 else "")
            out.append(Finding.about(
                res, validator=validator, rule="hook-waits-for-unrelated",
                message=f"{res.describe()} is a PostSync hook of Application {app}: Argo CD runs it only after "
                        f"every resource of the sync is healthy, so it waits for all {len(workloads)} workloads "
                        f"({shown}); give it its own Application, or make it a Job or CronJob that waits for the "
                        "one thing it needs"))
        pod = _pod_spec(res)
        if pod is None or "PostSync" in hooks:
            continue
        namespace = res.namespace or default_namespace
        for kind, name in sorted(set(_inputs(pod))):
            provider = produced.get((namespace, kind, name))
            if provider is None or provider is res:
                continue
            if "PreSync" in hooks and "PreSync" not in _hooks(provider):
                out.append(Finding.about(
                    res, validator=validator, rule="applied-before-its-inputs",
                    message=f"{res.describe()} is a PreSync hook of Application {app} and reads {kind} {name}, which "
                            f"{provider.describe()} creates in the Sync phase: on the first sync it does not exist "
                            "yet; make the hook a Sync hook in a later wave"))
            elif not hooks - {"Sync"} and not _hooks(provider) and _wave(provider) > _wave(res):
                out.append(Finding.about(
                    res, validator=validator, rule="applied-before-its-inputs",
                    message=f"{res.describe()} (sync wave {_wave(res)} of Application {app}) reads {kind} {name}, "
                            f"which {provider.describe()} creates in sync wave {_wave(provider)}; move it to wave "
                            f"{_wave(provider)} or later"))
    return out

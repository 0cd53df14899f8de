"""Build the cdk8s App for a set of applications and turn each chart into named YAML documents.

Rendering runs in the calling process for small repositories and in spawned worker processes
(each with its own jsii kernel) for large ones; both give the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from genai_gitops import pools
from genai_gitops.manifests.scope import is_cluster_scoped
from genai_gitops.model.apps import AppSpec
from genai_gitops.model.loader import Platform
from genai_gitops.pools import StartMethod
from genai_gitops.synth import jsii_wire
from genai_gitops.synth.typing_cache import widen_typing_caches
from genai_gitops.synth.writer import dump_json_tree, file_name

#: below this many apps, starting workers (about 1 s each) costs more than it saves
PARALLEL_THRESHOLD = 120
#: apps per task: small enough to balance, large enough to amortise the per-task App
CHUNK = 40
#: tasks before a worker is replaced: each replacement re-imports cdk8s-plus (~2-3 s), each task
#: grows the worker's jsii kernel; 40 x 40 apps keeps a worker under ~1 GiB
MAX_TASKS_PER_WORKER = 40


@dataclass(frozen=True)
class SynthInputs:
    """Everything a stack may read: the data and the policy objects to deploy."""

    platform: Platform
    policy_objects: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class RenderedApp:
    spec: AppSpec
    #: (file name, YAML text), in the chart's object order
    files: tuple[tuple[str, str], ...]


def render_apps(inputs: SynthInputs, specs: Sequence[AppSpec]) -> list[RenderedApp]:
    from cdk8s import App  # imported here: the parent of a parallel synth never starts a jsii kernel

    from genai_gitops_constructs.stacks import build_stack

    widen_typing_caches()  # before the bindings read struct properties: a third of the render's Python time
    jsii_wire.install()  # one walk instead of two per call's arguments, same request bytes
    app = App()
    charts = [(spec, build_stack(app, spec, inputs.platform, inputs.policy_objects)) for spec in specs]
    rendered = []
    for spec, chart in charts:
        taken: set[str] = set()
        objects = [_without_stray_namespace(obj) for obj in chart.to_json()]
        rendered.append(RenderedApp(spec, tuple((file_name(obj, taken), dump_json_tree(obj)) for obj in objects)))
    return rendered


def _without_stray_namespace(obj: dict[str, Any]) -> dict[str, Any]:
    """cdk8s gives every object of a namespaced chart its namespace, Namespaces included; a
    cluster-scoped object must not carry one (namespace selectors would not find it)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "namespace" in meta and is_cluster_scoped(obj.get("apiVersion", ""),
                                                                            obj.get("kind", "")):
        del meta["namespace"]
    return obj


#: a worker's inputs, received once when it starts (not once per task: unpickling the platform of
#: 1,000 tenants costs ~0.2 s, and every task would also rebuild what the platform caches)
_worker_inputs: SynthInputs | None = None


def _worker_init(inputs: SynthInputs) -> None:
    from genai_gitops.jsii_node import use_bundled_node

    global _worker_inputs
    use_bundled_node()
    _worker_inputs = inputs


def _render_chunk(specs: Sequence[AppSpec]) -> list[RenderedApp]:
    assert _worker_inputs is not None, "_worker_init did not run"
    return render_apps(_worker_inputs, specs)


def render_parallel(inputs: SynthInputs, specs: Sequence[AppSpec], workers: int) -> list[RenderedApp]:
    chunks = [list(specs[i:i + CHUNK]) for i in range(0, len(specs), CHUNK)]
    # spawn, not fork: a forked child would share the parent's jsii pipes. The children start
    # with -O (PYTHONOPTIMIZE) because jsii's bindings type-check every call under __debug__.
    previous = os.environ.get("PYTHONOPTIMIZE")
    os.environ["PYTHONOPTIMIZE"] = "1"
    try:
        # a Pool (pools.pool): replacing workers bounds the memory a long-lived jsii kernel accumulates
        with pools.pool(StartMethod.SPAWN, workers, initializer=_worker_init, initargs=(inputs,),
                        max_tasks_per_child=MAX_TASKS_PER_WORKER) as pool:
            results = pools.watched_map(pool, _render_chunk, chunks)
            return [app for chunk in results for app in chunk]
    finally:
        if previous is None:
            os.environ.pop("PYTHONOPTIMIZE", None)
        else:
            os.environ["PYTHONOPTIMIZE"] = previous


def render(inputs: SynthInputs, specs: Sequence[AppSpec], workers: int | None = None) -> list[RenderedApp]:
    if not specs:
        return []  # nothing to render: do not start a jsii kernel (argocd/ alone needs none)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if workers > 1 and len(specs) >= PARALLEL_THRESHOLD:
        return render_parallel(inputs, specs, workers)
    return render_apps(inputs, specs)

"""Build the cdk8s App for a set of applications and turn each chart into named YAML documents.

Rendering runs in the calling process for small repositories and in spawned worker processes
(each with its own jsii kernel) for large ones; both give the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.pool import Pool
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


def _booted_worker(ready: Any, inputs_path: str) -> None:
    """A prestarted worker: boots while the caller loads the data, then waits for the inputs' file."""
    from genai_gitops.jsii_node import use_bundled_node

    global _worker_inputs
    use_bundled_node()
    # the slow part of a start: cdk8s and cdk8s-plus loaded into this worker's jsii kernel
    import cdk8s_plus_28  # noqa: F401

    import genai_gitops_constructs.stacks  # noqa: F401

    ready.wait()
    # written by this run's own parent into its private (0700) folder, as trusted as the Pool's own pipes
    with open(inputs_path, "rb") as handle:
        _worker_inputs = pickle.load(handle)  # noqa: S301


class RenderWorkers:
    """Render workers started before their inputs exist: each imports cdk8s and starts its jsii kernel
    (about 2 s) while the caller loads tenants and reads dist/. `render(..., started=...)` hands them the
    inputs; `close()` stops them whether or not they rendered anything."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._folder = tempfile.mkdtemp(prefix="genai-gitops-render-")  # 0700: only this user reads the inputs
        self._inputs_path = os.path.join(self._folder, "inputs.pickle")
        self._ready = pools.context(StartMethod.SPAWN).Event()
        self._given = False
        with _optimised():
            # replacement workers (max_tasks_per_child) boot the same way and find the inputs written
            self.pool = pools.pool(StartMethod.SPAWN, workers, initializer=_booted_worker,
                                   initargs=(self._ready, self._inputs_path), max_tasks_per_child=MAX_TASKS_PER_WORKER)

    def give(self, inputs: SynthInputs) -> None:
        if self._given:
            raise RuntimeError("the prestarted render workers already have their inputs")
        fd = os.open(self._inputs_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(inputs, handle, protocol=pickle.HIGHEST_PROTOCOL)
        self._given = True
        self._ready.set()

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> RenderWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _optimised() -> Iterator[None]:
    """Spawned children start with -O (PYTHONOPTIMIZE): jsii's bindings type-check every call under __debug__."""
    previous = os.environ.get("PYTHONOPTIMIZE")
    os.environ["PYTHONOPTIMIZE"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PYTHONOPTIMIZE", None)
        else:
            os.environ["PYTHONOPTIMIZE"] = previous


def _chunks(specs: Sequence[AppSpec]) -> list[list[AppSpec]]:
    return [list(specs[i:i + CHUNK]) for i in range(0, len(specs), CHUNK)]


def _rendered(pool: Pool, specs: Sequence[AppSpec]) -> list[RenderedApp]:
    return [app for chunk in pools.watched_map(pool, _render_chunk, _chunks(specs)) for app in chunk]


def render_parallel(inputs: SynthInputs, specs: Sequence[AppSpec], workers: int) -> list[RenderedApp]:
    # spawn, not fork: a forked child would share the parent's jsii pipes
    # a Pool (pools.pool): replacing workers bounds the memory a long-lived jsii kernel accumulates
    with _optimised(), pools.pool(StartMethod.SPAWN, workers, initializer=_worker_init, initargs=(inputs,),
                                  max_tasks_per_child=MAX_TASKS_PER_WORKER) as pool:
        return _rendered(pool, specs)


def render(inputs: SynthInputs, specs: Sequence[AppSpec], workers: int | None = None,
           started: RenderWorkers | None = None) -> list[RenderedApp]:
    """`started`: workers the caller prestarted, used when this render runs in parallel on as many workers."""
    if not specs:
        return []  # nothing to render: do not start a jsii kernel (argocd/ alone needs none)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if workers > 1 and len(specs) >= PARALLEL_THRESHOLD:
        if started is not None and started.workers == workers:
            started.give(inputs)
            return _rendered(started.pool, specs)
        return render_parallel(inputs, specs, workers)
    return render_apps(inputs, specs)

"""Render workers started before their inputs exist render exactly what one process renders."""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path

import pytest

from genai_gitops.model.apps import plan_apps
from genai_gitops.model.loader import load_platform
from genai_gitops.synth import policy_objects
from genai_gitops.synth.render import RenderWorkers, SynthInputs

# the module (the package's `render` attribute is the function of the same name)
render = importlib.import_module("genai_gitops.synth.render")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_prestarted_workers_render_what_one_process_renders(fixture_repo: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    platform = load_platform(fixture_repo / "tenants", fixture_repo / "clusters.yaml")
    inputs = SynthInputs(platform, policy_objects(REPO / "policies"))
    specs = plan_apps(platform)[:6]
    expected = render.render_apps(inputs, specs)
    monkeypatch.setattr(render, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(render, "CHUNK", 2)
    # every worker retires after one chunk: the replacements boot the same way and find the inputs too
    monkeypatch.setattr(render, "MAX_TASKS_PER_WORKER", 1)
    with RenderWorkers(2) as workers:
        got = render.render(inputs, specs, 2, workers)
        folder = Path(workers._inputs_path).parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(os.stat(workers._inputs_path).st_mode) == 0o600
        with pytest.raises(RuntimeError, match="already have their inputs"):
            workers.give(inputs)
    assert got == expected
    assert not folder.exists()


def test_unused_workers_stop(tmp_path: Path) -> None:
    """Workers never given inputs (a check that renders too little, or fails first) are stopped on close."""
    workers = RenderWorkers(2)
    processes = list(workers.pool._pool)  # type: ignore[attr-defined]
    folder = Path(workers._inputs_path).parent
    workers.close()
    assert all(not p.is_alive() for p in processes)
    assert not folder.exists()


def test_a_render_on_other_workers_leaves_them_unused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Too few apps for a parallel render, or another worker count: the render runs as it would alone."""
    calls: list[str] = []

    def here(inputs: object, specs: object) -> list:
        calls.append("here")
        return []

    def parallel(inputs: object, specs: object, workers: int) -> list:
        calls.append("parallel")
        return []

    monkeypatch.setattr(render, "render_apps", here)
    monkeypatch.setattr(render, "render_parallel", parallel)

    class Unused:
        workers = 3

        def give(self, inputs: object) -> None:
            raise AssertionError("given inputs")

    specs = [object()] * render.PARALLEL_THRESHOLD
    render.render(SynthInputs.__new__(SynthInputs), specs[:1], 2, Unused())
    render.render(SynthInputs.__new__(SynthInputs), specs, 2, Unused())
    assert calls == ["here", "parallel"]

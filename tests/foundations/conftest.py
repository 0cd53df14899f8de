"""Two generated repositories, synthesised once: the example data and a bench-like repository of many tenants."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH_TENANTS = 40


@dataclass(frozen=True)
class Generated:
    data: Path
    dist: Path


def _bench_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _synth(data: Path, out: Path) -> Generated:
    from genai_gitops.synth import synthesize

    synthesize(data / "tenants", data / "clusters.yaml", out / "dist", policies_dir=REPO / "policies",
               argocd_dir=out / "argocd")
    return Generated(data, out / "dist")


@pytest.fixture(scope="session")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    data = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "tenants", data / "tenants")
    shutil.copy(REPO / "clusters.yaml", data / "clusters.yaml")
    return _synth(data, data / "out")


@pytest.fixture(scope="session")
def bench_repo(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    data = _bench_generator().generate(BENCH_TENANTS, tmp_path_factory.mktemp("bench") / "repo")
    return _synth(data, data / "out")


@pytest.fixture(scope="session", params=["example", "bench"])
def generated(request: pytest.FixtureRequest) -> Generated:
    return request.getfixturevalue(f"{request.param}_repo")

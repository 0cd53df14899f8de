"""A platform of the tests' own (tests/model/fixtures/platform: tenants alpha and beta share cluster `shared`),
varied per test and synthesised into a temp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from genai_gitops.model import load_platform
from genai_gitops.model.loader import Platform
from genai_gitops.synth import synthesize_platform

FIXTURE = Path(__file__).resolve().parents[2] / "model" / "fixtures" / "platform"
CLUSTER = "shared"
#: disjoint database blocks, so that only what a test breaks is reported
OWN_DATABASES = {"alpha": ["10.60.200.16/28"], "beta": ["10.60.201.16/28"]}


def own_platform(data: Path, endpoints: dict[str, list[str]]) -> Platform:
    """The fixture copied to `data`, with these tenants' database_endpoints set."""
    shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    for tenant, cidrs in endpoints.items():
        path = data / "tenants" / f"{tenant}.yaml"
        spec = yaml.safe_load(path.read_text())
        spec["database_endpoints"] = cidrs
        path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return load_platform(data / "tenants", data / "clusters.yaml")


def synthesised(tmp_path: Path, endpoints: dict[str, list[str]]) -> tuple[Platform, Path]:
    """The platform and the dist/ folder of its customer cluster."""
    platform = own_platform(tmp_path / "data", endpoints)
    synthesize_platform(platform, tmp_path / "dist")
    return platform, tmp_path / "dist" / CLUSTER

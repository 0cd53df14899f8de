"""Fixtures for the isolation check: writable copies of the synthesised example data."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture()
def cluster_copy(synthesized: Path, tmp_path: Path) -> Callable[[str], Path]:
    """A writable copy of one cluster's folder of the synthesised example data."""

    def copy(cluster: str) -> Path:
        target = tmp_path / "dist" / cluster
        shutil.copytree(synthesized / "dist" / cluster, target)
        return target

    return copy

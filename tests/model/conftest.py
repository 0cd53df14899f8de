"""A small platform of this folder's own (tests/model/fixtures/platform), copied to break on purpose."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from genai_gitops.model import ModelError, load_platform
from genai_gitops.model.loader import Platform

FIXTURE = Path(__file__).parent / "fixtures" / "platform"


@pytest.fixture()
def own_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tenants/ and clusters.yaml of the fixture in a temp folder, which is also the working directory
    (messages then name files as `tenants/alpha.yaml`)."""
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture drift: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def load(data: Path) -> Platform:
    return load_platform(data / "tenants", data / "clusters.yaml")


def problems_of(data: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        load(data)
    return [str(p) for p in info.value.problems]



def set_field(path: Path, dotted: str, value: object) -> None:
    """Set `a.b[0].c` in a YAML data file to `value` (written by a YAML emitter, so any string survives)."""
    data = yaml.safe_load(path.read_text())
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", dotted)]
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

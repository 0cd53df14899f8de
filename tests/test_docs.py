"""README.md and ARCHITECTURE.md name the code as it is: every module (`*.py`) and every folder path they
cite in backticks exists in the repository (a module moved without its documentation fails here)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: `validators/delivery/`, `synth/render.py`, `appsets.py`, `model/apps.py: plan_apps`
CITED = re.compile(r"`([A-Za-z0-9_][A-Za-z0-9_./-]*(?:\.py|/[A-Za-z0-9_./-]*/))(?::? [^`]*)?`")
#: what is generated, installed or created by a user, not kept in the repository
NOT_KEPT = ("bench/out/", "node_modules/", ".venv", "cdk8s.out/", ".genai-gitops-cache/", "trusted/", "change/")
SKIPPED = {".git", ".venv", ".venv-checkov", ".venv-litellm", "node_modules", "__pycache__", "out",
           ".genai-gitops-cache", "cdk8s.out"}


@lru_cache(maxsize=1)
def kept() -> frozenset[str]:
    """Every file and folder of the repository as a relative path, folders with a trailing '/'."""
    found: set[str] = set()
    stack = [ROOT]
    while stack:
        folder = stack.pop()
        for entry in folder.iterdir():
            relative = entry.relative_to(ROOT).as_posix()
            if entry.is_dir() and not entry.is_symlink():
                if entry.name not in SKIPPED:
                    found.add(relative + "/")
                    stack.append(entry)
            else:
                found.add(relative)
    return frozenset(found)


def exists(path: str) -> bool:
    """True when some kept path is `path` or ends with `/path` (documents cite modules by their tail)."""
    return any(p == path or p.endswith("/" + path) for p in kept())


#: an image repository (`quay.io/jetstack/`), not a path
REGISTRY = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+/")


def cited(document: Path) -> list[str]:
    return sorted({m for m in CITED.findall(document.read_text())
                   if not m.startswith(NOT_KEPT) and not REGISTRY.match(m)})


@pytest.mark.parametrize("name", ["README.md", "ARCHITECTURE.md"])
def test_every_cited_module_and_folder_exists(name: str) -> None:
    paths = cited(ROOT / name)
    assert len(paths) > 10, "the pattern finds the document's citations"
    missing = [path for path in paths if not exists(path)]
    assert not missing, f"{name} cites paths that do not exist: {missing}"

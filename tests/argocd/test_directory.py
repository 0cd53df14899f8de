"""What Argo CD v3.5 reads from a directory source (genai_gitops/argocd/directory.py), on real folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.argocd.appsets import DIRECTORY_SOURCE
from genai_gitops.argocd.directory import normalized_directory, read_files, source_type, unchecked_reads


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    folder = tmp_path / "dist/c/app"
    folder.mkdir(parents=True)
    for name in ("Service-a.yaml", "ConfigMap-b.yml", "Secret-c.json", "main.jsonnet", ".hidden.yaml", "notes.txt"):
        (folder / name).write_text("{}\n")
    (folder / "sub").mkdir()
    (folder / "sub/Deployment-d.yaml").write_text("{}\n")
    (folder / "Service-link.yaml").symlink_to("Service-a.yaml")
    (tmp_path / "outside.yaml").write_text("{}\n")
    (folder / "Escape.yaml").symlink_to(tmp_path / "outside.yaml")
    return folder


def test_an_empty_directory_is_dropped_unless_it_has_globs() -> None:
    assert normalized_directory({"directory": {"recurse": False}}) is None
    assert normalized_directory({"directory": {}}) is None
    assert normalized_directory({}) is None
    assert normalized_directory({"directory": DIRECTORY_SOURCE}) == DIRECTORY_SOURCE
    assert normalized_directory({"directory": {"recurse": True}}) == {"recurse": True}


def test_the_source_type_is_detected_unless_forced(app: Path) -> None:
    assert source_type({"directory": {"recurse": False}}, app) == "Directory"
    (app / "Chart.yaml").write_text("name: x\n")
    assert source_type({"directory": {"recurse": False}}, app) == "Helm"
    (app / "kustomization.yaml").write_text("resources: []\n")
    assert source_type({}, app) == "Kustomize"
    assert source_type({"directory": DIRECTORY_SOURCE}, app) == "Directory"
    assert source_type({"helm": {}}, app) == "Helm"


def test_what_a_directory_app_reads(app: Path) -> None:
    root = app.parents[1]  # outside.yaml lies outside it
    # no globs: Jsonnet, hidden files and links inside the repository too; never a subfolder
    assert sorted(read_files({}, app, root)) == [
        ".hidden.yaml", "ConfigMap-b.yml", "Secret-c.json", "Service-a.yaml", "Service-link.yaml", "main.jsonnet"]
    assert sorted(read_files({"directory": {"recurse": True}}, app, root)) == [
        ".hidden.yaml", "ConfigMap-b.yml", "Secret-c.json", "Service-a.yaml", "Service-link.yaml", "main.jsonnet",
        "sub/Deployment-d.yaml"]
    # the generated Applications' globs: non-hidden YAML/JSON (and links, which the tree check refuses)
    assert sorted(read_files({"directory": DIRECTORY_SOURCE}, app, root)) == [
        "ConfigMap-b.yml", "Secret-c.json", "Service-a.yaml", "Service-link.yaml"]


def test_unchecked_reads(app: Path) -> None:
    root = app.parents[1]  # outside.yaml lies outside it
    assert unchecked_reads({}, app, root) == ("Directory", ["Service-link.yaml", "main.jsonnet"])
    assert unchecked_reads({"directory": DIRECTORY_SOURCE}, app, root) == ("Directory", ["Service-link.yaml"])
    (app / "kustomization.yaml").write_text("resources: []\n")
    assert unchecked_reads({}, app, root) == ("Kustomize", [])

"""The recorded preview: the preview, plus what it read from the working tree, checked again later."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from genai_gitops.argocd.preview import preview
from genai_gitops.argocd.recorded import RecordedPreview, recorded_preview
from genai_gitops.model.cluster import ClusterInventory


def test_the_record_holds_while_the_tree_answers_every_read_the_same_way(repo_copy: Path,
                                                                          inventory: ClusterInventory) -> None:
    recorded = recorded_preview(repo_copy, inventory)
    assert recorded.apps == preview(repo_copy, inventory)
    assert recorded.reads is not None and recorded.still_valid(repo_copy)
    # kept as JSON (the delivery check's cache) and read back, it is the same record
    kept = RecordedPreview.from_json(json.loads(json.dumps(recorded.to_json())))
    assert kept == recorded and kept.still_valid(repo_copy)

    # a folder the git directory generators list appears: a new preview would differ
    new = repo_copy / "dist/customer-eu-1/tenant-newco"
    shutil.copytree(repo_copy / "dist/customer-eu-1/tenant-acme", new)
    assert not kept.still_valid(repo_copy)
    shutil.rmtree(new)
    assert kept.still_valid(repo_copy)

    # a listed folder without files vanishes from git; what the caller knows of a folder is taken as it is
    for file in (repo_copy / "dist/customer-eu-1/tenant-acme").iterdir():
        file.unlink()
    assert not kept.still_valid(repo_copy)
    assert kept.still_valid(repo_copy, non_empty={"dist/customer-eu-1/tenant-acme": True})


def test_a_record_of_another_shape_is_refused_and_no_record_is_never_valid(repo_copy: Path,
                                                                           inventory: ClusterInventory) -> None:
    with pytest.raises(ValueError, match="expected the reads as an object"):
        RecordedPreview.from_json({"apps": [], "reads": "tree"})
    with pytest.raises(KeyError):
        RecordedPreview.from_json({"apps": [], "tree": {}})
    assert not RecordedPreview(preview(repo_copy, inventory), None).still_valid(repo_copy)

"""The git generator against the working tree: directories (globs, exclusions) and files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genai_gitops.argocd.generators import GeneratorError, UnsupportedGeneratorFeature, transform
from genai_gitops.argocd.generators.git import reads_unchanged, record_reads
from genai_gitops.argocd.gotemplate import StringList

REPO_URL = "https://github.com/example-org/genai-gitops.git"


def tree(root: Path, *files: str) -> None:
    for file in files:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kind: ConfigMap\n")


def directories(context, *items: dict) -> list[str]:
    params = transform({"git": {"repoURL": REPO_URL, "revision": "main", "directories": list(items)}},
                       context, "generators[0]")
    return [p["path"]["path"] for p in params]


def test_directory_params(context) -> None:
    tree(context.repo_root, "dist/eu-1/tenant-acme/a.yaml")
    params = transform({"git": {"repoURL": REPO_URL, "revision": "main",
                                "directories": [{"path": "dist/*/tenant-*"}]}}, context, "g")
    assert params == [{"path": {"path": "dist/eu-1/tenant-acme", "basename": "tenant-acme",
                                "basenameNormalized": "tenant-acme",
                                "segments": ["dist", "eu-1", "tenant-acme"]}}]
    assert isinstance(params[0]["path"]["segments"], StringList)


def test_star_stays_within_one_folder_and_exclusions_win_in_any_order(context) -> None:
    tree(context.repo_root, "dist/eu-1/tenant-acme/a.yaml", "dist/eu-1/tenant-acme-guardrails/a.yaml",
         "dist/eu-1/tenant-acme/nested/a.yaml", "dist/us-1/addons/a.yaml", "other/eu-1/tenant-x/a.yaml")
    include, exclude = {"path": "dist/*/tenant-*"}, {"path": "dist/*/tenant-*-guardrails", "exclude": True}
    assert directories(context, include, exclude) == ["dist/eu-1/tenant-acme"]
    assert directories(context, exclude, include) == ["dist/eu-1/tenant-acme"]
    assert directories(context, {"path": "dist/*"}) == ["dist/eu-1", "dist/us-1"]
    assert directories(context, {"path": "*/*/tenant-*"}) == [
        "dist/eu-1/tenant-acme", "dist/eu-1/tenant-acme-guardrails", "other/eu-1/tenant-x"]


def test_folders_git_would_not_hold_are_not_listed(context) -> None:
    tree(context.repo_root, "dist/eu-1/app/a.yaml", "dist/.hidden/app/a.yaml")
    (context.repo_root / "dist/eu-1/empty/sub").mkdir(parents=True)  # no file below: not in a commit
    assert directories(context, {"path": "dist/*/*"}) == ["dist/eu-1/app"]


def test_a_malformed_pattern_is_reported(context) -> None:
    with pytest.raises(GeneratorError, match="syntax error in pattern 'dist/\\[a'"):
        directories(context, {"path": "dist/[a"})


def test_files_yield_one_parameter_set_per_object(context) -> None:
    root = context.repo_root
    (root / "config/eu-1").mkdir(parents=True)
    (root / "config/eu-1/config.json").write_text(json.dumps({"cluster": {"name": "eu-1", "replicas": 2}}))
    (root / "config/us-1/deep").mkdir(parents=True)
    (root / "config/us-1/deep/config.yaml").write_text("- cluster: {name: us-a}\n- cluster: {name: us-b}\n")
    (root / "config/us-1/deep/skip.yaml").write_text("x: 1\n")
    params = transform({"git": {"repoURL": REPO_URL, "revision": "main", "files": [
        {"path": "config/*/config.*"}, {"path": "config/us-1/deep/skip.yaml", "exclude": True}]}}, context, "g")
    # a pathspec's `*` crosses folders (git ls-files' default globbing), so deep/ matches too
    assert [(p["cluster"]["name"], p["path"]["path"]) for p in params] == [
        ("eu-1", "config/eu-1"), ("us-a", "config/us-1/deep"), ("us-b", "config/us-1/deep")]
    first = params[0]
    assert first["cluster"]["replicas"] == 2.0
    assert first["path"] == {"path": "config/eu-1", "basename": "eu-1", "filename": "config.json",
                             "basenameNormalized": "eu-1", "filenameNormalized": "config.json",
                             "segments": ["config", "eu-1"]}


def test_values_and_path_param_prefix(context) -> None:
    tree(context.repo_root, "apps/web/a.yaml")
    params = transform({"git": {"repoURL": REPO_URL, "revision": "main", "pathParamPrefix": "app",
                                "directories": [{"path": "apps/*"}],
                                "values": {"ns": "{{ .app.path.basename }}-ns"}}}, context, "g")
    assert params == [{"app": {"path": {"path": "apps/web", "basename": "web", "basenameNormalized": "web",
                                        "segments": ["apps", "web"]}}, "values": {"ns": "web-ns"}}]


def test_only_this_repository_can_be_read(context) -> None:
    with pytest.raises(UnsupportedGeneratorFeature, match=r"repoURL https://github\.com/other/repo is not this"):
        transform({"git": {"repoURL": "https://github.com/other/repo", "revision": "main",
                           "directories": [{"path": "*"}]}}, context, "g")
    # the same repository spelled differently is still this one
    tree(context.repo_root, "x/a.yaml")
    assert transform({"git": {"repoURL": "https://GitHub.com/example-org/genai-gitops", "revision": "main",
                              "directories": [{"path": "x"}]}}, context, "g")


def test_a_git_generator_needs_directories_or_files(context) -> None:
    with pytest.raises(GeneratorError, match="ApplicationSet is empty"):
        transform({"git": {"repoURL": REPO_URL, "revision": "main"}}, context, "g")


def test_what_the_generator_read_is_recorded_and_checked_again(context) -> None:
    root = context.repo_root
    tree(root, "dist/eu-1/tenant-acme/a.yaml", "config/eu-1/config.yaml")
    directories(context, {"path": "dist/*/*"})
    transform({"git": {"repoURL": REPO_URL, "revision": "main", "files": [{"path": "config/*/config.yaml"}]}},
              context, "g")
    record = record_reads(context.cache, root)
    assert record == {"dirs": [["dist", 2, ["dist", "dist/eu-1", "dist/eu-1/tenant-acme"]]],
                      "non_empty": [["dist/eu-1/tenant-acme", True]],
                      "files": [["config/*/config.yaml", ["config/eu-1/config.yaml"], record["files"][0][2]]]}
    assert reads_unchanged(record, root, non_empty={})
    # a listed file's content changes: the parameters it gave may differ
    (root / "config/eu-1/config.yaml").write_text("kind: Secret\n")
    assert not reads_unchanged(record, root, non_empty={})
    (root / "config/eu-1/config.yaml").write_text("kind: ConfigMap\n")
    assert reads_unchanged(record, root, non_empty={})
    # a new file the pattern lists, a new folder the walk finds
    tree(root, "config/us-1/config.yaml")
    assert not reads_unchanged(record, root, non_empty={})
    (root / "config/us-1/config.yaml").unlink()
    tree(root, "dist/us-1/tenant-b/a.yaml")
    assert not reads_unchanged(record, root, non_empty={})


def test_a_memo_entry_the_record_does_not_know_makes_no_record(context) -> None:
    assert record_reads({"git-something-new": []}, context.repo_root) is None
    assert record_reads({"cluster-secrets": {}}, context.repo_root) == {"dirs": [], "non_empty": [], "files": []}

"""`genai-gitops argocd preview`, called the way a user does."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from genai_gitops.cli import main


def test_json_lists_every_application_sorted_by_name(example_repo: Path, capsys) -> None:
    assert main(["argocd", "preview", "--repo", str(example_repo), "--output", "json"]) == 0
    apps = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in apps] == sorted(a["name"] for a in apps)
    assert apps[0] == {"name": "central-prod-addons", "project": "platform", "cluster": "in-cluster",
                       "namespace": "argocd", "path": "dist/central-prod/addons", "syncWave": -3}
    assert {tuple(a) for a in apps} == {("name", "project", "cluster", "namespace", "path", "syncWave")}


def test_text_is_a_table_with_a_summary(example_repo: Path, capsys) -> None:
    assert main(["argocd", "preview", "--repo", str(example_repo),
                 "--clusters", str(example_repo / "clusters.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "PROJECT", "CLUSTER", "NAMESPACE", "PATH", "WAVE"]
    # one row per dist/<cluster>/<app> folder of the example repository
    folders = [p for p in (example_repo / "dist").glob("*/*") if p.is_dir()]
    assert lines[-1] == f"{len(folders)} applications from 6 ApplicationSets"
    assert "customer-eu-1-tenant-acme  " in "\n".join(lines)


def test_an_unsupported_feature_exits_2_naming_it(repo_copy: Path, capsys) -> None:
    path = repo_copy / "argocd/apps/applicationset-genai-tenant.yaml"
    appset = yaml.safe_load(path.read_text())
    appset["spec"]["generators"] = [{"pullRequest": {"github": {"owner": "x", "repo": "r"}}}]
    path.write_text(yaml.safe_dump(appset))
    assert main(["argocd", "preview", "--repo", str(repo_copy)]) == 2
    err = capsys.readouterr().err
    assert "ApplicationSet genai-tenant" in err and "the pullRequest generator is not supported" in err


def test_a_broken_application_set_exits_1(repo_copy: Path, capsys) -> None:
    path = repo_copy / "argocd/apps/applicationset-genai-tenant.yaml"
    path.write_text(path.read_text().replace("{{.path.basename}}", "{{.path.nope}}"))
    assert main(["argocd", "preview", "--repo", str(repo_copy)]) == 1
    assert 'map has no entry for key "nope"' in capsys.readouterr().err

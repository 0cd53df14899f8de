"""`genai-gitops check` as CI calls it: invalid data is a report in every format; usage errors exit 2 naming
the flag; the summary counts what came from the cache."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from genai_gitops.cli import main


@pytest.fixture()
def bad_repo(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture repository with a typo in a quota field of tenants/acme.yaml."""
    tenant = data_copy / "tenants/acme.yaml"
    text = tenant.read_text()
    assert "\n  cpu: " in text
    tenant.write_text(text.replace("\n  cpu: ", "\n  cpus: ", 1))
    monkeypatch.chdir(data_copy)
    return data_copy


def typo_line(repo: Path) -> int:
    return next(i for i, line in enumerate((repo / "tenants/acme.yaml").read_text().splitlines(), 1)
                if line.startswith("  cpus:"))


def findings_of(document: object) -> list[dict]:
    return document["findings"] if isinstance(document, dict) else document  # type: ignore[index,return-value]


def test_invalid_data_is_a_json_report_on_stdout(bad_repo: Path, capsys) -> None:
    assert main(["check", "--output", "json"]) == 1
    found = findings_of(json.loads(capsys.readouterr().out))
    assert {(f["file"], f["line"], f["validator"], f["rule"], f["severity"]) for f in found} >= {
        ("tenants/acme.yaml", typo_line(bad_repo), "data", "invalid-data", "error")}
    assert any(f["message"].startswith("quotas.cpus: unknown field; did you mean 'cpu'?") for f in found)


def test_invalid_data_sarif_file_is_always_written(bad_repo: Path, capsys) -> None:
    assert main(["check", "--output", "sarif", "--output-file", "out/check.sarif"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "error" in err  # the summary line for the CI log
    sarif = json.loads((bad_repo / "out/check.sarif").read_text())
    results = sarif["runs"][0]["results"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "tenants/acme.yaml"
    assert any("quotas.cpus" in r["message"]["text"] for r in results)
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results} >= {typo_line(bad_repo)}


def test_invalid_data_junit_markdown_and_text(bad_repo: Path, capsys) -> None:
    assert main(["check", "--output", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    assert root.get("failures") != "0" and "quotas.cpus" in ET.tostring(root, encoding="unicode")
    assert main(["check", "--output", "markdown"]) == 1
    assert "tenants/acme.yaml" in capsys.readouterr().out
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("tenants/acme.yaml\n") and f"  {typo_line(bad_repo)}  error" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--skip", "bogus"], "--skip: unknown validator(s) bogus; choose from "),
    (["--only", "bogus"], "--only: unknown validator(s) bogus; choose from "),
    (["--only", "schema", "--skip", "schema"], "--skip leaves no validator to run"),
    (["--only", ","], "--only needs at least one validator name"),
    (["--repo", "/nonexistent"], "--repo: /nonexistent does not exist"),
    (["--shard", "3/2"], "--shard: '3/2' is not I/N"),
    (["--workers", "0"], "--workers: 0 is not a number of processes"),
])
def test_usage_errors_exit_2_naming_the_flag(data_copy: Path, monkeypatch, capsys, argv: list[str],
                                             message: str) -> None:
    monkeypatch.chdir(data_copy)
    assert main(["check", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"genai-gitops check: error: {message}") and err.count("\n") == 1


def test_summary_counts_cached_files(repo: Path, synthesized: Path, tmp_path: Path, capsys) -> None:
    work = tmp_path / "repo"
    shutil.copytree(synthesized, work)
    # the cache is trusted only where git shows the change under review could not have written it
    (work / ".gitignore").write_text(".genai-gitops-cache/\n")
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    argv = ["check", "--repo", str(work), "--only", "schema,refs", "--no-drift", "--workers", "1"]
    assert main(argv) == 0
    cold = capsys.readouterr().out.splitlines()[-1]
    files = len(list((work / "dist").rglob("*.yaml")))
    assert f"in {files} files ({files} resources) in " in cold
    assert main(argv) == 0
    warm = capsys.readouterr().out.splitlines()[-1]
    assert f"in {files} files ({files} resources, {files} files from cache) in " in warm
    # one app changed: its cluster is parsed again, the other folders' parses still come from the cache
    service = next((work / "dist/customer-us-1").rglob("Service-*.yaml"))
    service.write_text(service.read_text() + "\n")
    assert main(argv) == 0
    partly = capsys.readouterr().out.splitlines()[-1]
    assert f"in {files} files ({files} resources, " in partly and f"{files} files from cache" not in partly


@pytest.mark.parametrize("key", ["skip", "only"])
def test_the_repository_config_cannot_narrow_the_pr_check(data_copy: Path, key: str, capsys) -> None:
    """A pull request that adds `check: {skip: [isolation]}` to .genai-gitops.yaml must not check less."""
    (data_copy / ".genai-gitops.yaml").write_text(f"check:\n  {key}: [isolation, policy]\n")
    assert main(["check", "--repo", str(data_copy), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert (f".genai-gitops.yaml: check.{key}: not allowed here: a change to the repository must not narrow its "
            "own PR check; choose validators on the command line (--only, --skip)") in err
    assert "Traceback" not in err

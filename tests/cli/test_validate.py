"""`genai-gitops validate`, called the way a user does: through main() with argv."""

from __future__ import annotations

import json
import sys
import types
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from genai_gitops import cli
from genai_gitops.report.finding import Finding
from genai_gitops.validators import registry
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.registry import ValidatorOptions


class NeedsLabels(Validator):
    name = "labels"
    #: what the CLI hands a validator that reads every option
    options_used = ("policy_paths", "checkov_skips", "repo_root", "clusters_file", "cache")
    options: ValidatorOptions | None = None

    def __init__(self, options: ValidatorOptions) -> None:
        NeedsLabels.options = options

    def validate(self, target: Target) -> Iterator[Finding]:
        for resource in target.resources:
            if not resource.labels:
                yield Finding.about(resource, validator=self.name, rule="required", message="no labels")


class Quiet(Validator):
    name = "quiet"

    def __init__(self, options: ValidatorOptions) -> None:
        pass

    def validate(self, target: Target) -> Iterator[Finding]:
        yield from ()


@pytest.fixture(autouse=True)
def fake_validators(monkeypatch) -> None:
    """The fakes are the only registered validators; runs start in a clean folder (no ./policies)."""
    module = types.ModuleType("_fake_cli_validators")
    module.NeedsLabels = NeedsLabels  # type: ignore[attr-defined]
    module.Quiet = Quiet  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    table = {"labels": f"{module.__name__}:NeedsLabels", "quiet": f"{module.__name__}:Quiet"}
    monkeypatch.setattr(registry, "VALIDATORS", table)
    monkeypatch.setattr(registry, "DEFAULT_ORDER", tuple(table))
    NeedsLabels.options = None


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: tenant-acme\n")
    (tmp_path / "dist" / "ok.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  labels: {team: a}\n")
    return tmp_path


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys) -> Run:
    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["validate", *argv])
        out, err = capsys.readouterr()
        return code, out, err
    return call


def test_validate_is_a_command():
    assert "validate" in cli.COMMANDS


def test_yaml_syntax_error_is_a_finding_with_file_and_line(workdir, run):
    (workdir / "dist" / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n")
    code, out, _ = run("dist/bad.yaml", "--output", "json")
    assert code == 1
    assert json.loads(out)["findings"] == [{
        "file": "dist/bad.yaml", "line": 5, "apiVersion": "", "kind": "", "namespace": "", "name": "",
        "validator": "parse", "rule": "yaml-syntax", "severity": "error",
        "message": "invalid YAML: did not find expected ',' or ']'", "source": "", "suppressed": "",
        "ruleId": "parse/yaml-syntax"}]


def test_findings_exit_1_clean_exits_0(workdir, run):
    code, out, _ = run("dist", "--output", "json")
    assert code == 1
    assert [(f["file"], f["kind"], f["name"], f["rule"]) for f in json.loads(out)["findings"]] == [
        ("dist/cm.yaml", "ConfigMap", "cfg", "required")]
    code, out, _ = run("dist/ok.yaml", "--output", "json")
    assert (code, json.loads(out)["findings"]) == (0, [])


def test_text_is_the_default_and_uncoloured_when_not_a_terminal(workdir, run):
    code, out, _ = run("dist")
    assert code == 1
    assert out.splitlines()[:2] == [
        "dist/cm.yaml", "  1  error    ConfigMap/cfg -n tenant-acme  [labels/required]  no labels"]
    assert out.splitlines()[-1].startswith("1 error, 0 warnings in 2 files (2 resources) in ")
    assert "\x1b[" not in out


def test_only_picks_validators(workdir, run):
    code, out, _ = run("dist", "--only", "quiet", "--output", "json")
    assert (code, json.loads(out)["findings"]) == (0, [])
    assert NeedsLabels.options is None  # never even built


def test_unknown_only_name_is_a_usage_error(workdir, run):
    code, out, err = run("dist", "--only", "schema,nope")
    assert (code, out) == (2, "")
    assert err == "genai-gitops validate: error: --only: unknown validator(s) schema, nope; choose from labels, quiet\n"


def test_a_missing_path_is_a_usage_error(workdir, run):
    code, out, err = run("dist", "missing.yaml")
    assert (code, out) == (2, "")
    assert err == "genai-gitops validate: error: no such file or folder: missing.yaml\n"


def test_a_bad_k8s_version_is_a_usage_error(workdir, run):
    code, _, err = run("dist", "--k8s-version", "latest")
    assert code == 2
    assert err == ("genai-gitops validate: error: --k8s-version: 'latest' is not a Kubernetes version; "
                   "write it like 1.30\n")


def test_policies_default_to_the_repos_folder_with_its_checkov_skips(workdir, run):
    (workdir / "policies").mkdir()
    run("dist")
    assert NeedsLabels.options == ValidatorOptions(policy_paths=(Path("policies"),), checkov_skips=None)
    (workdir / "policies" / "checkov-skips.yaml").write_text("[]\n")
    run("dist")
    assert NeedsLabels.options == ValidatorOptions(policy_paths=(Path("policies"),),
                                                   checkov_skips=Path("policies/checkov-skips.yaml"))


def test_no_policies_folder_means_no_policy_paths(workdir, run):
    run("dist")
    assert NeedsLabels.options == ValidatorOptions()


def test_an_explicit_policies_folder_must_exist(workdir, run):
    code, _, err = run("dist", "--policies", "nowhere")
    assert code == 2
    assert err == "genai-gitops validate: error: --policies: nowhere is not a folder\n"


def test_output_file_gets_the_report_and_the_log_gets_the_summary(workdir, run):
    code, out, err = run("dist", "--output", "junit", "--output-file", "reports/junit.xml")
    assert (code, out) == (1, "")
    assert err.startswith("1 error, 0 warnings in 2 files (2 resources) in ")
    root = ET.parse(workdir / "reports" / "junit.xml").getroot()
    assert [s.get("name") for s in root.findall("testsuite")] == ["parse", "labels", "quiet"]
    assert root.get("failures") == "1"


def test_sarif_output(workdir, run):
    code, out, _ = run("dist", "--output", "sarif")
    assert code == 1
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "labels/required" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dist/cm.yaml"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_markdown_output(workdir, run):
    code, out, _ = run("dist", "--output", "markdown")
    assert code == 1 and out.startswith("### ❌ genai-gitops: failed\n")


def test_an_unknown_output_format_is_rejected_by_argparse(workdir, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "dist", "--output", "html"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'html'" in capsys.readouterr().err

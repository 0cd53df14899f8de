"""Conventions users bring from kubeconform, kube-linter, checkov and gator: stdin (`-`), `--fail-on`,
a project config file, `--quiet`, one usage error for an unsupported `--k8s-version`."""

from __future__ import annotations

import io
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from genai_gitops import cli, safeyaml
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.progress import RichProgress, SilentProgress, progress_for
from genai_gitops.validators import registry
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.registry import ValidatorOptions

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: demo\n"


class WarnsUnlabelled(Validator):
    """A fake validator: a warning for every object without labels."""

    name = "labels"

    def __init__(self, options: ValidatorOptions) -> None:
        pass

    def validate(self, target: Target) -> Iterator[Finding]:
        for resource in target.resources:
            if not resource.labels:
                yield Finding.about(resource, validator=self.name, rule="recommended", message="no labels",
                                    severity=Severity.WARNING)


class Counts(Validator):
    name = "count"

    def __init__(self, options: ValidatorOptions) -> None:
        pass

    def validate(self, target: Target) -> Iterator[Finding]:
        yield from ()


@pytest.fixture(autouse=True)
def fake_validators(monkeypatch, tmp_path) -> None:
    module = types.ModuleType("_fake_convention_validators")
    module.WarnsUnlabelled = WarnsUnlabelled  # type: ignore[attr-defined]
    module.Counts = Counts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    table = {"labels": f"{module.__name__}:WarnsUnlabelled", "count": f"{module.__name__}:Counts"}
    monkeypatch.setattr(registry, "VALIDATORS", table)
    monkeypatch.setattr(registry, "DEFAULT_ORDER", tuple(table))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def findings_of(text: str) -> list[dict]:
    document = json.loads(text)
    return document["findings"] if isinstance(document, dict) else document


def test_dash_reads_manifests_from_stdin(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(CONFIGMAP + "---\n" + CONFIGMAP.replace("cfg", "two")))
    code, out, _ = run(capsys, "-", "--output", "json")
    assert code == 0
    assert [(f["file"], f["line"], f["name"]) for f in findings_of(out)] == [("stdin", 1, "cfg"), ("stdin", 7, "two")]


def test_stdin_and_files_together(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("kind: [broken\n"))
    code, out, _ = run(capsys, "cm.yaml", "-", "--output", "json")
    assert code == 1
    assert sorted((f["file"], f["validator"]) for f in findings_of(out)) == [("cm.yaml", "labels"),
                                                                             ("stdin", "parse")]


def test_fail_on_warning(capsys) -> None:
    assert run(capsys, "cm.yaml")[0] == 0
    assert run(capsys, "cm.yaml", "--fail-on", "warning")[0] == 1
    assert run(capsys, "cm.yaml", "--fail-on", "error")[0] == 0


def test_config_file_sets_defaults_and_flags_win(tmp_path: Path, capsys) -> None:
    (tmp_path / ".genai-gitops.yaml").write_text("validate:\n  fail_on: warning\n  output: json\n")
    code, out, _ = run(capsys, "cm.yaml")
    assert code == 1 and findings_of(out)[0]["rule"] == "recommended"
    code, out, _ = run(capsys, "cm.yaml", "--fail-on", "error", "--output", "text")
    assert code == 0 and out.startswith("cm.yaml\n")
    (tmp_path / ".genai-gitops.yaml").write_text("validate:\n  skip: [labels]\n")
    code, out, _ = run(capsys, "cm.yaml")
    assert code == 0 and "[labels/" not in out


@pytest.mark.parametrize(("text", "message"), [
    ("validate:\n  fail-on: warning\n",
     ".genai-gitops.yaml: validate.fail-on: unknown key; did you mean 'fail_on'?; allowed: only, skip, output, "),
    ("vaildate: {}\n", ".genai-gitops.yaml: vaildate: unknown section; did you mean 'validate'?; allowed: check, "
                       "validate"),
    ("validate:\n  only: schema\n", ".genai-gitops.yaml: validate.only: got 'schema'; write a list of validator "
                                    "names, e.g. [schema, policy]"),
    ("validate:\n  skip: [bogus]\n", ".genai-gitops.yaml: validate.skip: unknown validator(s) bogus; choose from "
                                     "labels, count"),
    ("validate: [\n", ".genai-gitops.yaml: line 2: invalid YAML"),
    ("validate: {}\nvalidate: {}\n", ".genai-gitops.yaml: line 2: duplicate key 'validate' (first at line 1)"),
])
def test_config_file_mistakes_are_usage_errors(tmp_path: Path, capsys, text: str, message: str) -> None:
    (tmp_path / ".genai-gitops.yaml").write_text(text)
    code, out, err = run(capsys, "cm.yaml")
    assert (code, out) == (2, "")
    assert err.startswith(f"genai-gitops validate: error: {message}"), err


def test_an_explicit_config_must_exist(capsys) -> None:
    code, _, err = run(capsys, "cm.yaml", "--config", "nowhere.yaml")
    assert code == 2 and err == "genai-gitops validate: error: --config: nowhere.yaml is not a file\n"


def test_unsupported_k8s_version_is_one_usage_error(capsys) -> None:
    code, out, err = run(capsys, "cm.yaml", "--k8s-version", "1.99")
    assert (code, out) == (2, "")
    assert err == ("genai-gitops validate: error: --k8s-version: no schemas are bundled for Kubernetes 1.99 "
                   "(bundled: 1.25 to 1.37); pick one of those\n")


def test_only_and_skip_of_the_same_validator_is_a_usage_error(capsys) -> None:
    code, _, err = run(capsys, "cm.yaml", "--only", "labels", "--skip", "labels")
    assert code == 2
    assert err == ("genai-gitops validate: error: --skip leaves no validator to run (it removes every one --only "
                   "chose: labels)\n")


def test_quiet_keeps_stderr_empty(capsys) -> None:
    code, out, err = run(capsys, "cm.yaml", "--output", "json", "--quiet")
    assert code == 0 and err == "" and findings_of(out)
    _, _, err = run(capsys, "cm.yaml", "--output", "json")
    assert err.startswith("0 errors, 1 warning in 1 file (1 resource) in ")  # one summary line, not a terminal


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_only() -> None:
    assert isinstance(progress_for(io.StringIO()), SilentProgress)
    stream = Terminal()
    progress = progress_for(stream, noun="checking")
    assert isinstance(progress, RichProgress)
    progress.update(0, 0, "loading tenants and clusters")
    progress.update(3, 12, "schema on customer-eu-1")
    progress.close()
    assert "checking" in stream.getvalue()


def test_stdin_is_read_bounded_and_checked_like_a_file(capsys, monkeypatch) -> None:
    # an endless stream (`yes | genai-gitops validate -`) is refused on its first MiB, not read whole
    endless = io.BytesIO(b"a: 1\n" * (safeyaml.MAX_BYTES // 2))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(endless))
    code, out, _ = run(capsys, "-", "--output", "json")
    assert code == 1
    (finding,) = findings_of(out)
    assert (finding["file"], finding["rule"]) == ("stdin", "input-limit")
    assert endless.tell() <= 2 * safeyaml.MAX_BYTES
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a: '\xff'\n")))
    code, out, _ = run(capsys, "-", "--output", "json")
    assert code == 1
    (finding,) = findings_of(out)
    assert (finding["file"], finding["line"], finding["rule"]) == ("stdin", 1, "encoding")

"""The GitHub workflows (issue 11 hole 12, issue 14 #12): actions pinned by commit SHA, the PR's code run
with a read-only token and no kept credentials, write permissions only where no PR code runs, and the
report published whatever the check concluded."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[1] / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.y*ml"))
#: a `run:` that executes code from the checkout: make targets, the project's venv, scripts, pip/python
RUNS_REPO_CODE = re.compile(r"\bmake\b|\.venv/|genai-gitops|\bpython3?\b|\bpip\b|\./|\bpytest\b|\bnpm\b|bash\s")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as true
    if True in data:
        data["on"] = data.pop(True)
    return data


def jobs() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    out = []
    for path in FILES:
        workflow = load(path)
        for name, job in workflow["jobs"].items():
            out.append((path.name, name, job, workflow))
    return out


def permissions(job: dict[str, Any], workflow: dict[str, Any]) -> dict[str, str]:
    granted = job.get("permissions", workflow.get("permissions"))
    assert granted is not None, "every job states its permissions (the default token may write)"
    assert isinstance(granted, dict), f"permissions must be a map, not {granted!r}"
    return granted


def test_there_are_workflows() -> None:
    assert {p.name for p in FILES} >= {"pr.yaml", "pr-report.yaml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_sha_with_its_tag_in_a_comment(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if re.match(r"\s*(-\s+)?uses:", line)]
    assert lines
    for line in lines:
        value, _, comment = line.split("uses:", 1)[1].partition("#")
        assert PINNED.match(value.strip()), f"{path.name}: {line.strip()} is not pinned by a 40-hex commit SHA"
        assert re.match(r"\s*v\d+(\.\d+)*\s*$", comment), f"{path.name}: {line.strip()} names no tag in a comment"


def test_checkouts_keep_no_credentials() -> None:
    checkouts = [(f, n, s) for f, n, job, _ in jobs() for s in job["steps"]
                 if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts
    for file, name, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, f"{file}:{name}: persist-credentials"


def test_no_job_that_runs_repository_code_may_write() -> None:
    for file, name, job, workflow in jobs():
        granted = permissions(job, workflow)
        writes = sorted(k for k, v in granted.items() if v == "write")
        checks_out = any(str(s.get("uses", "")).startswith("actions/checkout@") for s in job["steps"])
        runs_code = [s["run"] for s in job["steps"] if "run" in s and RUNS_REPO_CODE.search(s["run"])]
        if checks_out or runs_code:
            assert writes == [], f"{file}:{name} runs the repository's code with write permission {writes}"


def test_the_pull_request_workflow_is_read_only_and_the_report_runs_no_pr_code() -> None:
    pr, report = load(WORKFLOWS / "pr.yaml"), load(WORKFLOWS / "pr-report.yaml")
    assert "pull_request" in pr["on"] and "pull_request_target" not in pr["on"]
    assert pr["permissions"] == {"contents": "read"}
    for job in pr["jobs"].values():
        assert set(permissions(job, pr).values()) <= {"read", "none"}
    # the write permissions live in a workflow_run of `pr`, which checks out nothing (works for forks)
    assert report["on"] == {"workflow_run": {"workflows": ["pr"], "types": ["completed"]}}
    assert report["permissions"] == {}
    (job,) = report["jobs"].values()
    assert permissions(job, report) == {"actions": "read", "security-events": "write", "pull-requests": "write"}
    uses = [str(s.get("uses", "")).split("@")[0] for s in job["steps"]]
    assert "actions/checkout" not in uses
    assert uses.count("github/codeql-action/upload-sarif") == 1
    assert any("gh pr comment" in s.get("run", "") for s in job["steps"])
    # failure too: the SARIF and the diff of a failing check are what a reviewer needs most
    assert "'failure'" in job["if"] and "'success'" in job["if"]


def test_the_report_is_handed_over_even_when_the_check_fails() -> None:
    job = load(WORKFLOWS / "pr.yaml")["jobs"]["check"]
    steps = {s.get("name") or str(s.get("uses")).split("@")[0]: s for s in job["steps"]}
    for name in ("genai-gitops check", "rendered diff", "hand the report to pr-report.yaml"):
        assert "!cancelled()" in steps[name]["if"], name
    assert "check --output sarif --output-file check.sarif" in steps["genai-gitops check"]["run"]
    assert "diff.md" in steps["rendered diff"]["run"]


def test_installed_once_with_a_pip_cache() -> None:
    job = load(WORKFLOWS / "pr.yaml")["jobs"]["check"]
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert sum("make install" in r for r in runs) == 1
    python = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"


def test_pull_requests_restore_the_cache_and_never_save_it() -> None:
    job = load(WORKFLOWS / "pr.yaml")["jobs"]["check"]
    uses = [(str(s.get("uses", "")).split("@")[0], s) for s in job["steps"]]
    assert "actions/cache" not in [u for u, _ in uses]  # the plain action saves in its post step, on PRs too
    (restore,) = [s for u, s in uses if u == "actions/cache/restore"]
    (save,) = [s for u, s in uses if u == "actions/cache/save"]
    assert restore["with"]["path"] == save["with"]["path"] == ".genai-gitops-cache"
    assert "github.event_name == 'push'" in save["if"]


def test_the_trusted_gate_judges_the_change_with_the_base_branchs_checker() -> None:
    pr = load(WORKFLOWS / "pr.yaml")
    job = pr["jobs"]["trusted-gate"]
    assert "pull_request" in job["if"]
    assert set(permissions(job, pr).values()) <= {"read", "none"}
    checkouts = [s["with"] for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout@")]
    trusted = next(c for c in checkouts if c.get("path") == "trusted")
    change = next(c for c in checkouts if c.get("path") == "change")
    assert trusted["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert "ref" not in change  # the pull request's merge commit, as the `check` job sees it
    runs = [s for s in job["steps"] if "run" in s]
    # only the base's code is installed and run; the change is only read
    assert [s["run"] for s in runs if "make" in s["run"]] == ["make -C trusted install"]
    (gate,) = [s for s in runs if "genai-gitops check" in s["run"]]
    assert gate["working-directory"] == "change"
    assert gate["run"].startswith("../trusted/.venv/bin/genai-gitops check ")
    assert "--no-drift" in gate["run"] and "--no-cache" in gate["run"]
    assert not any("change/" in s["run"] and ("make" in s["run"] or "pip" in s["run"]) for s in runs)


def test_code_owners_guard_every_path_that_defines_the_checker() -> None:
    owners = Path(__file__).resolve().parents[1] / ".github" / "CODEOWNERS"
    rules = [line.split() for line in owners.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert rules[0][0] == "*", "a default owner first, so no path is left without one"
    claimed = {pattern for pattern, *_ in rules}
    for path in ("/genai_gitops/", "/constructs/", "/policies/", "/requirements/", "/.github/", "/Makefile",
                 "/.ci/", "/pyproject.toml", "/package-lock.json", "/.genai-gitops.yaml", "/app.py"):
        assert path in claimed, f"{path} has no explicit code owner"
    assert all(len(rule) >= 2 and all(o.startswith("@") for o in rule[1:]) for rule in rules)

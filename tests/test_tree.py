"""Every file under dist/ and argocd/ is read by `check` or is a finding (issue 11, hole 1).

Each hostile entry is added to a fresh synth; the exact tree finding is asserted, and the verdict is
the same with no cache and with a cache warmed before the edit (folder digests cover every file).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from genai_gitops.check import CheckOptions, run_check
from genai_gitops.synth import synthesize
from tests.conftest import copy_fixture_data

REPO = Path(__file__).resolve().parents[1]
REMOVE = "remove it (`make synth` writes only regular manifest files)"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree-example")
    copy_fixture_data(root)  # the frozen fixture data, never the committed tenants
    shutil.copytree(REPO / "policies", root / "policies")
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist", policies_dir=root / "policies",
               argocd_dir=root / "argocd")
    return root


@pytest.fixture()
def repo(example: Path, tmp_path: Path) -> Path:
    shutil.copytree(example, tmp_path / "repo", symlinks=True)
    return tmp_path / "repo"


def check(repo: Path, *, cache_dir: Path | None = None, drift: bool = True,
          validators=()) -> list[tuple[str, str, str]]:
    report = run_check(CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml",
                                    dist=repo / "dist", argocd=repo / "argocd", policies=repo / "policies",
                                    validators=validators, drift=drift, cache_dir=cache_dir, workers=1))
    return sorted((f.validator, f.rule, f.file) for f in report.findings)


def write(path: str, text: str = "{}\n") -> Callable[[Path], None]:
    def edit(repo: Path) -> None:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    return edit


def link(path: str, target: str) -> Callable[[Path], None]:
    return lambda repo: (repo / path).symlink_to(target)


ACME = "dist/customer-eu-1/tenant-acme"
CASES = {
    "jsonnet in an existing folder": (write(f"{ACME}/main.jsonnet"), "tree-jsonnet", f"{ACME}/main.jsonnet"),
    "libsonnet": (write(f"{ACME}/lib.libsonnet"), "tree-jsonnet", f"{ACME}/lib.libsonnet"),
    "kustomization.yaml": (write(f"{ACME}/kustomization.yaml", "resources: []\n"), "tree-source-type",
                           f"{ACME}/kustomization.yaml"),
    "Chart.yaml": (write(f"{ACME}/Chart.yaml", "name: x\n"), "tree-source-type", f"{ACME}/Chart.yaml"),
    "a text file": (write(f"{ACME}/notes.txt", "hello\n"), "tree-not-manifest", f"{ACME}/notes.txt"),
    "a hidden file": (write(f"{ACME}/.extra.yaml", "a: 1\n"), "tree-hidden", f"{ACME}/.extra.yaml"),
    "a hidden folder": (write(f"{ACME}/.git-crypt/x.yaml", "a: 1\n"), "tree-hidden", f"{ACME}/.git-crypt"),
    "a symlinked manifest": (link(f"{ACME}/Service-x.yaml", "Service-ollama.yaml"), "tree-symlink",
                             f"{ACME}/Service-x.yaml"),
    "a symlinked folder": (link(f"{ACME}/sub", "../tenant-initech"), "tree-symlink", f"{ACME}/sub"),
    "a subfolder": (write(f"{ACME}/sub/ConfigMap-x.yaml", "a: 1\n"), "tree-nested-folder", f"{ACME}/sub"),
    "a file beside the app folders": (write("dist/customer-eu-1/README.md", "x\n"), "tree-misplaced",
                                      "dist/customer-eu-1/README.md"),
    "a file directly in dist/": (write("dist/x.yaml", "a: 1\n"), "tree-misplaced", "dist/x.yaml"),
    "a folder of no cluster": (write("dist/evil/tenant-x/ConfigMap-x.yaml", "a: 1\n"), "tree-unknown-cluster",
                               "dist/evil"),
    "jsonnet in argocd/apps": (write("argocd/apps/main.jsonnet"), "tree-jsonnet", "argocd/apps/main.jsonnet"),
    "a new argocd/ folder": (write("argocd/extra/AppProject-x.yaml", "a: 1\n"), "tree-unexpected-folder",
                             "argocd/extra"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_unread_entry_is_a_finding_with_and_without_cache(case: str, repo: Path, tmp_path: Path) -> None:
    edit, rule, file = CASES[case]
    cache_dir = tmp_path / "cache"
    assert check(repo, cache_dir=cache_dir) == []  # warm the cache on the clean tree
    edit(repo)
    cold = check(repo)
    assert ("tree", rule, file) in cold
    assert [f for f in cold if f[0] == "tree"] == [("tree", rule, file)]
    assert check(repo, cache_dir=cache_dir) == cold
    assert [f for f in check(repo, drift=False) if f[0] == "tree"] == [("tree", rule, file)]


def test_the_jsonnet_guardrails_folder_of_the_report(repo: Path, tmp_path: Path) -> None:
    """The reported attack: a new folder matching the guard-rails ApplicationSet, holding only Jsonnet."""
    folder = "dist/customer-eu-1/tenant-x-guardrails"
    write(f"{folder}/main.jsonnet", '{kind: "ClusterRoleBinding"}\n')(repo)
    assert check(repo, drift=False) == [("tree", "tree-jsonnet", f"{folder}/main.jsonnet"),
                                        ("tree", "tree-unclaimed-folder", folder)]
    assert check(repo) == [("drift", "dist-unexpected", folder), ("tree", "tree-jsonnet", f"{folder}/main.jsonnet")]


def test_messages_say_what_to_do(repo: Path) -> None:
    write(f"{ACME}/main.jsonnet")(repo)
    report = run_check(CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml",
                                    dist=repo / "dist", argocd=repo / "argocd", policies=repo / "policies",
                                    validators=(), drift=False, workers=1))
    assert [f.message for f in report.findings] == [
        f"{ACME}/main.jsonnet is Jsonnet: Argo CD evaluates *.jsonnet in directory apps, the check does not read "
        f"it; {REMOVE}"]
    assert report.exit_code() == 1

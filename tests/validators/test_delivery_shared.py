"""The delivery check reusing the Folders `check` read (ValidatorOptions.read_folders): the same
findings, in the same order, as reading every folder itself, on a generated repository of several
tenants, intact and with hostile app folders (hidden files, Jsonnet, links, subfolders, files of
other names) that must fall back to reading the folder and listing it."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
import yaml

from genai_gitops.cache import NO_CACHE, DiskCache, ResultCache
from genai_gitops.manifests.cached import Folder, load_folders
from genai_gitops.model.loader import load_inventory
from genai_gitops.report.finding import Finding
from genai_gitops.validators.base import Target
from genai_gitops.validators.delivery import DeliveryValidator
from genai_gitops.validators.delivery.reading import SharedFolders
from genai_gitops.validators.registry import ValidatorOptions

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

#: tenants of the generated repository (bench/generate.py: 10 customer clusters and a central one)
TENANTS = 4


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from genai_gitops.synth import synthesize

    root = bench.generate(TENANTS, tmp_path_factory.mktemp("delivery-shared") / "repo")
    synthesize(root / "tenants", root / "clusters.yaml", root / "dist", policies_dir=root / "policies",
               argocd_dir=root / "argocd")
    return root


@pytest.fixture()
def repo(generated: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(generated, root, symlinks=True)
    return root


def read_as_check(root: Path) -> dict[str, Folder]:
    """What check.py hands over: load_folders of each inventory cluster's dist/ folder, by path."""
    inventory = load_inventory(root / "clusters.yaml")
    return {f.path: f for c in inventory.clusters if (root / "dist" / c.name).is_dir()
            for f in load_folders([root / "dist" / c.name])}


def run(root: Path, *, cache: ResultCache | None = None,
        folders: dict[str, Folder] | None = None) -> tuple[dict[str | None, list[Finding]], DeliveryValidator]:
    """Every target's findings (each cluster, and one target for the repository), as `check` asks."""
    inventory = load_inventory(root / "clusters.yaml")
    options = ValidatorOptions(repo_root=root, read_folders=folders, cache=NO_CACHE if cache is None else cache)
    validator = DeliveryValidator(options)
    out: dict[str | None, list[Finding]] = {}
    for cluster in (None, *(c.name for c in inventory.clusters)):
        spec = inventory.by_name()[cluster] if cluster else None
        target = Target(name=cluster or "dist", k8s_version="1.30", resources=(), cluster=spec, inventory=inventory)
        out[cluster] = list(validator.validate(target))
    return out, validator


def clean_folders(validator: DeliveryValidator) -> dict[str, frozenset[str]]:
    (check,) = validator._checks.values()
    assert check.shared is not None
    return check.shared.clean


def tenant_folders(root: Path) -> list[Path]:
    found = sorted(p for p in (root / "dist").glob("customer-*/tenant-*") if not p.name.endswith("-guardrails"))
    assert len(found) >= 3, found
    return found


def make_hostile(root: Path) -> list[Path]:
    """App folders the check's Folder does not mirror exactly; returns them."""
    first, second, third = tenant_folders(root)[:3]
    (first / ".hidden.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n")
    (first / "main.jsonnet").write_text("{}\n")
    service = sorted(first.glob("ServiceAccount-*.yaml"))[0]
    os.symlink(service, second / "Service-link.yaml")
    (second / "Kustomization").write_text("resources: []\n")
    (third / "sub").mkdir()
    (third / "sub" / "ConfigMap-deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n")
    return [first, second]


def break_objects(root: Path) -> None:
    """Findings of the object rules: a tenant object in another namespace, a cluster-scoped one."""
    folder = tenant_folders(root)[-1]
    path = sorted(folder.glob("ServiceAccount-*.yaml"))[0]
    data = yaml.safe_load(path.read_text())
    data["metadata"]["namespace"] = "kube-system"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    (folder / "ClusterRole-foo.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: foo}\n")


def without_directory_globs(root: Path) -> None:
    """Applications whose type Argo CD detects from the folder (no include/exclude): a kustomization.yaml
    in a folder the check's Folder mirrors makes it Kustomize."""
    for appset in (root / "argocd").rglob("applicationset-*.yaml"):
        data = yaml.safe_load(appset.read_text())
        source = data["spec"]["template"]["spec"].get("source")
        if isinstance(source, dict) and "directory" in source:
            source["directory"] = {"recurse": False}
            appset.write_text(yaml.safe_dump(data, sort_keys=False))
    (tenant_folders(root)[2] / "kustomization.yaml").write_text("resources: []\n")


def assert_same_everywhere(root: Path, tmp_path: Path, name: str) -> dict[str | None, list[Finding]]:
    """Reading every folder itself (no cache) is the reference; the shared Folders, cold and warm, and
    the cache without them, give exactly its findings."""
    expected, _ = run(root)
    shared, validator = run(root, folders=read_as_check(root))
    assert shared == expected
    cache = DiskCache(tmp_path / f"cache-{name}")
    assert run(root, cache=cache, folders=read_as_check(root))[0] == expected  # cold
    assert run(root, cache=cache, folders=read_as_check(root))[0] == expected  # warm
    assert run(root, cache=cache)[0] == expected  # warm, without the shared folders
    assert len(clean_folders(validator)) > 20  # the fast path was taken for most folders
    return expected


def test_intact_repository(repo: Path, tmp_path: Path) -> None:
    expected = assert_same_everywhere(repo, tmp_path, "intact")
    assert not any(expected.values()) and len(expected) == 12  # the repository and its 11 clusters


def test_hostile_folders_fall_back_to_reading_them(repo: Path, tmp_path: Path) -> None:
    hostile = make_hostile(repo)
    break_objects(repo)
    expected = assert_same_everywhere(repo, tmp_path, "hostile")
    rules = {f.rule for found in expected.values() for f in found}
    assert {"reads-unchecked-file", "namespace-not-permitted", "cluster-resource-not-permitted"} <= rules, rules
    clean = clean_folders(run(repo, folders=read_as_check(repo))[1])
    assert not {str(p) for p in hostile} & set(clean)
    assert str(tenant_folders(repo)[2]) in clean  # a subfolder and a file nobody reads do not matter


def test_folders_whose_type_argo_cd_detects(repo: Path, tmp_path: Path) -> None:
    without_directory_globs(repo)
    make_hostile(repo)
    expected = assert_same_everywhere(repo, tmp_path, "detected")
    # (each finding comes twice: in its cluster's target and in the one for the whole repository)
    messages = sorted({f.message for found in expected.values() for f in found if f.rule == "source-not-directory"})
    # Kustomization (not a manifest: the folder is read again) and kustomization.yaml (answered from the
    # Folder's names)
    assert len(messages) == 2 and all(" as Kustomize, " in m for m in messages), messages
    clean = clean_folders(run(repo, folders=read_as_check(repo))[1])
    assert clean[str(tenant_folders(repo)[2])] >= {"kustomization.yaml"}


def test_an_edit_after_a_warm_run(repo: Path, tmp_path: Path) -> None:
    make_hostile(repo)
    cache = DiskCache(tmp_path / "cache")
    run(repo, cache=cache, folders=read_as_check(repo))
    break_objects(repo)
    (tenant_folders(repo)[1] / "Kustomization").unlink()
    (tenant_folders(repo)[1] / "Service-link.yaml").unlink()  # the folder is now mirrored: shared
    expected, _ = run(repo)
    assert run(repo, cache=cache, folders=read_as_check(repo))[0] == expected
    assert any(expected.values())


def test_the_check_bytes_are_what_delivery_judges(repo: Path) -> None:
    """A reused Folder is not read again: Argo CD's objects are exactly the bytes `check` read."""
    folders = read_as_check(repo)
    folder = tenant_folders(repo)[0]
    path = sorted(folder.glob("ServiceAccount-*.yaml"))[0]
    data = yaml.safe_load(path.read_text())
    data["metadata"]["namespace"] = "kube-system"
    path.write_text(yaml.safe_dump(data, sort_keys=False))  # changed on disk after the check read it
    assert not any(run(repo, folders=folders)[0].values())
    assert any(run(repo, folders=read_as_check(repo))[0].values())


def test_own_files_reuses_only_an_exact_folder(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "ConfigMap-a.yaml").write_text("kind: ConfigMap\n")
    (app / "sub").mkdir()
    (app / "sub" / "x.yaml").write_text("kind: ConfigMap\n")

    def reuse(folders: list[Folder]) -> bool:
        shared = SharedFolders({f.path: f for f in folders})
        return shared.own_files(str(app)) is not None

    assert reuse(load_folders([app]))
    assert not reuse([])  # the check did not read it
    (app / ".b.yaml").write_text("kind: ConfigMap\n")
    assert not reuse(load_folders([app]))  # a hidden file Argo CD may read and delivery skips
    (app / ".b.yaml").unlink()
    (app / "notes.txt").write_text("x\n")
    assert not reuse(load_folders([app]))  # another entry
    (app / "notes.txt").unlink()
    big = Folder(str(app), [(str(app / "ConfigMap-a.yaml"), b"#" * (1024 * 1024 + 1))])
    assert not reuse([big])  # the check kept only the start of a file too large
    elsewhere = Folder(str(app), [(str(tmp_path / "other" / "ConfigMap-a.yaml"), b"kind: ConfigMap\n")])
    assert not reuse([elsewhere])


def test_an_edit_writes_only_the_delta_entry(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit the records of the changed Applications go to the small delta entry, the index entry
    with every record is left as it is; past MAX_DELTA_RECORDS all are written whole again. The findings
    stay those of reading everything afresh throughout."""
    from genai_gitops import cache_keys
    from genai_gitops.validators.delivery import APPS_NAMESPACE
    from genai_gitops.validators.delivery import check as delivery_check

    cache = DiskCache(tmp_path / "cache")
    run(repo, cache=cache, folders=read_as_check(repo))
    index = cache.get(APPS_NAMESPACE, cache_keys.delivery_index(root=str(repo)))
    assert isinstance(index, dict) and len(index) > 20
    assert cache.get(APPS_NAMESPACE, cache_keys.delivery_delta(root=str(repo))) is None

    break_objects(repo)
    assert run(repo, cache=cache, folders=read_as_check(repo))[0] == run(repo)[0]
    assert cache.get(APPS_NAMESPACE, cache_keys.delivery_index(root=str(repo))) == index
    delta = cache.get(APPS_NAMESPACE, cache_keys.delivery_delta(root=str(repo)))
    assert isinstance(delta, dict) and 1 <= len(delta) <= 2 and not set(delta) & set(index)

    make_hostile(repo)  # three more folders: their records join the delta
    assert run(repo, cache=cache, folders=read_as_check(repo))[0] == run(repo)[0]
    grown = cache.get(APPS_NAMESPACE, cache_keys.delivery_delta(root=str(repo)))
    assert isinstance(grown, dict) and set(delta) < set(grown)

    monkeypatch.setattr(delivery_check, "MAX_DELTA_RECORDS", 0)
    (tenant_folders(repo)[1] / "ConfigMap-new.yaml").write_text("kind: ConfigMap\nmetadata: {name: new}\n")
    expected = run(repo)[0]
    assert run(repo, cache=cache, folders=read_as_check(repo))[0] == expected
    whole = cache.get(APPS_NAMESPACE, cache_keys.delivery_index(root=str(repo)))
    assert isinstance(whole, dict) and whole != index and len(whole) == len(index)  # this run's records only
    assert cache.get(APPS_NAMESPACE, cache_keys.delivery_delta(root=str(repo))) == {}
    assert run(repo, cache=cache, folders=read_as_check(repo))[0] == expected  # warm from the whole index

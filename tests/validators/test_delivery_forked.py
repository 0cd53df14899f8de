"""Delivery's run begun in a forked child (DeliveryValidator.begin, the runner's `later` buckets): the same
findings, in the same order, as the run in this process, on a generated repository of several tenants
(bench/generate.py, 4 tenants on 10 customer clusters and a central one) with findings of every kind of
delivery rule the edits below provoke."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from genai_gitops.cache import DiskCache
from genai_gitops.check import CheckOptions, run_check
from genai_gitops.model.loader import load_inventory
from genai_gitops.validators.base import Target
from genai_gitops.validators.delivery import DeliveryValidator
from genai_gitops.validators.registry import ValidatorOptions
from tests.validators.test_delivery_shared import break_objects, make_hostile, read_as_check
from tests.validators.test_delivery_shared import generated as generated
from tests.validators.test_delivery_shared import repo as repo

VALIDATORS = ("schema", "refs", "capacity", "foundations", "delivery")


def targets(root: Path) -> list[Target]:
    inventory = load_inventory(root / "clusters.yaml")
    return [Target(name=c.name, k8s_version="1.30", resources=(), cluster=c, inventory=inventory)
            for c in sorted(inventory.clusters, key=lambda c: c.name)]


def check(root: Path, workers: int, cache_dir: Path | None) -> list[dict]:
    report = run_check(CheckOptions(repo=root, tenants=root / "tenants", clusters=root / "clusters.yaml",
                                    dist=root / "dist", argocd=root / "argocd", policies=root / "policies",
                                    validators=VALIDATORS, drift=False, cache_dir=cache_dir, workers=workers))
    return [f.to_dict() for f in report.findings]


@pytest.mark.parametrize("broken", [False, True])
def test_the_forked_run_gives_the_findings_of_the_run_in_process(repo: Path, tmp_path: Path,
                                                                   broken: bool) -> None:
    if broken:
        make_hostile(repo)
        break_objects(repo)
    options = ValidatorOptions(repo_root=repo, read_folders=read_as_check(repo), cache=DiskCache(tmp_path / "c"))
    expected = [list(DeliveryValidator(options).validate(t)) for t in targets(repo)]
    assert any(expected) == broken
    forked = DeliveryValidator(options)
    assert forked.begin(targets(repo))
    assert [list(forked.validate(t)) for t in targets(repo)] == expected
    (check,) = forked._checks.values()
    assert check._inputs is None  # the child's answer was used: this process never read the repository


def test_begun_early_and_again_by_the_runner_forks_once(repo: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """check.py begins delivery before the drift (validation.begin_background), then run_validators begins it
    again: the second call finds the child begun and starts no other."""
    from genai_gitops import pools
    from genai_gitops.validation import begin_background

    options = ValidatorOptions(repo_root=repo, read_folders=read_as_check(repo), cache=DiskCache(tmp_path / "c"))
    expected = [list(DeliveryValidator(options).validate(t)) for t in targets(repo)]
    forks: list[object] = []
    real = pools.ForkedCall.__init__

    def counted(self: pools.ForkedCall, fn: object) -> None:
        forks.append(fn)
        real(self, fn)  # type: ignore[arg-type]

    monkeypatch.setattr(pools.ForkedCall, "__init__", counted)
    validator = DeliveryValidator(options)
    begin_background([validator], targets(repo), workers=1)
    assert forks == []  # one worker: no second process
    begin_background([validator], targets(repo), workers=2)
    assert validator.begin(targets(repo))
    assert len(forks) == 1
    assert [list(validator.validate(t)) for t in targets(repo)] == expected


def test_a_whole_check_with_delivery_forked_equals_one_without(repo: Path, tmp_path: Path) -> None:
    """`check` with two workers (delivery forked, its buckets filled last) against one worker (no child): every
    finding in the order reported, cold and warm."""
    make_hostile(repo)
    break_objects(repo)
    expected = check(repo, 1, None)
    assert any(f["validator"] == "delivery" for f in expected)
    assert any(f["validator"] != "delivery" for f in expected)
    assert check(repo, 2, None) == expected
    assert check(repo, 2, tmp_path / "cache") == expected  # cold cache
    assert check(repo, 2, tmp_path / "cache") == expected  # warm


def test_the_platform_loaded_in_a_child_while_dist_is_read(repo: Path, tmp_path: Path) -> None:
    """check.py loads the tenants in a forked child while it reads dist/: the same findings as loading them first
    (above), and for invalid data the same ModelError, problem for problem."""
    from genai_gitops.cache import MemoryCache
    from genai_gitops.check import _platform_in_child
    from genai_gitops.model.errors import ModelError

    options = CheckOptions(repo=repo, tenants=repo / "tenants", clusters=repo / "clusters.yaml", dist=repo / "dist",
                           argocd=repo / "argocd", policies=repo / "policies", validators=VALIDATORS, workers=2)
    early = _platform_in_child(options, MemoryCache())
    assert early is not None and early[0].result() is not None
    assert _platform_in_child(replace(options, workers=1), MemoryCache()) is None
    assert _platform_in_child(replace(options, shard=(1, 2)), MemoryCache()) is None
    tenant = sorted((repo / "tenants").glob("*.yaml"))[0]
    tenant.write_text(tenant.read_text() + "favourite_colour: blue\n")
    raised = []
    for workers in (1, 2):
        with pytest.raises(ModelError) as caught:
            check(repo, workers, tmp_path / f"cache-{workers}")
        raised.append(caught.value.problems)
    assert raised[0] == raised[1] and raised[0]

"""The PR check for this repository: data valid, output not drifted, every validator per cluster."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from genai_gitops.drift import drift_findings
from genai_gitops.model.loader import Platform, load_platform
from genai_gitops.report.progress import Progress
from genai_gitops.report.run import Report
from genai_gitops.synth import synthesize_platform
from genai_gitops.validation import read_manifests, run_validators, start_validators
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions


@dataclass(frozen=True)
class CheckOptions:
    repo: Path
    tenants: Path
    clusters: Path
    dist: Path
    argocd: Path
    policies: Path
    validators: Sequence[str]
    drift: bool = True
    #: (index, count), 1-based: this run checks only its share of the clusters
    shard: tuple[int, int] = (1, 1)


def shard_clusters(platform: Platform, shard: tuple[int, int]) -> list[str]:
    """The clusters shard `i` of `n` owns: whole clusters (referential checks need all of a cluster),
    balanced greedily by app count, deterministic, so the shards' union is exactly an unsharded run."""
    index, count = shard
    from genai_gitops.synth.apps import plan_apps

    sizes: dict[str, int] = {c.name: 0 for c in platform.clusters}
    for app in plan_apps(platform):
        sizes[app.cluster] += 1
    loads = [0] * count
    owner: dict[str, int] = {}
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        slot = min(range(count), key=lambda i: (loads[i], i))
        owner[name] = slot
        loads[slot] += sizes[name]
    return sorted(n for n, slot in owner.items() if slot == index - 1)


def cluster_targets(platform: Platform, dist: Path,
                    only: Sequence[str] | None = None) -> tuple[list[Target], list, list[str], list]:
    """One Target per cluster (all its app folders together) with the cluster's Kubernetes version."""
    targets, findings, files, runs = [], [], [], []
    for cluster in platform.clusters:
        if only is not None and cluster.name not in only:
            continue
        manifests, run = read_manifests([dist / cluster.name]) if (dist / cluster.name).is_dir() else (None, None)
        if manifests is None:
            continue
        findings += manifests.findings
        files += manifests.files
        runs.append(run)
        targets.append(Target(name=cluster.name, k8s_version=cluster.kubernetes_version,
                              resources=manifests.resources, cluster=cluster,
                              tenants=platform.tenants_on(cluster.name), inventory=platform.inventory))
    return targets, findings, files, runs


def run_check(options: CheckOptions, *, progress: Progress | None = None) -> Report:
    started = time.perf_counter()
    platform = load_platform(options.tenants, options.clusters)  # ModelError: the caller reports it
    mine = shard_clusters(platform, options.shard)
    findings = []
    if options.drift:
        with tempfile.TemporaryDirectory(prefix="genai-gitops-check-") as scratch:
            fresh = Path(scratch)
            first = options.shard[0] == 1
            synthesize_platform(platform, fresh / "dist", policies_dir=options.policies,
                                argocd_dir=fresh / "argocd" if first else None, clusters=mine)
            for cluster in mine:
                findings += drift_findings(options.dist / cluster, fresh / "dist" / cluster, f"dist/{cluster}")
            if first:  # folders of clusters no longer in the inventory, and argocd/, belong to shard 1
                known = {c.name for c in platform.clusters}
                findings += [f for f in drift_findings(options.dist, fresh / "dist", "dist")
                             if f.file.split("/")[1] not in known]
                findings += drift_findings(options.argocd, fresh / "argocd", "argocd")
    targets, read_findings, files, runs = cluster_targets(platform, options.dist, mine)
    skips = options.policies / "checkov-skips.yaml"
    validator_options = ValidatorOptions(policy_paths=(options.policies,) if options.policies.is_dir() else (),
                                         checkov_skips=skips if skips.is_file() else None)
    validators, startup = start_validators(options.validators, validator_options)
    merged = [r for r in runs if r is not None]
    parse = merged[0] if merged else None
    if parse is not None:
        from dataclasses import replace
        parse = replace(parse, seconds=sum(r.seconds for r in merged), resources=sum(r.resources for r in merged),
                        targets=len(merged))
    return run_validators(targets, validators, findings=[*findings, *read_findings, *startup], files=files,
                          runs=[parse] if parse else [], progress=progress, started=started)

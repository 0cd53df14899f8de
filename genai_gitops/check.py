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


def cluster_targets(platform: Platform, dist: Path) -> tuple[list[Target], list, list[str], list]:
    """One Target per cluster (all its app folders together) with the cluster's Kubernetes version."""
    targets, findings, files, runs = [], [], [], []
    for cluster in platform.clusters:
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
    findings = []
    if options.drift:
        with tempfile.TemporaryDirectory(prefix="genai-gitops-check-") as scratch:
            fresh = Path(scratch)
            synthesize_platform(platform, fresh / "dist", policies_dir=options.policies,
                                argocd_dir=fresh / "argocd")
            findings += drift_findings(options.dist, fresh / "dist", "dist")
            findings += drift_findings(options.argocd, fresh / "argocd", "argocd")
    targets, read_findings, files, runs = cluster_targets(platform, options.dist)
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

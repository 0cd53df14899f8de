"""The PR check for this repository: data valid, output not drifted, every validator per cluster.

Incremental by content: with a cache folder, an app whose inputs did not change is not re-rendered
(its committed folder is compared with the digest its inputs produced before), a cluster whose
folders did not change is answered from the cache without parsing, and only changed folders are
parsed and validated again. Referential checks still see the whole cluster: a cluster with any
change is validated as a whole (from per-folder cached parts where they are per-object).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from genai_gitops import cache_keys, pools
from genai_gitops.cache import DiskCache, MemoryCache, ResultCache, files_digest
from genai_gitops.cache_trust import git_tracked, untrusted_finding, untrusted_reason
from genai_gitops.drift import drift_findings
from genai_gitops.manifests.cached import Folder, LazyResources, folder_digest, load_folders
from genai_gitops.model.apps import AppSpec, plan_apps
from genai_gitops.model.errors import ModelError
from genai_gitops.model.loader import Platform, load_inventory, load_platform
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.report.progress import Progress
from genai_gitops.report.rules import RuleRegistry
from genai_gitops.report.run import Report, ValidatorRun
from genai_gitops.report.sources import map_to_tenants
from genai_gitops.report.suppression import TenantEntry, apply_tenant_entries
from genai_gitops.synth import policy_objects
from genai_gitops.synth.argocd import write_argocd
from genai_gitops.synth.inputs import InputKeys
from genai_gitops.synth.render import PARALLEL_THRESHOLD, RenderWorkers, SynthInputs, render
from genai_gitops.synth.swap import JOURNAL, SwapError, recover
from genai_gitops.synth.writer import write_app
from genai_gitops.tree import tree_findings
from genai_gitops.validation import begin_background, run_validators, start_validators
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
    cache_dir: Path | None = None
    workers: int = 2


def shard_clusters(platform: Platform, shard: tuple[int, int]) -> list[str]:
    """The clusters shard `i` of `n` owns: whole clusters (referential checks need all of a cluster),
    balanced greedily by app count, deterministic, so the shards' union is exactly an unsharded run."""
    index, count = shard
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


def _drift(options: CheckOptions, platform: Platform, mine: list[str], folders: dict[str, Folder],
           cache: ResultCache, render_workers: RenderWorkers | None = None) -> list[Finding]:
    """Committed dist/ (and argocd/, in shard 1) against a fresh synth of only what may differ."""
    policies = options.policies if options.policies.is_dir() else None
    keys = InputKeys(platform, files_digest([policies]) if policies else "")
    apps = [a for a in plan_apps(platform) if a.cluster in mine]
    committed = {os.path.relpath(path, options.dist): folder.digest for path, folder in folders.items()}
    # an app folder with anything in a subfolder differs from the synth whatever its own digest says
    nested = {os.sep.join(path.split(os.sep)[:2]).replace(os.sep, "/") for path in committed if path.count(os.sep) >= 2}
    app_keys = {app.path: keys.key(app) for app in apps}
    expected, recorded = _expected_digests(apps, app_keys, cache)
    stale = [app for app in apps
             if expected.get(app.path) is None or committed.get(app.path) != expected[app.path] or app.path in nested]
    first = options.shard[0] == 1
    findings: list[Finding] = []
    rendered_paths: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="genai-gitops-check-") as scratch:
        fresh = Path(scratch)
        # rendered in memory and compared by digest; only an app that differs is written out, for the
        # field-by-field message (writing and re-reading every fresh file was most of a clean drift check)
        # the policies are read only for a render (a policy change makes the cluster-config apps stale)
        for rendered in render(SynthInputs(platform, policy_objects(policies)) if stale else SynthInputs(platform),
                               stale, options.workers, render_workers):
            app = rendered.spec
            rendered_paths.add(app.path)
            expected[app.path] = folder_digest((name, text.encode()) for name, text in rendered.files)
            cache.put(cache_keys.SYNTH, app_keys[app.path], expected[app.path])
            if committed.get(app.path) != expected[app.path] or app.path in nested:
                write_app(fresh / "dist" / app.path, rendered.files)
                findings += drift_findings(options.dist / app.path, fresh / "dist" / app.path, f"dist/{app.path}")
        _record_clusters(apps, app_keys, expected, cache, unchanged=recorded, rendered=rendered_paths)
        planned = {a.path for a in apps}
        known = {c.name for c in platform.clusters}
        for path in sorted(committed):
            cluster = path.split(os.sep)[0]
            # a folder no app claims any more (a removed tenant), in this shard's clusters or unknown ones
            if path not in planned and (cluster in mine or (first and cluster not in known)):
                findings.append(Finding(file=f"dist/{path}", line=None, api_version="", kind="", namespace="",
                                        name="", validator="drift", rule="dist-unexpected", severity=Severity.ERROR,
                                        message="a fresh synth no longer writes this app (stale); run `make synth` "
                                                "and commit dist/" if path.count(os.sep) == 1 else
                                                "a fresh synth writes no such folder; run `make synth` and commit "
                                                "dist/"))
        if first:
            write_argocd(platform, stale, fresh / "argocd")
            findings += drift_findings(options.argocd, fresh / "argocd", "argocd")
    return findings


def _cluster_apps(apps: list[AppSpec], app_keys: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """Per cluster: the `synth_cluster` key of its apps and their paths."""
    paths: dict[str, list[str]] = {}
    for app in apps:
        paths.setdefault(app.cluster, []).append(app.path)
    return {cluster: (cache_keys.synth_cluster((p, app_keys[p]) for p in sorted(ps)), sorted(ps))
            for cluster, ps in paths.items()}


def _expected_digests(apps: list[AppSpec], app_keys: dict[str, str],
                      cache: ResultCache) -> tuple[dict[str, str | None], set[str]]:
    """What each app's inputs render to, when known: one cache entry per cluster whose apps' inputs are
    all as an earlier check saw them, else one per app (what the synth recorded). Also the `synth_cluster`
    keys found (nothing to record again for them)."""
    expected: dict[str, str | None] = {}
    found: set[str] = set()
    for key, paths in _cluster_apps(apps, app_keys).values():
        known = cache.get(cache_keys.SYNTH_CLUSTER, key)
        if isinstance(known, dict) and sorted(known) == paths and all(isinstance(v, str) for v in known.values()):
            expected.update(known)
            found.add(key)
        else:
            for path in paths:
                value = cache.get(cache_keys.SYNTH, app_keys[path])
                expected[path] = value if isinstance(value, str) else None
    return expected, found


def _record_clusters(apps: list[AppSpec], app_keys: dict[str, str], expected: dict[str, str | None],
                     cache: ResultCache, *, unchanged: set[str], rendered: set[str]) -> None:
    """One `synth-cluster` entry per cluster whose digests are all known, unless it was read whole from the
    cache (`unchanged`) and none of its apps was rendered again: that entry holds these digests already."""
    for key, paths in _cluster_apps(apps, app_keys).values():
        if key in unchanged and not rendered.intersection(paths):
            continue
        if all(isinstance(expected.get(p), str) for p in paths):
            cache.put(cache_keys.SYNTH_CLUSTER, key, {p: expected[p] for p in paths})


@contextlib.contextmanager
def _prestarted_render(options: CheckOptions, cache: ResultCache) -> Iterator[RenderWorkers | None]:
    """Render workers started now, when this check will most likely render enough apps to use them: a
    drift with no synth result in the cache (a cold check) over enough tenant files. A wrong guess costs
    two workers' boot; the render itself decides again with the real numbers."""
    try:
        with os.scandir(options.tenants) as entries:
            tenant_files = sum(1 for e in entries if e.name.endswith((".yaml", ".yml")))
    except OSError:
        tenant_files = 0
    # two apps per tenant, or more (plan_apps)
    if not (options.drift and options.workers > 1 and 2 * tenant_files >= PARALLEL_THRESHOLD
            and cache.holds_none(cache_keys.SYNTH)):
        yield None
        return
    with RenderWorkers(options.workers) as workers:
        yield workers


def _cache(options: CheckOptions) -> tuple[ResultCache, list[Finding]]:
    """The on-disk cache when its folder is trusted (cache_trust), else an in-memory one and a warning."""
    if options.cache_dir is None:
        return MemoryCache(), []
    reason = untrusted_reason(options.repo, options.cache_dir)
    if reason is not None:
        return MemoryCache(), [untrusted_finding(options.repo, options.cache_dir, reason)]
    return DiskCache(options.cache_dir), []


def _platform_in_child(options: CheckOptions,
                       cache: ResultCache) -> tuple[pools.ForkedCall[Platform], list[str]] | None:
    """load_platform begun in a forked child, to compute while this process reads dist/, and the clusters this
    run checks; None when that is not the same as loading first: one worker, a shard (which clusters it owns
    depends on the tenants), an interrupted synth to complete, or an inventory that does not load cleanly here
    (then load_platform reports it with everything else)."""
    if options.workers < 2 or options.shard != (1, 1) or _swap_patterns(options):
        return None
    try:
        inventory = load_inventory(options.clusters, cache)
    except (ModelError, OSError):
        return None
    # shard_clusters of the one shard: every cluster of the inventory, by name
    mine = sorted(c.name for c in inventory.clusters)
    return pools.ForkedCall(lambda: load_platform(options.tenants, options.clusters, cache=cache)), mine


def _targets(platform: Platform, mine: list[str], by_cluster: dict[str, list[Folder]], cache: ResultCache,
             workers: int) -> list[Target]:
    """One target per cluster this run checks: its dist/ folders, read lazily."""
    targets = []
    for cluster in platform.clusters:
        if cluster.name not in mine:
            continue
        content = cache_keys.target_content((f.path, f.digest) for f in by_cluster[cluster.name])
        resources = LazyResources(by_cluster[cluster.name], cache, workers, content)
        targets.append(Target(name=cluster.name, k8s_version=cluster.kubernetes_version, resources=resources,
                              cluster=cluster, tenants=platform.tenants_on(cluster.name),
                              inventory=platform.inventory, digest=content))
    return targets


def _swap_patterns(options: CheckOptions) -> list[str]:
    """The journal and staging folders an interrupted synth leaves beside dist/ and argocd/, when there are any."""
    parent, finals = options.dist.parent, [options.dist, options.argocd]
    patterns = [JOURNAL, *(f".{f.name}.staging-*" for f in finals), *(f".{f.name}.old-*" for f in finals)]
    return patterns if any(next(parent.glob(p), None) is not None for p in patterns) else []


def _recover_swap(options: CheckOptions) -> list[Finding]:
    """Complete a synth killed mid-swap (synth/swap.py) before reading the tree - unless the journal or a
    staging folder is committed: then it is the change's own, and completing it would check a tree other
    than the committed one Argo CD deploys."""
    parent, finals = options.dist.parent, [options.dist, options.argocd]
    patterns = _swap_patterns(options)
    if not patterns:
        return []

    def finding(severity: Severity, message: str) -> Finding:
        return Finding(file=JOURNAL, line=None, api_version="", kind="", namespace="", name="", validator="synth",
                       rule="interrupted-synth", severity=severity, message=message)

    tracked = git_tracked(parent, patterns)
    if tracked:
        return [finding(Severity.ERROR, f"{', '.join(sorted(tracked)[:3])}: the state of an interrupted synth is "
                                        "committed; remove it from git and run `make synth`")]
    try:
        done = recover(parent, finals)
    except SwapError as exc:
        return [finding(Severity.ERROR, str(exc))]
    return [finding(Severity.WARNING, f"{done}; the check read the completed tree")] if done else []


def run_check(options: CheckOptions, *, progress: Progress | None = None) -> Report:
    started = time.perf_counter()
    # phases before the validators: a cold check spends most of its first seconds here
    phase = progress.update if progress is not None else (lambda done, total, label: None)
    phase(0, 0, "loading tenants and clusters")
    cache, cache_findings = _cache(options)
    # a cold check renders every app for the drift: its render workers boot meanwhile (render.RenderWorkers)
    with _prestarted_render(options, cache) as render_workers:
        early = _platform_in_child(options, cache)
        if early is None:
            # ModelError: the caller reports it
            platform = load_platform(options.tenants, options.clusters, cache=cache)
            cache_findings += _recover_swap(options)
            mine = shard_clusters(platform, options.shard)
        else:
            child, mine = early
        phase(0, 0, "reading dist/")
        scan_began = time.perf_counter()
        by_cluster = {c: load_folders([options.dist / c], cache=cache) if (options.dist / c).is_dir() else []
                      for c in mine}
        if early is not None:
            # the child's platform, or (it failed: invalid data, or it died) this process's, with the same ModelError
            platform = child.result() or load_platform(options.tenants, options.clusters, cache=cache)
        folders = {f.path: f for fs in by_cluster.values() for f in fs}
        scan = ValidatorRun("scan", time.perf_counter() - scan_began, len(mine), 0)
        targets = _targets(platform, mine, by_cluster, cache, options.workers)
        skips = options.policies / "checkov-skips.yaml"
        validator_options = ValidatorOptions(policy_paths=(options.policies,) if options.policies.is_dir() else (),
                                             checkov_skips=skips if skips.is_file() else None,
                                             repo_root=options.repo, clusters_file=options.clusters, cache=cache,
                                             read_folders=folders)
        validators, startup = start_validators(options.validators, validator_options)
        if render_workers is None:
            # delivery's run, in a child, while this process finds the tree's files and the drift: after an edit
            # that core is otherwise idle until the validators start (a cold check's render workers have it)
            begin_background(validators, targets, options.workers)
        findings: list[Finding] = list(cache_findings)
        # every file Argo CD could read is read by this check, or is a finding (no cache involved)
        findings += tree_findings(options.dist, options.argocd, mine=mine, known={c.name for c in platform.clusters},
                                  planned={a.path for a in plan_apps(platform)}, first=options.shard[0] == 1,
                                  drift=options.drift)
        runs = [scan]
        if options.drift:
            phase(0, 0, "comparing dist/ and argocd/ with a fresh synth (drift)")
            drift_began = time.perf_counter()
            findings += _drift(options, platform, mine, folders, cache, render_workers)
            runs.append(ValidatorRun("drift", time.perf_counter() - drift_began, len(mine), 0))
    report = run_validators(targets, validators, findings=[*findings, *startup], runs=runs, progress=progress,
                            started=started, cache=cache, workers=options.workers)
    parse_findings = [f for t in targets if isinstance(t.resources, LazyResources)
                      for f in t.resources.parse_findings()]
    # a finding on a tenant's generated guardrails names the tenant field that shaped it
    tenant_files = {t.namespace: platform.tenant_files.get(t.id, "") for t in platform.tenants}
    mapped = map_to_tenants((*report.findings, *parse_findings), tenant_files,
                            {t.namespace: [m.name for m in t.mcp_servers] for t in platform.tenants})
    entries = [TenantEntry(platform.tenant_files.get(t.id, ""), i, t.namespace, s.rule, s.field, s.reason)
               for t in platform.tenants if t.cluster in mine for i, s in enumerate(t.suppressions)]
    if entries:
        mapped = apply_tenant_entries(mapped, entries, RuleRegistry.default(options.policies),
                                      ran=set(options.validators))
    data_files = (*platform.tenant_files.values(), os.path.relpath(options.clusters))
    return replace(report, findings=tuple(mapped), data_files=data_files)

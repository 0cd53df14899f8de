"""Synthesise dist/ (one folder per Argo CD Application) and argocd/ from the data, atomically."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from genai_gitops.jsii_node import use_bundled_node

use_bundled_node()  # before anything imports cdk8s

from genai_gitops import cache_keys  # noqa: E402
from genai_gitops.cache import ResultCache, files_digest  # noqa: E402
from genai_gitops.manifests.cached import folder_digest, remember_written  # noqa: E402
from genai_gitops.manifests.policies import load_policy_bundle  # noqa: E402
from genai_gitops.model.apps import AppSpec, plan_apps  # noqa: E402
from genai_gitops.model.loader import Platform, load_platform  # noqa: E402
from genai_gitops.synth.argocd import write_argocd  # noqa: E402
from genai_gitops.synth.inputs import InputKeys  # noqa: E402
from genai_gitops.synth.previous import previous_tree  # noqa: E402
from genai_gitops.synth.render import SynthInputs, render  # noqa: E402
from genai_gitops.synth.swap import discard, recover, staging_dir, swap_all  # noqa: E402
from genai_gitops.synth.writer import write_app  # noqa: E402


@dataclass
class SynthResult:
    #: objects written per app path (`<cluster>/<app>`)
    counts: dict[str, int] = field(default_factory=dict)
    apps: list[AppSpec] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def policy_objects(policies_dir: Path | None) -> tuple[dict, ...]:
    if policies_dir is None or not policies_dir.is_dir():
        return ()
    bundle = load_policy_bundle([policies_dir])
    return tuple(r.obj for r in (*bundle.templates, *bundle.constraints))


def synthesize_platform(platform: Platform, out_dir: Path, *, policies_dir: Path | None = None,
                        argocd_dir: Path | None = None, clusters: Collection[str] | None = None,
                        apps: Collection[str] | None = None, workers: int | None = None,
                        cache: ResultCache | None = None) -> SynthResult:
    """Render everything into staging folders, then swap them in; on any error nothing changes.

    `clusters` limits the synth to those clusters' apps (a check shard needs only its own), `apps`
    to those app paths (`<cluster>/<app>`, an incremental drift check re-renders only what changed).
    """
    planned = [a for a in plan_apps(platform) if (clusters is None or a.cluster in clusters)
               and (apps is None or a.path in apps)]
    inputs = SynthInputs(platform=platform, policy_objects=policy_objects(policies_dir))
    rendered = render(inputs, planned, workers)
    result = SynthResult(apps=planned)
    finals = [out_dir, *([argocd_dir] if argocd_dir is not None else [])]
    # a synth killed mid-swap is completed first, so the one below starts from a consistent tree
    recover(out_dir.parent, finals)
    staged = staging_dir(out_dir)
    staged_argocd = staging_dir(argocd_dir) if argocd_dir is not None else None
    try:
        # unchanged files are hard-linked from the current dist/ (synth/previous.py says why and when)
        with previous_tree(out_dir, staged) as previous:
            for app in rendered:
                with previous.folder(app.spec.cluster, app.spec.name) as before:
                    result.counts[app.spec.path] = write_app(staged / app.spec.cluster / app.spec.name,
                                                             app.files, before)
        if staged_argocd is not None:
            write_argocd(platform, planned, staged_argocd)
    except BaseException:
        discard(staged)
        if staged_argocd is not None:
            discard(staged_argocd)
        raise
    if cache is not None and cache.enabled:
        # what each app's inputs produce: `check` compares committed folders with this digest and
        # renders only apps whose inputs are new to it
        keys = InputKeys(platform, files_digest([policies_dir]) if policies_dir else "")
        for app in rendered:
            cache.put(cache_keys.SYNTH, keys.key(app.spec), folder_digest((n, t.encode()) for n, t in app.files))
    # dist/ and argocd/ as one step: journalled, completed by the next synth or check after a kill
    swap_all([(staged, out_dir), *([(staged_argocd, argocd_dir)] if staged_argocd is not None and argocd_dir
                                    is not None else [])], out_dir.parent)
    if cache is not None:
        # the next check stats these files instead of reading them (manifests/known_files.py)
        remember_written(sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink()), cache)
    return result


def synthesize(tenants_dir: str | os.PathLike[str], clusters: str | os.PathLike[str], out_dir: str | os.PathLike[str],
               *, policies_dir: str | os.PathLike[str] | None = None,
               argocd_dir: str | os.PathLike[str] | None = None, cache: ResultCache | None = None) -> SynthResult:
    platform = load_platform(tenants_dir, clusters)
    return synthesize_platform(platform, Path(out_dir), policies_dir=Path(policies_dir) if policies_dir else None,
                               argocd_dir=Path(argocd_dir) if argocd_dir else None, cache=cache)


__all__: Sequence[str] = ["SynthResult", "synthesize", "synthesize_platform"]

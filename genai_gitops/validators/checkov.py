"""checkov, run as a process from its own virtualenv (it pins packaging<24, which pytest 9 cannot share).

Every resource is written to its own temporary file, so each checkov result maps back to the
exact source file and line it came from. Justified skips are data (policies/checkov-skips.yaml),
each with a reason; a skip without a reason is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from genai_gitops import cache_keys, safeyaml
from genai_gitops.cache import digest
from genai_gitops.globs import shell_match
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.checkov_classes import NamespaceClass, judged_kinds, namespace_classes
from genai_gitops.validators.checkov_process import ARGS, ENV, CheckovScanner
from genai_gitops.validators.registry import ValidatorOptions

PROCESSES = 2  # checkov is single-threaded; two processes use both cores


@dataclass(frozen=True)
class Skip:
    check: str
    reason: str
    #: `Kind.namespace.name` globs; empty = everywhere
    resources: tuple[str, ...] = ()

    def covers(self, check: str, resource: str) -> bool:
        return check == self.check and (not self.resources or any(shell_match(g, resource)
                                                                   for g in self.resources))


def load_skips(path: Path | None) -> list[Skip]:
    if path is None:
        return []
    try:
        data = safeyaml.load_yaml(safeyaml.read_file(path)) or {}
    except safeyaml.InputError as exc:
        raise ValueError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with a `skips` list")
    skips = []
    for index, item in enumerate(data.get("skips", [])):
        if not isinstance(item, dict) or not item.get("id") or not str(item.get("reason", "")).strip():
            raise ValueError(f"{path}: skips[{index}]: every skip needs an `id` and a `reason`")
        skips.append(Skip(item["id"], item["reason"], tuple(item.get("resources", []))))
    return skips


def find_checkov() -> str:
    venv = os.environ.get("CHECKOV_VENV") or str(Path(__file__).resolve().parents[2] / ".venv-checkov")
    candidate = Path(venv) / "bin" / "checkov"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("checkov")
    if found:
        return found
    raise FileNotFoundError("checkov is not installed: run `make install` (it creates .venv-checkov) "
                            "or set CHECKOV_VENV")


def checkov_id(resource: Resource) -> str:
    return f"{resource.kind}.{resource.namespace or 'default'}.{resource.name}"


class Judgement(NamedTuple):
    """One failed check on the object at `position` of a class's canonical order (what the cache keeps)."""

    position: int
    check: str
    name: str
    guideline: str


class CheckovValidator(Validator):
    name = "checkov"
    options_used = ("checkov_skips", "cache")
    #: tenants only shape the classes of alike namespaces, and the findings equal raw checkov's whatever the
    #: classes (tests/validators/test_checkov.py): they depend on the objects alone
    data_used = ()

    def __init__(self, options: ValidatorOptions, *, deduplicate: bool = True, server: bool = True) -> None:
        self.binary = find_checkov()
        self.skips = load_skips(options.checkov_skips)
        #: judge one tenant namespace per class of alike namespaces (checkov_classes), reusing earlier runs'
        #: judgements of the same classes; False: every object, every time, nothing cached
        self.deduplicate = deduplicate
        #: server=False starts the checkov CLI for every scan (the reference the tests compare with)
        self.scanner = CheckovScanner(self.binary, server=server)
        self.cache = options.cache
        self._context: str | None = None
        self._site: list[str] | None = None
        #: a memo of pure functions (see Validator): classes per target content, judgements per class key
        self._class_memo: dict[tuple[str, str], list[NamespaceClass]] = {}
        self._pending: dict[str, Future[list[Judgement]]] = {}
        self._stored: set[str] = set()

    def cache_context(self, target: Target) -> str:
        """The skips and the installed checkov (its dist-info names the version)."""
        skips = [(s.check, s.reason, s.resources) for s in self.skips]
        return digest(str(skips), *self._dist_infos())

    def prefetch(self, targets: Sequence[Target]) -> None:
        """Judge every class of these targets not judged before in one background scan (both cores, while
        the other validators run); `validate` then waits for the classes it needs. Only classes with a
        content key are prefetched: a judgement is a function of its key, so who asks first is no matter."""
        if not self.deduplicate:
            return
        context = self._judgement_context()
        batch: list[tuple[Sequence[Resource], NamespaceClass]] = []
        for target in targets:
            resources = list(target.resources)
            for group in self._classes(target, resources):
                key = cache_keys.checkov_class(context=context, content=group.key) if group.key else None
                if key is None or key in self._pending or self.cache.get(cache_keys.CHECKOV_CLASS, key) is not None:
                    continue
                self._pending[key] = Future()
                batch.append((resources, group))
        if not batch:
            return
        futures = [self._pending[cache_keys.checkov_class(context=context, content=g.key)] for _, g in batch]

        def judge() -> None:
            try:
                judged = self._judge(batch)
            except BaseException as exc:  # validate() sees it and judges its own classes again, alone
                for future in futures:
                    future.set_exception(exc)
                return
            for future, judgements in zip(futures, judged, strict=True):
                future.set_result(judgements)

        threading.Thread(target=judge, name="checkov-prefetch", daemon=True).start()

    def validate(self, target: Target) -> Iterable[Finding]:
        resources = list(target.resources)
        if not resources:
            return []
        classes = self._classes(target, resources)
        context = self._judgement_context()
        # a class judged in an earlier run (same canonical content, same checkov and arguments) is not judged again
        judged: dict[int, list[Judgement]] = {}
        keys = [cache_keys.checkov_class(context=context, content=group.key) if group.key and self.deduplicate
                else None for group in classes]
        new: list[int] = []
        for number, key in enumerate(keys):
            if key is None:
                continue
            future = self._pending.get(key)
            if future is not None and future.exception() is None:
                judged[number] = future.result()
                new.append(number)
                continue
            hit = self.cache.get(cache_keys.CHECKOV_CLASS, key)
            if isinstance(hit, list):
                judged[number] = [Judgement(*item) for item in hit]
        todo = [number for number in range(len(classes)) if number not in judged]
        if todo:
            fresh = self._judge([(resources, classes[n]) for n in todo])
            for number, judgements in zip(todo, fresh, strict=True):
                judged[number] = judgements
            new += todo
        for number in new:
            key = keys[number]
            if key is not None and key not in self._stored:
                self._stored.add(key)
                self.cache.put(cache_keys.CHECKOV_CLASS, key, [list(j) for j in judged[number]])
        return self._findings(resources, classes, judged)

    def _classes(self, target: Target, resources: Sequence[Resource]) -> list[NamespaceClass]:
        """The target's classes, computed once per target content (prefetch and validate both ask)."""
        memo = (target.name, target.digest) if target.digest else None
        if memo is not None and memo in self._class_memo:
            return self._class_memo[memo]
        classes = (namespace_classes(resources, target.tenants, kinds=judged_kinds(self._version()))
                   if self.deduplicate else namespace_classes(resources, ()))
        if memo is not None:
            self._class_memo[memo] = classes
        return classes

    def _version(self) -> str | None:
        """The installed checkov's version, from its dist-info folder's name."""
        site = self._dist_infos()
        return site[0].removeprefix("checkov-").removesuffix(".dist-info") if len(site) == 1 else None

    def _dist_infos(self) -> list[str]:
        """The names of the installed checkov's dist-info folders (they name its version)."""
        if self._site is None:
            site = Path(self.binary).resolve().parents[1]
            self._site = [p.name for p in sorted(site.glob("lib/python*/site-packages/checkov-*.dist-info"))]
        return self._site

    def _judgement_context(self) -> str:
        """What a class's judgement depends on besides its content: checkov's version and its arguments."""
        if self._context is None:
            self._context = digest(*ARGS, *(f"{k}={v}" for k, v in sorted(ENV.items())), *self._dist_infos())
        return self._context

    def _judge(self, batch: Sequence[tuple[Sequence[Resource], NamespaceClass]]) -> list[list[Judgement]]:
        """checkov on each class's representative namespace (each with the resources it indexes, so classes of
        several targets go in one scan); each class's failed checks by canonical position."""
        with tempfile.TemporaryDirectory(prefix="genai-gitops-checkov-") as tmp:
            chunks = [Path(tmp) / f"chunk{i}" for i in range(min(PROCESSES, len(batch)))]
            for chunk in chunks:
                chunk.mkdir()
            # a namespace stays in one chunk: checkov's graph checks (e.g. CKV2_K8S_6, pods without a
            # NetworkPolicy) must see the namespace's policies next to its pods. Largest classes first,
            # each to the least loaded process, so both finish together.
            loads = [0] * len(chunks)
            order = sorted(range(len(batch)), key=lambda n: (-len(batch[n][1].representative), n))
            for number in order:
                resources, group = batch[number]
                slot = min(range(len(chunks)), key=lambda i: (loads[i], i))
                loads[slot] += len(group.representative)
                for position, index in enumerate(group.representative):
                    # one document per file: results map back by file name, not by checkov's own naming
                    path = chunks[slot] / f"c{number}-{position}.yaml"
                    path.write_text(yaml.safe_dump(resources[index].obj, sort_keys=False), encoding="utf-8")
            reports = self.scanner.scan(chunks)
        judged: list[list[Judgement]] = [[] for _ in batch]
        for report in reports:
            for failed in report.get("results", {}).get("failed_checks", []):
                number, position = map(int, Path(failed["file_path"]).stem.removeprefix("c").split("-"))
                judged[number].append(Judgement(position, failed["check_id"], failed["check_name"],
                                                failed.get("guideline") or ""))
        for judgements in judged:
            judgements.sort()
        return judged

    def _findings(self, resources: Sequence[Resource], classes: Sequence[NamespaceClass],
                  judged: dict[int, list[Judgement]]) -> list[Finding]:
        # a judged object's verdict applies to the object at the same canonical position in every member
        findings = []
        for number, group in enumerate(classes):
            for judgement in judged[number]:
                guideline = f" ({judgement.guideline})" if judgement.guideline else ""
                for member in group.members:
                    resource = resources[member[judgement.position]]
                    if any(s.covers(judgement.check, checkov_id(resource)) for s in self.skips):
                        continue
                    findings.append(Finding.about(resource, validator=self.name, rule=judgement.check,
                                                  message=f"{judgement.name}{guideline}",
                                                  severity=Severity.ERROR))
        return sorted(findings, key=lambda f: (f.file, f.line or 0, f.rule, f.message))

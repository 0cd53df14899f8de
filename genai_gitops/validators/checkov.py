"""checkov, run as a process from its own virtualenv (it pins packaging<24, which pytest 9 cannot share).

Every resource is written to its own temporary file, so each checkov result maps back to the
exact source file and line it came from. Justified skips are data (policies/checkov-skips.yaml),
each with a reason; a skip without a reason is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from genai_gitops import safeyaml
from genai_gitops.cache import digest
from genai_gitops.globs import shell_match
from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.checkov_classes import NamespaceClass, namespace_classes
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


class CheckovValidator(Validator):
    name = "checkov"
    options_used = ("checkov_skips",)

    def __init__(self, options: ValidatorOptions, *, deduplicate: bool = True) -> None:
        self.binary = find_checkov()
        self.skips = load_skips(options.checkov_skips)
        #: judge one tenant namespace per class of alike namespaces (checkov_classes); False: every object
        self.deduplicate = deduplicate

    def cache_context(self, target: Target) -> str:
        """The skips and the installed checkov (its dist-info names the version)."""
        site = sorted(Path(self.binary).resolve().parents[1].glob("lib/python*/site-packages/checkov-*.dist-info"))
        skips = [(s.check, s.reason, s.resources) for s in self.skips]
        return digest(str(skips), *(p.name for p in site))

    def validate(self, target: Target) -> Iterable[Finding]:
        resources = list(target.resources)
        if not resources:
            return []
        classes = namespace_classes(resources, target.tenants if self.deduplicate else ())
        with tempfile.TemporaryDirectory(prefix="genai-gitops-checkov-") as tmp:
            chunks = [Path(tmp) / f"chunk{i}" for i in range(min(PROCESSES, len(classes)))]
            for chunk in chunks:
                chunk.mkdir()
            # a namespace stays in one chunk: checkov's graph checks (e.g. CKV2_K8S_6, pods without a
            # NetworkPolicy) must see the namespace's policies next to its pods. Largest classes first,
            # each to the least loaded process, so both finish together.
            loads = [0] * len(chunks)
            for group in sorted(classes, key=lambda c: (-len(c.representative), c.representative)):
                slot = min(range(len(chunks)), key=lambda i: (loads[i], i))
                loads[slot] += len(group.representative)
                for index in group.representative:
                    # one document per file: results map back by file name, not by checkov's own naming
                    path = chunks[slot] / f"r{index}.yaml"
                    path.write_text(yaml.safe_dump(resources[index].obj, sort_keys=False), encoding="utf-8")
            results = self._run(chunks)
        return self._findings(results, resources, classes)

    def _run(self, chunks: Sequence[Path]) -> list[dict]:
        processes = [subprocess.Popen(
            [self.binary, "-d", str(chunk), "--framework", "kubernetes", "-o", "json", "--quiet",
             "--skip-download", "--compact"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"})
            for chunk in chunks]
        reports: list[dict] = []
        for process in processes:
            out, err = process.communicate(timeout=1800)
            # exit 1 means "failed checks"; anything else, or no JSON, is an internal error
            if process.returncode not in (0, 1) or not out.strip():
                raise RuntimeError(f"checkov exited {process.returncode}: {err.strip()[-400:]}")
            parsed = json.loads(out)
            reports.extend(parsed if isinstance(parsed, list) else [parsed])
        return reports

    def _findings(self, reports: list[dict], resources: Sequence[Resource],
                  classes: Sequence[NamespaceClass]) -> list[Finding]:
        # where each judged object's verdict also applies: the same canonical position in every member
        alike: dict[int, list[int]] = {}
        for group in classes:
            for position, index in enumerate(group.representative):
                alike[index] = [member[position] for member in group.members]
        findings = []
        for report in reports:
            for failed in report.get("results", {}).get("failed_checks", []):
                judged = int(Path(failed["file_path"]).stem.removeprefix("r"))
                check = failed["check_id"]
                guideline = f" ({failed['guideline']})" if failed.get("guideline") else ""
                for index in alike.get(judged, [judged]):
                    resource = resources[index]
                    if any(s.covers(check, checkov_id(resource)) for s in self.skips):
                        continue
                    findings.append(Finding.about(resource, validator=self.name, rule=check,
                                                  message=f"{failed['check_name']}{guideline}",
                                                  severity=Severity.ERROR))
        return sorted(findings, key=lambda f: (f.file, f.line or 0, f.rule))

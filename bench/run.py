"""The scale benchmark: `make bench` (or `python -O bench/run.py [N ...]`).

For each N (default 10, 100, 1000) it generates a repository (bench/generate.py: 10 customer
clusters and one central, all three usage modes), then measures, each as a separate process:

- synth: wall time and peak memory of the whole process tree (Python + jsii/node workers; summed PSS,
  and summed RSS, which counts pages a forked worker shares with its parent twice), and that a second synth
  from tenant files written in reverse order gives byte-identical output;
- check: the full PR check, every validator (drift + schema + Gatekeeper + checkov + refs + capacity +
  foundations + isolation + delivery), no cache; wall seconds, peak PSS and RSS of the process tree,
  per-validator seconds;
- re-synth: one tenant file edited, synth again over the existing dist/ (what a contributor runs);
- incremental check: with the cache warm, after that edit and re-synth, check again;
- kubernetes-validate (strict) on the same manifests, on a sample when N is large (rate x count);
- raw checkov alone on the same dist/, for comparison (skipped above N=--checkov-max, reported as not
  run; it does not finish at 1,000 tenants, which is why the check judges alike namespaces once).

It prints one table, and writes bench/out/results.json. Nothing here is a test: numbers vary
with the machine; tests assert behaviour, this measures it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
PYTHON = [sys.executable, "-O"]
sys.path.insert(0, str(REPO / "bench"))

from generate import generate  # noqa: E402


class Peak(NamedTuple):
    """Peaks over a process tree: summed RSS counts a page shared by a forked worker and its parent once per
    process; summed PSS (proportional set size) divides each shared page among its sharers, so it adds up
    to the memory the tree really holds."""

    rss: int
    pss: int


class TreeMemory:
    """Peak summed RSS and PSS of a process and all its descendants (sampled from /proc).

    RSS (statm, a few microseconds) is sampled ten times a second, PSS (smaps_rollup, which walks every page
    table: ~10 ms per large process, more than half a core at that rate on a check's six processes, enough
    to slow the very run it measures) once a second: a check's memory plateaus last seconds."""

    RSS_EVERY, PSS_EVERY = 0.1, 1.0

    def __init__(self, pid: int) -> None:
        self.pid, self.rss, self.pss, self._stop = pid, 0, 0, threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
        tree, stack = [], [self.pid]
        while stack:
            pid = stack.pop()
            tree.append(pid)
            stack.extend(children.get(pid, []))
        return tree

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as handle:
                return int(handle.read().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
            return 0

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line and not line[0].isdigit())
            return int(fields["Pss"].split()[0]) * 1024
        except (OSError, KeyError, ValueError):
            return 0

    def _run(self) -> None:
        last_pss = 0.0
        while not self._stop.is_set():
            tree = self._tree()
            self.rss = max(self.rss, sum(self._rss(pid) for pid in tree))
            if time.monotonic() - last_pss >= self.PSS_EVERY:
                last_pss = time.monotonic()
                self.pss = max(self.pss, sum(self._pss(pid) for pid in tree))
            time.sleep(self.RSS_EVERY)

    def stop(self) -> Peak:
        self._stop.set()
        self._thread.join()
        return Peak(self.rss, self.pss)


def timed(cmd: list[str], cwd: Path, *, env: dict | None = None, timeout: float = 3600) -> tuple[float, Peak, str]:
    began = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, **(env or {})})
    sampler = TreeMemory(process.pid)
    out, _ = process.communicate(timeout=timeout)
    peak = sampler.stop()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {process.returncode}:\n{out[-3000:]}")
    return time.perf_counter() - began, peak, out


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


# the text report's last two lines: "scan 0.32 s  drift 0.11 s ..." and "0 errors, 0 warnings in N files (N resources"
RUN_TIME = re.compile(r"([a-z]+) ([0-9.]+) s")
TOTALS = re.compile(r"^(\d+) errors?, (\d+) warnings? in \d+ files? \((\d+) resources?", re.M)


def run_check(repo: Path, cache: bool) -> tuple[float, Peak, dict]:
    """The command a contributor and CI run, from the repository's folder (so the cache's keys are the ones
    `genai-gitops synth` wrote); the per-validator seconds come from the text report's last lines."""
    command = [*PYTHON, "-m", "genai_gitops", "check", "--quiet", *([] if cache else ["--no-cache"])]
    seconds, peak, out = timed(command, repo)
    totals = TOTALS.search(out)
    timing = next((line for line in reversed(out.splitlines()) if line.startswith("scan ")), None)
    if totals is None or timing is None:
        raise RuntimeError(f"{' '.join(command)} printed no summary or no timings:\n{out[-3000:]}")
    return seconds, peak, {"errors": int(totals[1]), "warnings": int(totals[2]), "resources": int(totals[3]),
                           "runs": {name: float(s) for name, s in RUN_TIME.findall(timing)}}


KV_SNIPPET = """
import sys, time, json, kubernetes_validate, yaml
from kubernetes_validate.utils import ValidationError, SchemaNotFoundError, InvalidSchemaError
files = sys.argv[2:]
valid = invalid = 0
started = time.perf_counter()
for file in files:
    for obj in yaml.safe_load_all(open(file)):
        try:
            kubernetes_validate.validate(obj, sys.argv[1], strict=True)
            valid += 1
        except (ValidationError, SchemaNotFoundError, InvalidSchemaError):
            invalid += 1
print("RESULT " + json.dumps({"seconds": time.perf_counter() - started, "objects": valid + invalid}))
"""


OURS_SNIPPET = """
import sys, time, json
from genai_gitops.manifests import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.schema.validator import SchemaValidator
started = time.perf_counter()
resources = read_paths(sys.argv[2:]).resources
findings = list(SchemaValidator(ValidatorOptions()).validate(Target("bench", sys.argv[1], resources)))
print("RESULT " + json.dumps({"seconds": time.perf_counter() - started, "objects": len(resources)}))
"""


def kubernetes_validate(dist: Path, sample: int) -> dict:
    """kubernetes-validate strict on a sample of tenant manifests (built-in kinds; it has no CRD schemas),
    and ours on every object of the customer clusters, YAML reading included. Both on Kubernetes 1.29;
    verdict parity is asserted by bench/schema_compare.py and the schema tests."""
    files = sorted(str(p) for p in dist.glob("customer-*/tenant-*/*.yaml")
                   if not p.name.startswith(("ExternalSecret", "SecretStore")))
    step = max(1, len(files) // sample)
    _, _, out = timed([*PYTHON, "-c", KV_SNIPPET, "1.29.0", *files[::step][:sample]], REPO)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    folders = sorted(str(p) for p in dist.glob("customer-*"))
    _, _, ours_out = timed([*PYTHON, "-c", OURS_SNIPPET, "1.29", *folders], REPO)
    ours = json.loads(next(line for line in ours_out.splitlines() if line.startswith("RESULT "))[7:])
    return {"kv_seconds": result["seconds"], "kv_objects": result["objects"], "ours_seconds": ours["seconds"],
            "ours_objects": ours["objects"]}


def checkov(dist: Path, limit: float) -> float | None:
    """checkov alone on the whole dist/, or None when it did not finish within `limit` seconds."""
    binary = Path(os.environ.get("CHECKOV_VENV", REPO / ".venv-checkov")) / "bin" / "checkov"
    try:
        seconds, _, _ = timed([str(binary), "-d", str(dist), "--framework", "kubernetes", "-o", "json", "--quiet",
                               "--skip-download", "--compact"], REPO, timeout=limit)
    except subprocess.TimeoutExpired:
        subprocess.run(["pkill", "-f", f"checkov -d {dist}"], check=False)
        return None
    return seconds


def bench(count: int, checkov_max: int, kv_sample: int, checkov_limit: float) -> dict:
    work = OUT / f"n{count}"
    generate(count, work)
    synth_cmd = [*PYTHON, "-m", "genai_gitops", "synth", "--quiet"]
    synth_s, synth_rss, out = timed(synth_cmd, work)
    objects = int(out.split("synthesised ")[1].split()[0])
    first = tree_digest(work / "dist")
    # the same data written in reverse order must give the same bytes
    files = sorted((work / "tenants").iterdir(), reverse=True)
    bodies = [(f.name, f.read_bytes()) for f in files]
    shutil.rmtree(work / "tenants")
    (work / "tenants").mkdir()
    for name, body in bodies:
        (work / "tenants" / name).write_bytes(body)
    timed([*synth_cmd, "--out", "dist2", "--argocd", "argocd2"], work)
    identical = tree_digest(work / "dist2") == first
    shutil.rmtree(work / "dist2")
    shutil.rmtree(work / "argocd2")

    check_s, check_rss, check = run_check(work, cache=False)
    shutil.rmtree(work / ".genai-gitops-cache", ignore_errors=True)
    cold_s, _, _ = run_check(work, cache=True)
    tenant = work / "tenants" / "t0001.yaml"
    tenant.write_text(tenant.read_text().replace("requests_per_minute: 300", "requests_per_minute: 301"))
    # the re-synth after one edit, over the committed dist/: what a contributor runs before committing
    resynth_s, _, _ = timed(synth_cmd, work)
    incremental_s, _, incremental = run_check(work, cache=True)
    kv = kubernetes_validate(work / "dist", kv_sample)
    checkov_s = checkov(work / "dist", checkov_limit) if count <= checkov_max else None
    return {"n": count, "objects": objects, "synth_s": synth_s, "synth_peak_rss_mb": synth_rss.rss / 2**20,
            "synth_peak_pss_mb": synth_rss.pss / 2**20, "resynth_s": resynth_s, "deterministic": identical,
            "check_s": check_s,
            "check_peak_rss_mb": check_rss.rss / 2**20, "check_peak_pss_mb": check_rss.pss / 2**20,
            "check": check, "cold_cache_check_s": cold_s, "incremental_check_s": incremental_s,
            "incremental": incremental, "kubernetes_validate": kv, "checkov_s": checkov_s,
            "checkov_run": count <= checkov_max, "checkov_limit_s": checkov_limit}


def table(results: list[dict]) -> str:
    head = ("| N | objects | synth s | synth peak PSS (RSS) | re-synth after one edit s | byte-identical | "
            "check s (all validators, checkov "
            "included, no cache) | check peak PSS (RSS) | incremental check s | "
            "schema: ours vs kubernetes-validate (per object) | raw checkov alone s | check vs raw checkov |")
    rows = [head, "|" + "---|" * 12]
    for r in results:
        kv = r["kubernetes_validate"]
        ours_rate = kv["ours_objects"] / kv["ours_seconds"]
        kv_rate = kv["kv_objects"] / kv["kv_seconds"]
        checkov_s = (f"{r['checkov_s']:.1f}" if r["checkov_s"] else
                     f"> {r['checkov_limit_s']:.0f} (stopped)" if r.get("checkov_run") else "not run")
        ratio = (f"{r['checkov_s'] / r['check_s']:.1f}x faster" if r["checkov_s"] else
                 f"> {r['checkov_limit_s'] / r['check_s']:.0f}x faster" if r.get("checkov_run") else "-")
        rows.append(f"| {r['n']} | {r['objects']} | {r['synth_s']:.1f} | {r['synth_peak_pss_mb']:,.0f} MiB "
                    f"({r['synth_peak_rss_mb']:,.0f}) | {r.get('resynth_s', 0):.1f} | "
                    f"{'yes' if r['deterministic'] else 'NO'} | {r['check_s']:.1f} | "
                    f"{r['check_peak_pss_mb']:,.0f} MiB ({r['check_peak_rss_mb']:,.0f}) | "
                    f"{r['incremental_check_s']:.1f} | {ours_rate:,.0f}/s (with YAML reading) vs "
                    f"{kv_rate:,.0f}/s ({ours_rate / kv_rate:,.0f}x) | {checkov_s} | {ratio} |")
    validators = sorted({name for r in results for name in r["check"]["runs"]})
    rows += ["", "| N | " + " | ".join(validators) + " |", "|" + "---|" * (len(validators) + 1)]
    for r in results:
        rows.append(f"| {r['n']} | " + " | ".join(f"{r['check']['runs'].get(v, 0):.2f}" for v in validators) + " |")
    rows += ["", "| N | incremental: " + " | ".join(validators) + " |", "|" + "---|" * (len(validators) + 1)]
    for r in results:
        rows.append(f"| {r['n']} | " + " | ".join(f"{r['incremental']['runs'].get(v, 0):.2f}"
                                                  for v in validators) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10, 100, 1000])
    parser.add_argument("--checkov-max", type=int, default=100, help="largest N to run raw checkov on")
    parser.add_argument("--kv-sample", type=int, default=1500, help="files given to kubernetes-validate")
    parser.add_argument("--checkov-limit", type=float, default=600, help="seconds before raw checkov is stopped")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # as installed: pip writes the bytecode at install time; with PYTHONDONTWRITEBYTECODE set (as in some CI
    # images) every timed run would otherwise compile the whole package again (~0.35 s a process)
    subprocess.run([*PYTHON, "-m", "compileall", "-q", "genai_gitops", "constructs"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    results = []
    for count in args.counts:
        print(f"N={count} ...", file=sys.stderr, flush=True)
        results.append(bench(count, args.checkov_max, args.kv_sample, args.checkov_limit))
        (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()

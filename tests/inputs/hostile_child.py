"""Run every hostile file through the manifest reader and the tenant loader, inside limits.

Started as `python hostile_child.py [--libyaml-only] FILE...` by test_hostile.py (`--libyaml-only`: without
safeyaml's subset reader, so both reading paths face the corpus): the address space is capped at
500 MiB before anything is imported, each reader call gets 5 s of CPU time (ITIMER_PROF: the
test machine is shared, so wall-clock time would measure the neighbours), and the answers are
printed as JSON, one object per file.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time

LIMIT_BYTES = 500 * 1024 * 1024
SECONDS = 5

resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))

from genai_gitops import safeyaml  # noqa: E402
from genai_gitops.manifests.reader import read_paths  # noqa: E402
from genai_gitops.model.errors import ModelError  # noqa: E402
from genai_gitops.model.loader import load_tenant_file  # noqa: E402


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def timed(call):
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, SECONDS)
    start = time.process_time()
    try:
        answer = call()
    except Timeout:
        answer = "TIMEOUT"
    except MemoryError:
        answer = "OUT OF MEMORY"
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return answer, time.process_time() - start


def manifest(file):
    parsed = read_paths([file])
    return {"findings": [[f.line, f.rule, f.message] for f in parsed.findings], "resources": len(parsed.resources)}


def tenant(file):
    try:
        load_tenant_file(file)
    except ModelError as exc:
        return [str(p) for p in exc.problems]
    return []


files = sys.argv[1:]
if files[:1] == ["--libyaml-only"]:
    safeyaml.SUBSET_READER = False
    files = files[1:]
for name in files:
    m, m_seconds = timed(lambda name=name: manifest(name))
    t, t_seconds = timed(lambda name=name: tenant(name))
    print(json.dumps({"file": os.path.basename(name), "manifest": m, "tenant": t,
                      "seconds": max(m_seconds, t_seconds)}), flush=True)

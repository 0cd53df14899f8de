"""checkov scans from one long-lived process (checkov_server.py) instead of one CLI start per scan.

A check used to start the checkov CLI twice per cluster, and each start spent ~4 s of CPU importing
checkov before reading a file: at 11 clusters that was most of checkov's time. The server imports once
and forks a child per scan, which runs the CLI's own entry point (see checkov_server.py), so a scan's
report is the CLI's. Without a usable interpreter (checkov installed some other way), or when the
server dies, scans fall back to starting the CLI, with the same arguments.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from genai_gitops import pools

SERVER = Path(__file__).with_name("checkov_server.py")
#: what the CLI is given for every scan (the folder is appended)
ARGS = ("--framework", "kubernetes", "-o", "json", "--quiet", "--skip-download", "--compact")
#: environment of every scan: no calls home, no package scan
ENV = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
TIMEOUT = 1800


def interpreter_of(binary: str) -> str | None:
    """The Python that runs the `checkov` script (its shebang), or None when it is not a Python script."""
    try:
        with open(binary, "rb") as handle:
            first = handle.readline(4096).decode(errors="replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    return words[0] if words and "python" in os.path.basename(words[0]) and os.path.isfile(words[0]) else None


class CheckovScanner:
    """Scans folders with checkov; `scan` runs them in parallel and returns each one's JSON report(s)."""

    def __init__(self, binary: str, *, server: bool = True) -> None:
        self.binary = binary
        self.python = interpreter_of(binary) if server else None
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def scan(self, folders: Sequence[Path]) -> list[dict]:
        if self.python is not None:
            try:
                return self._scan_server(folders)
            except _ServerGone:
                self.close()
                self.python = None  # do not try again in this run
        return self._scan_cli(folders)

    # -- the server --------------------------------------------------------------------------------------------

    def _server(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            assert self.python is not None
            # the server's own failure (it cannot import checkov) shows as EOF, and the CLI then says why
            # -I: the script's folder (holding our own checkov.py) and PYTHONPATH stay off checkov's sys.path
            self._process = pools.popen([self.python, "-I", str(SERVER)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        env={**os.environ, **ENV}, cwd=tempfile.gettempdir())
            atexit.register(self.close)
        return self._process

    def _scan_server(self, folders: Sequence[Path]) -> list[dict]:
        with self._lock, tempfile.TemporaryDirectory(prefix="genai-gitops-checkov-out-") as tmp:
            outs = [str(Path(tmp) / f"report{i}.json") for i in range(len(folders))]
            request = {"scans": [[["-d", str(folder), *ARGS], out] for folder, out in zip(folders, outs, strict=True)]}
            process = self._server()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
                line = process.stdout.readline()
            except (BrokenPipeError, OSError):
                line = ""
            if not line:
                raise _ServerGone()
            codes = json.loads(line)["codes"]
            reports: list[dict] = []
            for code, out in zip(codes, outs, strict=True):
                body = Path(out).read_text(encoding="utf-8", errors="replace") if os.path.exists(out) else ""
                if code not in (0, 1) or not body.strip():
                    err = Path(out + ".err").read_text(errors="replace") if os.path.exists(out + ".err") else ""
                    raise RuntimeError(f"checkov exited {code}: {err.strip()[-400:]}")
                reports.extend(_parse(body))
            return reports

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            try:
                if process.stdin is not None:
                    process.stdin.close()  # EOF: the server exits
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()

    # -- the CLI, one process per folder ----------------------------------------------------------------------

    def _scan_cli(self, folders: Sequence[Path]) -> list[dict]:
        processes = [pools.popen([self.binary, "-d", str(folder), *ARGS], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
                     for folder in folders]
        reports: list[dict] = []
        for process in processes:
            out, err = process.communicate(timeout=TIMEOUT)
            # exit 1 means "failed checks"; anything else, or no JSON, is an internal error
            if process.returncode not in (0, 1) or not out.strip():
                raise RuntimeError(f"checkov exited {process.returncode}: {err.strip()[-400:]}")
            reports.extend(_parse(out))
        return reports


class _ServerGone(Exception):
    """The server died or never started (e.g. the interpreter cannot import checkov): use the CLI."""


def _parse(out: str) -> list[dict]:
    parsed = json.loads(out)
    return parsed if isinstance(parsed, list) else [parsed]

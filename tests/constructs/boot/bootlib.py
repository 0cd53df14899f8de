"""Helpers of the boot tests: the generated configs loaded by the real software (Debian packages), on 127.0.0.1 only.

Every test here is marked `boot` and skips, naming the package, when the program is missing. CI installs
them (README: "Boot tests"). Each process is started in its own session and stopped - whole process
group, TERM then KILL - when the test ends; every wait has a deadline.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

#: a program -> the Debian package that provides it
PACKAGES = {
    "postgres": "postgresql", "initdb": "postgresql", "psql": "postgresql",
    "redis-server": "redis-server", "redis-cli": "redis-tools", "redis-sentinel": "redis-sentinel",
    "promtool": "prometheus", "nginx": "nginx-light",
}
#: where Debian keeps PostgreSQL's server programs (not on PATH)
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def program(name: str) -> str:
    """The program's path, or skip the test naming the Debian package that provides it."""
    found = shutil.which(name)
    if found is None and name in ("postgres", "initdb", "pg_ctl"):
        found = next((str(d / name) for d in PG_BIN_DIRS if (d / name).exists()), None)
    if found is None:
        pytest.skip(f"{name} is not installed: apt-get install {PACKAGES.get(name, name)} (CI installs it)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, log: Callable[[], str] = lambda: "") -> None:
    """Poll `check` every 0.2 s; fail naming `what` (and the log) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} not within {timeout:.0f}s\n{log()}")


def stop(process: subprocess.Popen[Any]) -> None:
    """TERM, then KILL, the process's whole session."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def unprivileged_user() -> tuple[int, int] | None:
    """(uid, gid) to drop to when running as root (PostgreSQL refuses root); None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    pytest.skip("running as root and no unprivileged user (postgres or nobody) to drop to")


class Processes:
    """Processes a test started; all stopped at teardown."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.started: list[subprocess.Popen[Any]] = []

    def start(self, args: list[str], *, log: str, env: dict[str, str] | None = None,
              user: tuple[int, int] | None = None) -> subprocess.Popen[Any]:
        out = (self.work / log).open("ab")
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=self.work,
                                   start_new_session=True,
                                   user=user[0] if user else None, group=user[1] if user else None)
        out.close()
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            stop(process)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Start processes through this; they are all stopped when the test ends."""
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()

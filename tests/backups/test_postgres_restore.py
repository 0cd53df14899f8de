"""The README's PostgreSQL restore, on real software: the backup CronJob's own dump script runs against a
PostgreSQL holding the central databases, and the dumps are restored into a fresh PostgreSQL the way
README "Backups and restore" says. Needs the Debian `postgresql` package (initdb, pg_ctl, pg_dump,
pg_restore); skips cleanly without it."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
BIN = next((Path(d) for d in BIN_DIRS if all((Path(d) / t).exists()
                                             for t in ("initdb", "pg_ctl", "pg_dump", "pg_restore", "psql"))), None)
pytestmark = pytest.mark.skipif(BIN is None, reason="Debian postgresql package not installed (initdb, pg_ctl, "
                                                    "pg_dump, pg_restore)")


def _as_postgres() -> list[str]:
    """initdb refuses to run as root: run the server tools as the `postgres` user then."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root without a `postgres` user to run the server as")
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, root: Path, name: str) -> None:
        self.data = root / name
        self.port = _free_port()
        self.env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "PGHOST": "127.0.0.1",
                    "PGPORT": str(self.port), "PGUSER": "postgres"}

    def run(self, *args: str, input: str | None = None) -> str:
        done = subprocess.run([*_as_postgres(), *args], env=self.env, input=input, capture_output=True, text=True,
                              check=False, timeout=120)
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def start(self) -> Server:
        self.run(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        # -l: the server's output goes to a file, not into this process's pipes (which would never close)
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", f"{self.data}.log", "-w", "-o",
                 f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories=''", "start")
        return self

    def stop(self) -> None:
        subprocess.run([*_as_postgres(), str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       env=self.env, capture_output=True, check=False, timeout=60)

    def sql(self, database: str, statement: str) -> str:
        return self.run(str(BIN / "psql"), "-v", "ON_ERROR_STOP=1", "-At", "-d", database, "-c", statement)


@pytest.fixture()
def workdir() -> Iterator[Path]:
    # the server runs as `postgres`, which cannot enter pytest's private temp folders
    root = Path(tempfile.mkdtemp(prefix="genai-restore-", dir="/tmp"))
    root.chmod(0o777)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def backup_job(synthesized: Path) -> dict:
    return yaml.safe_load((synthesized / "dist" / "central-prod" / "central" / "CronJob-backup-postgres.yaml")
                          .read_text())


def test_a_dump_of_the_central_databases_restores_into_a_fresh_postgresql(synthesized: Path, workdir: Path) -> None:
    pod = backup_job(synthesized)["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (dump,) = pod["initContainers"]
    script = dump["command"][2]
    databases = next(e["value"] for e in dump["env"] if e["name"] == "DATABASES").split()
    assert databases == ["litellm", "langfuse", "lago", "mcp_registry"]

    source = Server(workdir, "source").start()
    target = Server(workdir, "target")
    try:
        for db in databases:  # what the StatefulSet's init script creates: an owner role per database
            source.sql("postgres", f"CREATE ROLE {db} LOGIN")
            source.sql("postgres", f"CREATE DATABASE {db} OWNER {db}")
            source.sql(db, f"SET ROLE {db}; CREATE TABLE spend (team text PRIMARY KEY, usd numeric(12,4)); "
                           f"INSERT INTO spend VALUES ('acme', 12.5), ('{db}', 0.0001)")
        backup = workdir / "backup"
        backup.mkdir()
        backup.chmod(0o777)  # the dump runs as `postgres` (umask would narrow mkdir's mode)
        # the CronJob's dump container, as written into dist/
        env = {**source.env, "BACKUP_DIR": str(backup), "DATABASES": " ".join(databases)}
        done = subprocess.run([*_as_postgres(), "/bin/sh", "-c", script], env=env, capture_output=True, text=True,
                              check=False, timeout=120)
        assert done.returncode == 0, done.stderr
        dumps = sorted(p.name for p in (backup / "postgres").iterdir())
        assert dumps == sorted(f"{db}.dump" for db in databases)

        # README "Backups and restore", PostgreSQL: a fresh server, the owner roles, then pg_restore per database
        target.start()
        for db in databases:
            target.sql("postgres", f"CREATE ROLE {db} LOGIN")
            target.sql("postgres", f"CREATE DATABASE {db} OWNER {db}")
            target.run(str(BIN / "pg_restore"), "--no-owner", f"--role={db}", "--exit-on-error", "--dbname", db,
                       str(backup / "postgres" / f"{db}.dump"))
            assert target.sql(db, "SELECT team, usd FROM spend ORDER BY team").splitlines() == sorted(
                ["acme|12.5000", f"{db}|0.0001"])
            assert target.sql(db, "SELECT tableowner FROM pg_tables WHERE tablename = 'spend'").strip() == db
    finally:
        source.stop()
        target.stop()

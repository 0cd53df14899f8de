"""PostgreSQL boots with the StatefulSet's arguments, runs the generated init script, and each
application's role can do what its migration needs - the Lago path that failed included.

Debian `postgresql` (15 here; the image is 18: role, ownership and extension rules are the same since
PostgreSQL 15 made `public` owned by the database owner). Only what ties the server to this machine
changes: data directory, port, socket directory and listen address (127.0.0.1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bootlib import Processes, free_port, program, unprivileged_user, wait_until

from genai_gitops_constructs.components.postgres import DATABASES, password_env

pytestmark = pytest.mark.boot

REPO = Path(__file__).resolve().parents[3]
FACTS = yaml.safe_load((REPO / "constructs" / "genai_gitops_constructs" / "upstream_facts.yaml").read_text())
SUPERUSER_PASSWORD = "boot-test-superuser"


def role_password(database: str) -> str:
    # a quote in one of them: the init script's psql variables must keep it inside the literal
    return f"boot-{database}-pw'q"


class Server:
    def __init__(self, port: int, socket_dir: Path, user: tuple[int, int] | None) -> None:
        self.port, self.socket_dir, self.user = port, socket_dir, user

    def psql(self, sql: str, *, role: str, database: str,
             password: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run SQL as `role` over TCP with its password (what the applications do)."""
        env = {"PATH": os.environ["PATH"], "PGPASSWORD": password or "", "PGCONNECT_TIMEOUT": "5"}
        return subprocess.run([program("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                               "-p", str(self.port), "-U", role, "-d", database, "-c", sql],
                              env=env, capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder the unprivileged server user can reach (pytest's own tmp tree is root-only)."""
    own = unprivileged_user() is not None
    folder = Path(tempfile.mkdtemp(prefix="genai-pg-boot-")) if own else tmp_path_factory.mktemp("pg-boot")
    try:
        yield folder
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server(central: Any, work: Path) -> Iterator[Server]:
    """One server for the module (initdb and start take seconds), stopped at the end."""
    processes = Processes(work)
    try:
        yield _boot(central, processes, work)
    finally:
        processes.stop_all()


def _boot(central: Any, processes: Processes, tmp_path: Path) -> Server:
    initdb, postgres = program("initdb"), program("postgres")
    program("psql")
    user = unprivileged_user()
    data, sockets = tmp_path / "data", tmp_path / "sockets"
    sockets.mkdir()
    (tmp_path / "pwfile").write_text(SUPERUSER_PASSWORD + "\n")
    if user is not None:
        for path in (tmp_path, sockets, tmp_path / "pwfile"):
            os.chown(path, *user)
    # what the image's entrypoint does: initdb with the superuser password, password auth over TCP
    done = subprocess.run([initdb, "-D", str(data), "-U", "postgres", "--pwfile", str(tmp_path / "pwfile"),
                           "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          user=user[0] if user else None, group=user[1] if user else None)
    assert done.returncode == 0, done.stdout + done.stderr

    container = central.get("StatefulSet", "postgres").obj["spec"]["template"]["spec"]["containers"][0]
    args = list(container["args"])
    assert args[0] == "postgres"
    port = free_port()
    process = processes.start([postgres, *args[1:], "-D", str(data), "-p", str(port),
                               "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={sockets}"],
                              log="postgres.log", user=user)
    result = Server(port, sockets, user)
    wait_until(lambda: process.poll() is None and result.psql(
        "SELECT 1", role="postgres", database="postgres", password=SUPERUSER_PASSWORD).returncode == 0,
        60, "postgres accepting connections", lambda: (tmp_path / "postgres.log").read_text())

    # the generated init script, with the environment the StatefulSet gives it
    script = tmp_path / "10-databases.sh"
    script.write_text(central.get("ConfigMap", "postgres-init").obj["data"]["10-databases.sh"])
    script.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "PGHOST": str(sockets), "PGPORT": str(port)}
    for var in container["env"]:
        if "value" in var:
            env[var["name"]] = var["value"]
    env |= {password_env(db): role_password(db) for db in DATABASES}
    done = subprocess.run(["/bin/sh", str(script)], env=env, capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, user=user[0] if user else None, group=user[1] if user else None)
    assert done.returncode == 0, done.stderr
    return result


def test_every_role_can_create_tables_in_its_own_database(server: Server) -> None:
    for database in DATABASES:
        done = server.psql("CREATE TABLE boot_probe (id integer PRIMARY KEY); DROP TABLE boot_probe;",
                           role=database, database=database, password=role_password(database))
        assert done.returncode == 0, (database, done.stderr)


def test_lago_migration_needs_are_met_and_db_create_is_not(server: Server) -> None:
    """What lago-api v1.48.1's db:migrate does as `lago`; and why migrate.sh's `rake db:create` is not run."""
    lago = {"role": "lago", "database": "lago", "password": role_password("lago")}
    extensions = FACTS["components"]["lago-api"]["extensions"]
    sql = "".join(f"CREATE EXTENSION IF NOT EXISTS {name} WITH SCHEMA public; " for name in extensions)
    sql += "CREATE TYPE public.boot_probe_kind AS ENUM ('a', 'b'); DROP TYPE public.boot_probe_kind;"
    done = server.psql(sql, **lago)
    assert done.returncode == 0, done.stderr
    # PostgreSQL checks CREATEDB before it looks whether the database exists: db:create would fail the Job
    refused = server.psql("CREATE DATABASE lago", **lago)
    assert refused.returncode != 0 and "permission denied to create database" in refused.stderr


def test_roles_cannot_reach_each_others_databases(server: Server) -> None:
    done = server.psql("SELECT 1", role="litellm", database="lago", password=role_password("litellm"))
    assert done.returncode != 0 and "permission denied for database" in done.stderr
    wrong = server.psql("SELECT 1", role="lago", database="lago", password="not-the-password")
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_the_server_runs_with_the_deployed_limits(server: Server) -> None:
    done = server.psql("SHOW max_connections; SHOW password_encryption;", role="postgres", database="postgres",
                       password=SUPERUSER_PASSWORD)
    assert done.returncode == 0, done.stderr
    container_args = done.stdout.split()
    assert "scram-sha-256" in container_args

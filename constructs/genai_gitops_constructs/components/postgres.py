"""PostgreSQL for the central stack: one StatefulSet holding the LiteLLM, Langfuse and Lago databases.

Official `postgres` image (UID 999). From 18 on its data directory is /var/lib/postgresql/18/docker
and the volume is /var/lib/postgresql: mounting the old /var/lib/postgresql/data makes 18+ refuse to
start, so the PVC is mounted one level up.

One replica, so no PodDisruptionBudget: a PDB over a single pod either blocks every node drain
(minAvailable 1) or protects nothing (maxUnavailable 1). High availability for this data is an
operator (CloudNativePG) or a managed database, not a second plain replica.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, SecurityProfile, exec_probe, writable, writable_dirs
from genai_gitops_constructs.values import quantity
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import (
    Container,
    Identity,
    Pod,
    Port,
    StatefulSetSpec,
    VolumeClaim,
    config_volume,
    exporter,
    secret_env,
)

NAME = "postgres"
#: the databases (and equally named owner roles) the central stack uses
DATABASES = ("litellm", "langfuse", "lago", "mcp_registry")
#: the official image's `postgres` user
POSTGRES_PROFILE = SecurityProfile(run_as_user=999, run_as_group=999, fs_group=999)
#: the secret-store prefix of everything the central stack itself owns (not a tenant's)
PLATFORM_SECRET_PREFIX = "genai/platform"  # noqa: S105 (a store path, not a value)
#: paths inside the container
TMP, SHM = "/tmp", "/dev/shm"  # noqa: S108


def platform_secret(cluster: ClusterSpec, name: str, prop: str) -> SecretRef:
    """Where a central-stack credential lives in the store: `genai/platform/<cluster>/<name>`, property `prop`."""
    return SecretRef(key=f"{PLATFORM_SECRET_PREFIX}/{cluster.name}/{name}", property=prop)


def password_env(database: str) -> str:
    """The environment variable (and Secret key) holding a database owner's password."""
    return f"{database.upper()}_DB_PASSWORD"


def database_password_ref(cluster: ClusterSpec, database: str) -> SecretRef:
    """The one store entry both PostgreSQL and the database's client read, so they always agree."""
    if database not in DATABASES:
        raise KeyError(f"no database {database!r} in the central PostgreSQL; known: {', '.join(DATABASES)}")
    return platform_secret(cluster, NAME, f"{database}_password")


def database_url_template(database: str, password_key: str) -> str:
    """An ExternalSecret template for `postgresql://<db>:<password>@postgres...:5432/<db>`.

    `password_key` is the ExternalSecret data key that holds the password; `urlquery` escapes it.
    """
    host = service_host(NAME)
    return (f"postgresql://{database}:{{{{ .{password_key} | urlquery }}}}@{host}:{PORTS['postgres']}"
            f"/{database}")


# Runs once, when the data directory is first initialised (docker-entrypoint-initdb.d semantics).
# psql variables (:"role", :'pw') quote the values: a password can never break out of the statement.
# Passwords rotated later need `ALTER ROLE ... PASSWORD` (the init scripts never run again).
_INIT_SCRIPT = """#!/bin/sh
set -eu
create_database() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v role="$1" -v pw="$2" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
}
"""


def _init_script() -> str:
    lines = [f'create_database {db} "${password_env(db)}"' for db in DATABASES]
    return _INIT_SCRIPT + "\n".join(lines) + "\n"


@dataclass(frozen=True)
class PostgresProps:
    cluster: ClusterSpec
    storage: str = "20Gi"
    # every client's bounded pool at full scale must fit (db_budget.check_connection_budget, central.py)
    max_connections: int = 300
    resources: Resources = field(default_factory=lambda: Resources("1", "2Gi", "2", "4Gi"))
    #: prometheus postgres_exporter sidecar; none when versions.py pins no exporter image
    exporter_image: str | None = None


class Postgres(Construct):
    """StatefulSet `postgres`, Services `postgres` and `postgres-headless`, init ConfigMap, ExternalSecret."""

    def __init__(self, scope: Construct, id: str, props: PostgresProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        ns = PLATFORM_NAMESPACE
        app = Identity.of(NAME, namespace=ns, instance=cluster.name, component="database")
        port = PORTS["postgres"]
        self.host = service_host(NAME)
        self.port = port

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=app.labels,
            data={"POSTGRES_PASSWORD": platform_secret(cluster, NAME, "superuser_password"),
                  **{password_env(db): database_password_ref(cluster, db) for db in DATABASES}}))
        self.secret_name = secret.secret_name

        init = k8s.KubeConfigMap(self, "init", metadata=app.metadata(f"{NAME}-init"),
                                 data={"10-databases.sh": _init_script()})

        ready = ["pg_isready", "--username", "postgres", "--host", "127.0.0.1", "--port", str(port)]
        scratch, scratch_mounts = writable_dirs(writable("run", "/var/run/postgresql"), writable("tmp", TMP))
        volumes: list[k8s.Volume] = [
            config_volume("init", init.name, default_mode=0o555),
            # parallel queries use POSIX shared memory; the runtime's default /dev/shm is 64Mi
            k8s.Volume(name="shm", empty_dir=k8s.EmptyDirVolumeSource(medium="Memory", size_limit=quantity("256Mi"))),
            *scratch,
        ]
        mounts = [
            k8s.VolumeMount(name="data", mount_path="/var/lib/postgresql"),
            k8s.VolumeMount(name="init", mount_path="/docker-entrypoint-initdb.d", read_only=True),
            k8s.VolumeMount(name="shm", mount_path=SHM),
            *scratch_mounts,
        ]

        postgres = Port("postgres", port)
        containers = [Container(
            name=NAME, image=image("postgres"),
            args=["postgres", "-c", f"max_connections={props.max_connections}",
                  "-c", "password_encryption=scram-sha-256"],
            ports=[postgres],
            env=[k8s.EnvVar(name="POSTGRES_USER", value="postgres"),
                 k8s.EnvVar(name="POSTGRES_DB", value="postgres"),
                 secret_env("POSTGRES_PASSWORD", secret.secret_name),
                 *[secret_env(password_env(db), secret.secret_name) for db in DATABASES]],
            resources=props.resources,
            mounts=mounts,
            # initdb and crash recovery can take minutes; liveness starts only after the first success
            startup_probe=exec_probe(ready, period=10, failure_threshold=30),
            readiness_probe=exec_probe(ready, period=10),
            liveness_probe=exec_probe(ready, period=20, failure_threshold=6),
        )]
        service_ports = [postgres]
        if props.exporter_image:
            containers.append(exporter(props.exporter_image, [
                k8s.EnvVar(name="DATA_SOURCE_URI", value=f"127.0.0.1:{port}/postgres?sslmode=disable"),
                k8s.EnvVar(name="DATA_SOURCE_USER", value="postgres"),
                secret_env("DATA_SOURCE_PASS", secret.secret_name, "POSTGRES_PASSWORD")],
                PORTS["postgres-exporter"], "/metrics"))
            service_ports.append(containers[-1].ports[0])

        app.headless_service(self, "headless", [postgres])
        app.service(self, "service", service_ports)
        app.stateful_set(self, "statefulset", StatefulSetSpec(
            pod=Pod(containers=containers, profile=POSTGRES_PROFILE, volumes=volumes,
                    # a clean shutdown checkpoints; SIGKILL means crash recovery on the next start
                    termination_grace_period=60),
            claims=[VolumeClaim("data", props.storage, cluster.capabilities.storage_class)]))

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
from genai_gitops_constructs.meta import labels, selector
from genai_gitops_constructs.security import (
    Resources,
    SecurityProfile,
    container_security_context,
    exec_probe,
    pod_security_context,
    writable,
)
from genai_gitops_constructs.versions import image

NAME = "postgres"
HEADLESS = f"{NAME}-headless"
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
        meta = labels(NAME, instance=cluster.name, component="database")
        pods = selector(NAME, cluster.name)
        port = PORTS["postgres"]
        self.host = service_host(NAME)
        self.port = port

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=meta,
            data={"POSTGRES_PASSWORD": platform_secret(cluster, NAME, "superuser_password"),
                  **{password_env(db): database_password_ref(cluster, db) for db in DATABASES}}))
        self.secret_name = secret.secret_name

        init = k8s.KubeConfigMap(self, "init", metadata=k8s.ObjectMeta(
            name=f"{NAME}-init", namespace=ns, labels=meta), data={"10-databases.sh": _init_script()})

        def secret_env(key: str) -> k8s.EnvVar:
            return k8s.EnvVar(name=key, value_from=k8s.EnvVarSource(
                secret_key_ref=k8s.SecretKeySelector(name=secret.secret_name, key=key)))

        ready = ["pg_isready", "--username", "postgres", "--host", "127.0.0.1", "--port", str(port)]
        volumes: list[k8s.Volume] = [
            k8s.Volume(name="init", config_map=k8s.ConfigMapVolumeSource(name=init.name, default_mode=0o555)),
            # parallel queries use POSIX shared memory; the runtime's default /dev/shm is 64Mi
            k8s.Volume(name="shm", empty_dir=k8s.EmptyDirVolumeSource(
                medium="Memory", size_limit=k8s.Quantity.from_string("256Mi"))),
        ]
        mounts = [
            k8s.VolumeMount(name="data", mount_path="/var/lib/postgresql"),
            k8s.VolumeMount(name="init", mount_path="/docker-entrypoint-initdb.d", read_only=True),
            k8s.VolumeMount(name="shm", mount_path=SHM),
        ]
        for vol_name, path in (("run", "/var/run/postgresql"), ("tmp", TMP)):
            volume, mount = writable(vol_name, path)
            volumes.append(volume)
            mounts.append(mount)

        containers = [k8s.Container(
            name=NAME, image=image("postgres"),
            args=["postgres", "-c", f"max_connections={props.max_connections}",
                  "-c", "password_encryption=scram-sha-256"],
            ports=[k8s.ContainerPort(name="postgres", container_port=port)],
            env=[k8s.EnvVar(name="POSTGRES_USER", value="postgres"),
                 k8s.EnvVar(name="POSTGRES_DB", value="postgres"),
                 secret_env("POSTGRES_PASSWORD"),
                 *[secret_env(password_env(db)) for db in DATABASES]],
            resources=props.resources.render(),
            security_context=container_security_context(POSTGRES_PROFILE),
            volume_mounts=mounts,
            # initdb and crash recovery can take minutes; liveness starts only after the first success
            startup_probe=exec_probe(ready, period=10, failure_threshold=30),
            readiness_probe=exec_probe(ready, period=10),
            liveness_probe=exec_probe(ready, period=20, failure_threshold=6),
        )]
        service_ports = [k8s.ServicePort(name="postgres", port=port,
                                         target_port=k8s.IntOrString.from_string("postgres"))]
        if props.exporter_image:
            metrics = PORTS["postgres-exporter"]
            containers.append(k8s.Container(
                name="exporter", image=props.exporter_image,
                env=[k8s.EnvVar(name="DATA_SOURCE_URI", value=f"127.0.0.1:{port}/postgres?sslmode=disable"),
                     k8s.EnvVar(name="DATA_SOURCE_USER", value="postgres"),
                     k8s.EnvVar(name="DATA_SOURCE_PASS", value_from=k8s.EnvVarSource(
                         secret_key_ref=k8s.SecretKeySelector(name=secret.secret_name, key="POSTGRES_PASSWORD")))],
                ports=[k8s.ContainerPort(name="metrics", container_port=metrics)],
                resources=Resources("50m", "64Mi", "200m", "128Mi").render(),
                security_context=container_security_context(POSTGRES_PROFILE),
                readiness_probe=k8s.Probe(http_get=k8s.HttpGetAction(
                    path="/metrics", port=k8s.IntOrString.from_string("metrics")), period_seconds=30),
                liveness_probe=k8s.Probe(http_get=k8s.HttpGetAction(
                    path="/metrics", port=k8s.IntOrString.from_string("metrics")), period_seconds=30),
            ))
            service_ports.append(k8s.ServicePort(name="metrics", port=metrics,
                                                 target_port=k8s.IntOrString.from_string("metrics")))

        k8s.KubeService(self, "headless", metadata=k8s.ObjectMeta(name=HEADLESS, namespace=ns, labels=meta),
                        spec=k8s.ServiceSpec(cluster_ip="None", selector=pods, ports=service_ports[:1]))
        k8s.KubeService(self, "service", metadata=k8s.ObjectMeta(name=NAME, namespace=ns, labels=meta),
                        spec=k8s.ServiceSpec(type="ClusterIP", selector=pods, ports=service_ports))
        k8s.KubeStatefulSet(self, "statefulset", metadata=k8s.ObjectMeta(name=NAME, namespace=ns, labels=meta),
                            spec=k8s.StatefulSetSpec(
            service_name=HEADLESS, replicas=1, selector=k8s.LabelSelector(match_labels=pods),
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=meta),
                spec=k8s.PodSpec(
                    containers=containers, volumes=volumes,
                    security_context=pod_security_context(POSTGRES_PROFILE),
                    automount_service_account_token=False, enable_service_links=False,
                    # a clean shutdown checkpoints; SIGKILL means crash recovery on the next start
                    termination_grace_period_seconds=60)),
            volume_claim_templates=[k8s.KubePersistentVolumeClaimProps(
                metadata=k8s.ObjectMeta(name="data", labels=meta),
                spec=k8s.PersistentVolumeClaimSpec(
                    access_modes=["ReadWriteOnce"], storage_class_name=cluster.capabilities.storage_class,
                    resources=k8s.ResourceRequirements(
                        requests={"storage": k8s.Quantity.from_string(props.storage)})))]))

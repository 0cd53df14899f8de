"""Scheduled backups of the stores of record to S3 through IRSA (clusters.yaml `backups`).

Each backup is a CronJob whose init container writes a dump into an emptyDir with the store's own
client (pg_dump, clickhouse-client, Qdrant's snapshot API) and whose main container uploads it to
`s3://<bucket>/<store>/<UTC timestamp>/` with the AWS CLI, then deletes the backups of that store older
than the retention. Credentials: the store's own Secret for the dump, an IRSA role for S3 (no keys).
Ollama models are not backed up: they are re-pulled. README "Backups and restore" restores each.

The scripts are module constants so that tests run the very same text against real software.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import Backups, ClusterSpec
from genai_gitops.model.traffic import PORTS, service_host
from genai_gitops_constructs.meta import labels as std_labels
from genai_gitops_constructs.security import Resources, SecurityProfile, writable
from genai_gitops_constructs.service_account import irsa_service_account
from genai_gitops_constructs.values import quantity
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, Identity, Pod

BACKUP_DIR = "/backup"
TMP = "/tmp"  # noqa: S108 - an emptyDir of the pod's own
#: the AWS CLI image's user has no writable home: HOME points at an emptyDir
AWS_PROFILE = SecurityProfile(run_as_user=65534, run_as_group=65534, fs_group=65534)

#: custom-format dumps, one per database (pg_restore can restore one table or the lot)
PG_DUMP_SCRIPT = """set -eu
mkdir -p "$BACKUP_DIR/postgres"
for db in $DATABASES; do
  pg_dump --format=custom --no-password --file="$BACKUP_DIR/postgres/$db.dump" "$db"
done
ls -l "$BACKUP_DIR/postgres"
"""

#: the schema and the rows (Native format) of every table of one database
CLICKHOUSE_DUMP_SCRIPT = """set -eu
out="$BACKUP_DIR/clickhouse/$CLICKHOUSE_DATABASE"
mkdir -p "$out"
ch() { clickhouse-client --host "$CLICKHOUSE_HOST" --port "$CLICKHOUSE_PORT" --user "$CLICKHOUSE_USER" \\
  --password "$CLICKHOUSE_PASSWORD" --database "$CLICKHOUSE_DATABASE" "$@"; }
tables="SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT LIKE '%View'"
for table in $(ch --query "$tables"); do
  ch --format TSVRaw --query "SHOW CREATE TABLE \\`$table\\`" > "$out/$table.sql"
  ch --query "SELECT * FROM \\`$table\\` FORMAT Native" > "$out/$table.native"
done
ls -l "$out"
"""

#: a full storage snapshot through Qdrant's API, downloaded, then removed from the pod
QDRANT_SNAPSHOT_SCRIPT = """set -eu
mkdir -p "$BACKUP_DIR/qdrant"
name=$(curl -fsS -X POST -H "api-key: $QDRANT_API_KEY" "$QDRANT_URL/snapshots" \\
  | sed -n 's/.*"name":"\\([^"]*\\)".*/\\1/p')
test -n "$name"
curl -fsS -H "api-key: $QDRANT_API_KEY" -o "$BACKUP_DIR/qdrant/$name" "$QDRANT_URL/snapshots/$name"
curl -fsS -X DELETE -H "api-key: $QDRANT_API_KEY" "$QDRANT_URL/snapshots/$name" > /dev/null
ls -l "$BACKUP_DIR/qdrant"
"""

#: upload under a UTC timestamp, then drop the store's backups older than the retention (timestamps sort)
UPLOAD_SCRIPT = """set -eu
stamp=$(date -u +%Y%m%dT%H%M%SZ)
aws s3 cp --recursive --only-show-errors "$BACKUP_DIR" "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$stamp/"
cutoff=$(date -u -d "-$RETENTION_DAYS days" +%Y%m%dT%H%M%SZ)
aws s3 ls "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/" | awk '/PRE /{print $2}' | tr -d / | while read -r old; do
  if [[ "$old" < "$cutoff" ]]; then
    aws s3 rm --recursive --only-show-errors "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$old/"
  fi
done
echo "uploaded s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$stamp/"
"""


def backup_name(store: str) -> str:
    return f"backup-{store}"


@dataclass(frozen=True)
class Dump:
    """The init container that writes the dump: image, script, environment, security profile."""

    image: str
    script: str
    env: tuple[k8s.EnvVar, ...]
    profile: SecurityProfile
    resources: Resources


def secret_env(name: str, secret: str, key: str) -> k8s.EnvVar:
    return k8s.EnvVar(name=name, value_from=k8s.EnvVarSource(
        secret_key_ref=k8s.SecretKeySelector(name=secret, key=key)))


class BackupCronJob(Construct):
    """CronJob `backup-<store>` and its IRSA ServiceAccount, in `namespace`."""

    def __init__(self, scope: Construct, id: str, *, cluster: ClusterSpec, backups: Backups, namespace: str,
                 store: str, prefix: str, role_arn: str, dump: Dump, tenant: str | None = None) -> None:
        super().__init__(scope, id)
        name = backup_name(store)
        meta = std_labels(name, instance=namespace, component="backup", tenant=tenant)
        irsa_service_account(self, "service-account", name=name, namespace=namespace, labels=meta, role_arn=role_arn)
        data = k8s.Volume(name="backup", empty_dir=k8s.EmptyDirVolumeSource(size_limit=quantity("20Gi")))
        home_volume, home_mount = writable("home", TMP)
        data_mount = k8s.VolumeMount(name="backup", mount_path=BACKUP_DIR)
        common = [k8s.EnvVar(name="BACKUP_DIR", value=BACKUP_DIR)]
        dump_container = Container(
            name="dump", image=dump.image, command=["/bin/sh", "-c", dump.script], env=[*common, *dump.env],
            mounts=[data_mount, home_mount], resources=dump.resources, profile=dump.profile)
        upload = Container(
            name="upload", image=image("aws-cli"), command=["/bin/bash", "-c", UPLOAD_SCRIPT],
            env=[*common, k8s.EnvVar(name="HOME", value=TMP),
                 k8s.EnvVar(name="AWS_REGION", value=cluster.region),
                 k8s.EnvVar(name="BACKUP_BUCKET", value=backups.bucket),
                 k8s.EnvVar(name="BACKUP_PREFIX", value=prefix),
                 k8s.EnvVar(name="RETENTION_DAYS", value=str(backups.retention_days))],
            mounts=[data_mount, home_mount], resources=Resources("100m", "256Mi", "500m", "512Mi"))
        # IRSA's web-identity token is a projected volume of its own (EKS pod identity webhook):
        # the Kubernetes API token is not needed
        pod = Pod(service_account=name, restart_policy="Never", profile=AWS_PROFILE,
                  init_containers=[dump_container], containers=[upload], volumes=[data, home_volume])
        app = Identity(name, namespace, meta)
        k8s.KubeCronJob(self, "cronjob", metadata=app.metadata(), spec=k8s.CronJobSpec(
            schedule=backups.schedule, time_zone="Etc/UTC", concurrency_policy="Forbid",
            successful_jobs_history_limit=3, failed_jobs_history_limit=3, starting_deadline_seconds=3600,
            job_template=k8s.JobTemplateSpec(metadata=k8s.ObjectMeta(labels=meta), spec=k8s.JobSpec(
                backoff_limit=2, active_deadline_seconds=3 * 3600, ttl_seconds_after_finished=7 * 86400,
                template=pod.render(app)))))


def backup_role_arn(cluster: ClusterSpec, namespace: str) -> str:
    """One role per namespace, allowed to write only its own prefixes of the cluster's backup bucket."""
    return f"arn:aws:iam::{cluster.aws_account_id}:role/genai-backup-{cluster.name}-{namespace}"


def postgres_dump(superuser_secret: str, databases: tuple[str, ...], profile: SecurityProfile) -> Dump:
    return Dump(image=image("postgres"), script=PG_DUMP_SCRIPT, profile=profile,
                resources=Resources("100m", "256Mi", "1", "1Gi"),
                env=(k8s.EnvVar(name="PGHOST", value=service_host("postgres")),
                     k8s.EnvVar(name="PGPORT", value=str(PORTS["postgres"])),
                     k8s.EnvVar(name="PGUSER", value="postgres"),
                     secret_env("PGPASSWORD", superuser_secret, "POSTGRES_PASSWORD"),
                     k8s.EnvVar(name="DATABASES", value=" ".join(databases))))


def clickhouse_dump(user: str, secret: str, key: str, profile: SecurityProfile) -> Dump:
    return Dump(image=image("clickhouse"), script=CLICKHOUSE_DUMP_SCRIPT, profile=profile,
                resources=Resources("100m", "512Mi", "1", "2Gi"),
                env=(k8s.EnvVar(name="CLICKHOUSE_HOST", value=service_host("clickhouse")),
                     k8s.EnvVar(name="CLICKHOUSE_PORT", value=str(PORTS["clickhouse-native"])),
                     k8s.EnvVar(name="CLICKHOUSE_USER", value=user),
                     secret_env("CLICKHOUSE_PASSWORD", secret, key),
                     k8s.EnvVar(name="CLICKHOUSE_DATABASE", value="default")))


def qdrant_dump(url: str, secret: str) -> Dump:
    return Dump(image=image("curl"), script=QDRANT_SNAPSHOT_SCRIPT, profile=AWS_PROFILE,
                resources=Resources("50m", "64Mi", "200m", "128Mi"),
                env=(k8s.EnvVar(name="QDRANT_URL", value=url), secret_env("QDRANT_API_KEY", secret, "api-key")))

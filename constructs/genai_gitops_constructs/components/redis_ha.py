"""Redis-compatible HA for the central stack: 3 Valkey pods, each with a Sentinel beside it (quorum 2).

The official `valkey/valkey` image (UID/GID 999), not Bitnami: Bitnami's versioned images moved to the
frozen `bitnamilegacy` repository in 2025. Clients must be Sentinel-aware: they ask any Sentinel
(`sentinel_nodes`) for the master of `MASTER_SET` and connect to the host it announces, a stable pod
name under the headless Service. The `redis` Service therefore exposes Sentinel only: a plain
ClusterIP on 6379 would spread writes over read-only replicas.

`maxmemory-policy noeviction`: Langfuse and Lago keep queues here (an evicted job is lost work); the
LiteLLM cache writes every entry with a TTL, so it cannot fill the memory for good.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.secrets import SecretRef
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components.postgres import platform_secret
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, SecurityProfile, exec_probe, writable
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
    headless_name,
    secret_env,
)

NAME = "redis"
HEADLESS = headless_name(NAME)
MASTER_SET = "mymaster"
REPLICAS = 3
QUORUM = 2
#: the Secret key (and environment variable) every client reads the password from
PASSWORD_KEY = "REDIS_PASSWORD"  # noqa: S105 (a variable name, not a value)
#: the official image's `valkey` user
VALKEY_PROFILE = SecurityProfile(run_as_user=999, run_as_group=999, fs_group=999)


def password_ref(cluster: ClusterSpec) -> SecretRef:
    """The store entry of the Redis password: Valkey, Sentinel and every client read this one value."""
    return platform_secret(cluster, NAME, "password")


def pod_host(ordinal: int) -> str:
    """The stable DNS name of one pod (what Sentinel announces for it)."""
    return f"{NAME}-{ordinal}.{service_host(HEADLESS)}"


def sentinel_nodes() -> list[tuple[str, int]]:
    """[host, port] of every Sentinel, for clients (LiteLLM `sentinel_nodes`, Langfuse REDIS_SENTINEL_NODES)."""
    return [(pod_host(i), PORTS["redis-sentinel"]) for i in range(REPLICAS)]


# Decides this pod's role before Valkey starts. Any Sentinel that answers knows the current master
# (after a failover that is no longer pod 0). When none answers (first start, or every pod restarted),
# the master this pod's own Sentinel last knew wins: Sentinel rewrites its config file on the data volume
# after every failover, so a full restart does not hand the master role back to a stale pod 0. Only on
# the very first start (no file yet) is pod 0 the master. Only names of our pods are trusted.
# The password is written into the config files on an emptyDir (never into the ConfigMap); Valkey's
# config parser needs it free of quotes and backslashes (the store holds a generated alphanumeric one).
_INIT_SCRIPT = """#!/bin/sh
set -eu
conf="${CONFIG_DIR:-/etc/valkey}"
state="${STATE_DIR:-/data}"
domain="${HEADLESS}.${NAMESPACE}.svc.cluster.local"
me="${POD_NAME}.${domain}"
master=""
i=0
while [ "$i" -lt "$REPLICAS" ]; do
  peer="${SET_NAME}-${i}.${domain}"
  i=$((i + 1))
  [ "$peer" = "$me" ] && continue
  answer=$(timeout 3 valkey-cli -h "$peer" -p "$SENTINEL_PORT" \\
           SENTINEL get-master-addr-by-name "$MASTER_SET" 2>/dev/null | head -n 1) || answer=""
  case "$answer" in
    *".${domain}") master="$answer"; break ;;
  esac
done
if [ -z "$master" ] && [ -f "${state}/sentinel.conf" ]; then
  last=$(sed -n "s/^sentinel monitor ${MASTER_SET} \\([^ ]*\\) .*/\\1/p" "${state}/sentinel.conf" | head -n 1)
  case "$last" in
    *".${domain}") master="$last"; echo "no Sentinel answered; last known master: ${master}" ;;
  esac
fi
[ -n "$master" ] || master="${SET_NAME}-0.${domain}"
echo "this pod: ${me}; master: ${master}"

cat > "${conf}/valkey.conf" <<EOF
bind * -::*
port ${REDIS_PORT}
protected-mode no
dir /data
appendonly yes
maxmemory ${MAXMEMORY}
maxmemory-policy noeviction
replica-announce-ip ${me}
replica-announce-port ${REDIS_PORT}
requirepass "${REDIS_PASSWORD}"
masterauth "${REDIS_PASSWORD}"
EOF
if [ "$master" != "$me" ]; then
  echo "replicaof ${master} ${REDIS_PORT}" >> "${conf}/valkey.conf"
fi

cat > "${state}/sentinel.conf" <<EOF
bind * -::*
port ${SENTINEL_PORT}
protected-mode no
dir /tmp
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${me}
sentinel announce-port ${SENTINEL_PORT}
sentinel monitor ${MASTER_SET} ${master} ${REDIS_PORT} ${QUORUM}
sentinel auth-pass ${MASTER_SET} "${REDIS_PASSWORD}"
sentinel down-after-milliseconds ${MASTER_SET} 10000
sentinel failover-timeout ${MASTER_SET} 60000
sentinel parallel-syncs ${MASTER_SET} 1
EOF
"""


def _cli(port_env: str, accept: str) -> list[str]:
    """An exec probe: PING through valkey-cli; `accept` is a shell case pattern of good answers."""
    return ["sh", "-c", f'case "$(timeout 4 valkey-cli -p "${port_env}" -a "$REDIS_PASSWORD" --no-auth-warning '
                        f'ping)" in {accept}) exit 0 ;; *) exit 1 ;; esac']


@dataclass(frozen=True)
class RedisHAProps:
    cluster: ClusterSpec
    storage: str = "8Gi"
    # memory request = limit: a cache node that the kernel OOM-kills loses its data set
    resources: Resources = field(default_factory=lambda: Resources("250m", "1Gi", "1", "1Gi"))
    #: Valkey's own ceiling, below the container limit (replication and AOF rewrites fork)
    maxmemory: str = "700mb"
    sentinel_resources: Resources = field(default_factory=lambda: Resources("50m", "64Mi", "200m", "128Mi"))
    #: prometheus redis_exporter sidecar; none when versions.py pins no exporter image
    exporter_image: str | None = None


class RedisHA(Construct):
    """StatefulSet `redis` (valkey + sentinel per pod), Services, ConfigMap, ExternalSecret, PDB."""

    def __init__(self, scope: Construct, id: str, props: RedisHAProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        ns = PLATFORM_NAMESPACE
        app = Identity.of(NAME, namespace=ns, instance=cluster.name, component="cache")
        redis_port, sentinel_port = PORTS["redis"], PORTS["redis-sentinel"]
        self.master_set = MASTER_SET
        self.sentinel_nodes = sentinel_nodes()
        self.password_key = PASSWORD_KEY

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=app.labels, data={PASSWORD_KEY: password_ref(cluster)}))
        self.secret_name = secret.secret_name
        password = secret_env(PASSWORD_KEY, secret.secret_name)

        scripts = k8s.KubeConfigMap(self, "scripts", metadata=app.metadata(f"{NAME}-scripts"),
                                    data={"init.sh": _INIT_SCRIPT})

        init_env = [
            k8s.EnvVar(name="POD_NAME", value_from=k8s.EnvVarSource(
                field_ref=k8s.ObjectFieldSelector(field_path="metadata.name"))),
            k8s.EnvVar(name="NAMESPACE", value=ns),
            k8s.EnvVar(name="SET_NAME", value=NAME),
            k8s.EnvVar(name="HEADLESS", value=HEADLESS),
            k8s.EnvVar(name="REPLICAS", value=str(REPLICAS)),
            k8s.EnvVar(name="MASTER_SET", value=MASTER_SET),
            k8s.EnvVar(name="QUORUM", value=str(QUORUM)),
            k8s.EnvVar(name="REDIS_PORT", value=str(redis_port)),
            k8s.EnvVar(name="SENTINEL_PORT", value=str(sentinel_port)),
            k8s.EnvVar(name="MAXMEMORY", value=props.maxmemory),
            password,
        ]
        port_env = [k8s.EnvVar(name="REDIS_PORT", value=str(redis_port)),
                    k8s.EnvVar(name="SENTINEL_PORT", value=str(sentinel_port)), password]
        tmp_volume, tmp_mount = writable("tmp", "/tmp")  # noqa: S108 (a path inside the container)
        config_volume_, config_mount = writable("config", "/etc/valkey", "16Mi")
        data_mount = k8s.VolumeMount(name="data", mount_path="/data")
        redis, sentinel = Port("redis", redis_port), Port("sentinel", sentinel_port)

        containers = [
            Container(
                name="valkey", image=image("valkey"), command=["valkey-server", "/etc/valkey/valkey.conf"],
                env=port_env, ports=[redis], resources=props.resources,
                mounts=[data_mount, config_mount, tmp_mount],
                # a replica answers LOADING while it syncs: alive, but not ready
                startup_probe=exec_probe(_cli("REDIS_PORT", "PONG|*LOADING*|*MASTERDOWN*"), failure_threshold=30),
                liveness_probe=exec_probe(_cli("REDIS_PORT", "PONG|*LOADING*|*MASTERDOWN*"), failure_threshold=5),
                readiness_probe=exec_probe(_cli("REDIS_PORT", "PONG"), period=5)),
            Container(
                name="sentinel", image=image("valkey"),
                # on the data volume: the failovers it records survive a restart of every pod
                command=["valkey-server", "/data/sentinel.conf", "--sentinel"],
                env=port_env, ports=[sentinel], resources=props.sentinel_resources,
                mounts=[data_mount, tmp_mount],
                liveness_probe=exec_probe(_cli("SENTINEL_PORT", "PONG"), failure_threshold=5),
                readiness_probe=exec_probe(_cli("SENTINEL_PORT", "PONG"), period=5)),
        ]
        service_ports = [sentinel]
        if props.exporter_image:
            containers.append(exporter(props.exporter_image, [
                k8s.EnvVar(name="REDIS_ADDR", value=f"redis://127.0.0.1:{redis_port}"), password],
                PORTS["redis-exporter"], "/health"))
            service_ports.append(containers[-1].ports[0])

        # headless: stable pod names that resolve before the pods are ready (Sentinel needs them at boot)
        app.headless_service(self, "headless", [redis, sentinel], publish_not_ready=True, target_ports=False)
        # Sentinel only: clients ask it for the master (a plain 6379 would spread writes over replicas)
        app.service(self, "service", service_ports)
        # two of three must stay up: that is the Sentinel quorum
        app.disruption_budget(self, "pdb", min_available=QUORUM)
        app.stateful_set(self, "statefulset", StatefulSetSpec(
            pod=Pod(
                init_containers=[Container(
                    name="config", image=image("valkey"), command=["/scripts/init.sh"], env=init_env,
                    resources=Resources("50m", "32Mi", "200m", "64Mi"),
                    mounts=[config_mount, data_mount, k8s.VolumeMount(name="scripts", mount_path="/scripts")])],
                containers=containers, profile=VALKEY_PROFILE,
                volumes=[tmp_volume, config_volume_, config_volume("scripts", scripts.name, default_mode=0o555)],
                spread_over_nodes=True, termination_grace_period=30),
            claims=[VolumeClaim("data", props.storage, cluster.capabilities.storage_class)],
            replicas=REPLICAS))

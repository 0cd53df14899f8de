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

NAME = "redis"
HEADLESS = f"{NAME}-headless"
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
        meta = labels(NAME, instance=cluster.name, component="cache")
        pods = selector(NAME, cluster.name)
        redis_port, sentinel_port = PORTS["redis"], PORTS["redis-sentinel"]
        self.master_set = MASTER_SET
        self.sentinel_nodes = sentinel_nodes()
        self.password_key = PASSWORD_KEY

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=meta, data={PASSWORD_KEY: password_ref(cluster)}))
        self.secret_name = secret.secret_name
        password = k8s.EnvVar(name=PASSWORD_KEY, value_from=k8s.EnvVarSource(
            secret_key_ref=k8s.SecretKeySelector(name=secret.secret_name, key=PASSWORD_KEY)))

        scripts = k8s.KubeConfigMap(self, "scripts", metadata=k8s.ObjectMeta(
            name=f"{NAME}-scripts", namespace=ns, labels=meta), data={"init.sh": _INIT_SCRIPT})

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
        security = container_security_context(VALKEY_PROFILE)
        tmp_volume, tmp_mount = writable("tmp", "/tmp")  # noqa: S108 (a path inside the container)
        config_volume, config_mount = writable("config", "/etc/valkey", "16Mi")
        volumes = [tmp_volume, config_volume,
                   k8s.Volume(name="scripts", config_map=k8s.ConfigMapVolumeSource(
                       name=scripts.name, default_mode=0o555))]

        containers = [
            k8s.Container(
                name="valkey", image=image("valkey"), command=["valkey-server", "/etc/valkey/valkey.conf"],
                env=port_env, ports=[k8s.ContainerPort(name="redis", container_port=redis_port)],
                resources=props.resources.render(), security_context=security,
                volume_mounts=[k8s.VolumeMount(name="data", mount_path="/data"), config_mount, tmp_mount],
                # a replica answers LOADING while it syncs: alive, but not ready
                startup_probe=exec_probe(_cli("REDIS_PORT", "PONG|*LOADING*|*MASTERDOWN*"), failure_threshold=30),
                liveness_probe=exec_probe(_cli("REDIS_PORT", "PONG|*LOADING*|*MASTERDOWN*"), failure_threshold=5),
                readiness_probe=exec_probe(_cli("REDIS_PORT", "PONG"), period=5)),
            k8s.Container(
                name="sentinel", image=image("valkey"),
                # on the data volume: the failovers it records survive a restart of every pod
                command=["valkey-server", "/data/sentinel.conf", "--sentinel"],
                env=port_env, ports=[k8s.ContainerPort(name="sentinel", container_port=sentinel_port)],
                resources=props.sentinel_resources.render(), security_context=security,
                volume_mounts=[k8s.VolumeMount(name="data", mount_path="/data"), tmp_mount],
                liveness_probe=exec_probe(_cli("SENTINEL_PORT", "PONG"), failure_threshold=5),
                readiness_probe=exec_probe(_cli("SENTINEL_PORT", "PONG"), period=5)),
        ]
        service_ports = [k8s.ServicePort(name="sentinel", port=sentinel_port,
                                         target_port=k8s.IntOrString.from_string("sentinel"))]
        if props.exporter_image:
            metrics = PORTS["redis-exporter"]
            containers.append(k8s.Container(
                name="exporter", image=props.exporter_image,
                env=[k8s.EnvVar(name="REDIS_ADDR", value=f"redis://127.0.0.1:{redis_port}"), password],
                ports=[k8s.ContainerPort(name="metrics", container_port=metrics)],
                resources=Resources("50m", "64Mi", "200m", "128Mi").render(), security_context=security,
                readiness_probe=k8s.Probe(http_get=k8s.HttpGetAction(
                    path="/health", port=k8s.IntOrString.from_string("metrics")), period_seconds=30),
                liveness_probe=k8s.Probe(http_get=k8s.HttpGetAction(
                    path="/health", port=k8s.IntOrString.from_string("metrics")), period_seconds=30)))
            service_ports.append(k8s.ServicePort(name="metrics", port=metrics,
                                                 target_port=k8s.IntOrString.from_string("metrics")))

        # headless: stable pod names that resolve before the pods are ready (Sentinel needs them at boot)
        k8s.KubeService(self, "headless", metadata=k8s.ObjectMeta(name=HEADLESS, namespace=ns, labels=meta),
                        spec=k8s.ServiceSpec(cluster_ip="None", publish_not_ready_addresses=True, selector=pods,
                                             ports=[k8s.ServicePort(name="redis", port=redis_port),
                                                    k8s.ServicePort(name="sentinel", port=sentinel_port)]))
        k8s.KubeService(self, "service", metadata=k8s.ObjectMeta(name=NAME, namespace=ns, labels=meta),
                        spec=k8s.ServiceSpec(type="ClusterIP", selector=pods, ports=service_ports))
        # two of three must stay up: that is the Sentinel quorum
        k8s.KubePodDisruptionBudget(self, "pdb", metadata=k8s.ObjectMeta(name=NAME, namespace=ns, labels=meta),
                                    spec=k8s.PodDisruptionBudgetSpec(
                                        min_available=k8s.IntOrString.from_number(QUORUM),
                                        selector=k8s.LabelSelector(match_labels=pods)))
        k8s.KubeStatefulSet(self, "statefulset", metadata=k8s.ObjectMeta(name=NAME, namespace=ns, labels=meta),
                            spec=k8s.StatefulSetSpec(
            service_name=HEADLESS, replicas=REPLICAS, selector=k8s.LabelSelector(match_labels=pods),
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=meta),
                spec=k8s.PodSpec(
                    init_containers=[k8s.Container(
                        name="config", image=image("valkey"), command=["/scripts/init.sh"], env=init_env,
                        resources=Resources("50m", "32Mi", "200m", "64Mi").render(), security_context=security,
                        volume_mounts=[config_mount, k8s.VolumeMount(name="data", mount_path="/data"),
                                       k8s.VolumeMount(name="scripts", mount_path="/scripts")])],
                    containers=containers, volumes=volumes,
                    security_context=pod_security_context(VALKEY_PROFILE),
                    affinity=spread_over_nodes(pods),
                    automount_service_account_token=False, enable_service_links=False,
                    termination_grace_period_seconds=30)),
            volume_claim_templates=[k8s.KubePersistentVolumeClaimProps(
                metadata=k8s.ObjectMeta(name="data", labels=meta),
                spec=k8s.PersistentVolumeClaimSpec(
                    access_modes=["ReadWriteOnce"], storage_class_name=cluster.capabilities.storage_class,
                    resources=k8s.ResourceRequirements(
                        requests={"storage": k8s.Quantity.from_string(props.storage)})))]))


def spread_over_nodes(pods: dict[str, str]) -> k8s.Affinity:
    """Prefer one pod per node: losing a node then costs one replica, not the quorum."""
    return k8s.Affinity(pod_anti_affinity=k8s.PodAntiAffinity(
        preferred_during_scheduling_ignored_during_execution=[k8s.WeightedPodAffinityTerm(
            weight=100, pod_affinity_term=k8s.PodAffinityTerm(
                topology_key="kubernetes.io/hostname", label_selector=k8s.LabelSelector(match_labels=pods)))]))

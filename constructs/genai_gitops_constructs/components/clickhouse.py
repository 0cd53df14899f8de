"""ClickHouse for Langfuse v3: a single-node StatefulSet (Langfuse needs exactly one shard).

Official `clickhouse/clickhouse-server` image, run as its own `clickhouse` user (UID/GID 101) with a
read-only root filesystem. The image's entrypoint is bypassed on purpose: when CLICKHOUSE_PASSWORD is set
it writes `users.d/default-user.xml` into the image at start-up (impossible on a read-only root) and we need
none of its init-db logic. Users come from our own `users.d` file instead, whose password is read from the
environment (`from_env`) - the value itself only ever exists in the ExternalSecret's Secret.

One replica, so no PodDisruptionBudget (a PDB over one pod blocks every drain or protects nothing).
Langfuse talks to it with CLICKHOUSE_CLUSTER_ENABLED=false; scaling out means the ClickHouse operator
plus Keeper (what Langfuse's own chart 2.x does), not more replicas of this StatefulSet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components.postgres import platform_secret
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable, writable_dirs
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import (
    Container,
    Identity,
    Pod,
    Port,
    StatefulSetSpec,
    VolumeClaim,
    config_volume,
    secret_env,
)

NAME = "clickhouse"
#: the image's `clickhouse` user and group
CLICKHOUSE_PROFILE = SecurityProfile(run_as_user=101, run_as_group=101, fs_group=101)
#: the environment variable our users.d file reads the application user's password from
PASSWORD_ENV = "CLICKHOUSE_APP_PASSWORD"  # noqa: S105 (a variable name, not a value)
#: Secret key (in Secret `clickhouse`) holding that password; Langfuse reads the same key
PASSWORD_KEY = "password"  # noqa: S105 (a key name, not a value)
CONFIG_DIR = "/etc/clickhouse-server"

# Server overrides, merged over the image's config.xml (and its docker_related_config.xml, which keeps
# listening on all interfaces). Logs go to the console only: the default log files would need a writable
# /var/log and would never be read in a pod. The Prometheus endpoint is ClickHouse's built-in exporter.
_SERVER_CONFIG = f"""<clickhouse>
  <logger>
    <level>information</level>
    <console>1</console>
    <log remove="remove"/>
    <errorlog remove="remove"/>
  </logger>
  <prometheus>
    <endpoint>/metrics</endpoint>
    <port>{PORTS["clickhouse-metrics"]}</port>
    <metrics>true</metrics>
    <events>true</events>
    <asynchronous_metrics>true</asynchronous_metrics>
  </prometheus>
</clickhouse>
"""


def _users_config(user: str) -> str:
    # the passwordless `default` user of the image is removed (the image's own entrypoint does the same
    # when a password is configured); who may reach the ports at all is the NetworkPolicy's job
    return f"""<clickhouse>
  <users>
    <default remove="remove"/>
    <{user}>
      <password from_env="{PASSWORD_ENV}"/>
      <networks>
        <ip>::/0</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
      <access_management>0</access_management>
    </{user}>
  </users>
</clickhouse>
"""


@dataclass(frozen=True)
class ClickHouseConnection:
    """Where a client finds ClickHouse and which Secret/key holds its user's password."""

    http_url: str
    #: the native protocol, which Langfuse's migration tool (golang-migrate) speaks
    migration_url: str
    user: str
    secret_name: str
    password_key: str


@dataclass(frozen=True)
class ClickHouseProps:
    cluster: ClusterSpec
    #: the one application user (Langfuse); it owns the `default` database
    user: str = "langfuse"
    storage: str = "100Gi"
    # Langfuse's sizing guidance: >= 2 CPU / 8 GiB for ClickHouse in production
    resources: Resources = field(default_factory=lambda: Resources("1", "4Gi", "2", "8Gi"))


class ClickHouse(Construct):
    """StatefulSet `clickhouse`, Services `clickhouse` and `clickhouse-headless`, config, ExternalSecret."""

    def __init__(self, scope: Construct, id: str, props: ClickHouseProps) -> None:
        super().__init__(scope, id)
        cluster = props.cluster
        ns = PLATFORM_NAMESPACE
        app = Identity.of(NAME, namespace=ns, instance=cluster.name, component="database")

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=app.labels,
            data={PASSWORD_KEY: platform_secret(cluster, NAME, f"{props.user}_password")}))
        #: what Langfuse needs to reach it: URLs, user, and the Secret/key of the user's password
        self.connection = ClickHouseConnection(
            http_url=f"http://{service_host(NAME)}:{PORTS['clickhouse-http']}",
            migration_url=f"clickhouse://{service_host(NAME)}:{PORTS['clickhouse-native']}",
            user=props.user, secret_name=secret.secret_name, password_key=PASSWORD_KEY)

        files = {"server.xml": _SERVER_CONFIG, "users.xml": _users_config(props.user)}
        config = k8s.KubeConfigMap(self, "config", metadata=app.metadata(f"{NAME}-config"), data=files)
        # files mounted with subPath never see ConfigMap updates: a changed config must roll the pod
        checksum = hashlib.sha256("".join(files[k] for k in sorted(files)).encode()).hexdigest()

        scratch, scratch_mounts = writable_dirs(writable("tmp", "/tmp"),  # noqa: S108
                                                writable("logs", "/var/log/clickhouse-server"))
        mounts = [
            k8s.VolumeMount(name="data", mount_path="/var/lib/clickhouse"),
            # subPath keeps the image's own config.d/users.d files (listen_host etc.) next to ours
            k8s.VolumeMount(name="config", mount_path=f"{CONFIG_DIR}/config.d/genai-server.xml",
                            sub_path="server.xml", read_only=True),
            k8s.VolumeMount(name="config", mount_path=f"{CONFIG_DIR}/users.d/genai-users.xml",
                            sub_path="users.xml", read_only=True),
            *scratch_mounts,
        ]
        ports = [Port("http", PORTS["clickhouse-http"]), Port("native", PORTS["clickhouse-native"]),
                 Port("interserver", PORTS["clickhouse-interserver"]), Port("metrics", PORTS["clickhouse-metrics"])]
        container = Container(
            name=NAME, image=image("clickhouse"),
            command=["/usr/bin/clickhouse-server"], args=[f"--config-file={CONFIG_DIR}/config.xml"],
            ports=ports,
            env=[secret_env(PASSWORD_ENV, secret.secret_name, PASSWORD_KEY),
                 # the watchdog parent process only makes sense outside a container (the entrypoint sets this too)
                 k8s.EnvVar(name="CLICKHOUSE_WATCHDOG_ENABLE", value="0")],
            resources=props.resources,
            mounts=mounts,
            # /ping answers "Ok." without credentials once the server accepts queries
            startup_probe=http_probe("/ping", "http", period=10, failure_threshold=30),
            readiness_probe=http_probe("/ping", "http", period=10),
            liveness_probe=http_probe("/ping", "http", period=20, failure_threshold=6),
        )

        # the headless Service only names the pod; without the metrics port a ServiceMonitor never scrapes twice
        app.headless_service(self, "headless", [p for p in ports if p.name != "metrics"])
        app.service(self, "service", ports)
        app.stateful_set(self, "statefulset", StatefulSetSpec(
            pod=Pod(containers=[container], profile=CLICKHOUSE_PROFILE,
                    volumes=[config_volume("config", config.name), *scratch],
                    annotations={"checksum/config": checksum},
                    # merges and flushes finish on SIGTERM; a kill leaves parts to re-check on start
                    termination_grace_period=60),
            claims=[VolumeClaim("data", props.storage, cluster.capabilities.storage_class)]))

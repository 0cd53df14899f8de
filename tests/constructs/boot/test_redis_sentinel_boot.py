"""Three Redis data nodes and three Sentinels boot from the generated init script and survive a master kill.

Debian `redis-server` and `redis-sentinel` (7.0 here; the image is Valkey 8.1, which reads the same
configuration) stand in for `valkey-server`/`valkey-cli` through a shim folder on PATH, so the init
script and the containers' commands run as written.

The script names pods by their cluster DNS names (redis-N.redis-headless.<ns>.svc.cluster.local). Each
process runs in a private mount namespace whose /etc/hosts maps those names to loopback addresses
127.0.0.2-4 (one per pod: every pod uses the same ports, as in the cluster); the machine's own
/etc/hosts is never touched. The test copy of each generated config changes only `bind` (the pod's
loopback address instead of every interface) and `dir` (a test folder instead of /data and /tmp).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from bootlib import Processes, program, wait_until

pytestmark = pytest.mark.boot

PASSWORD = "boot-redis-password"  # alphanumeric, as the store generates it
FAILOVER_TIMEOUT = 90.0


class Cluster:
    def __init__(self, central: Any, processes: Processes, work: Path) -> None:
        self.processes, self.work = processes, work
        spec = central.get("StatefulSet", "redis").obj["spec"]["template"]["spec"]
        self.init_env = {e["name"]: e["value"] for e in spec["initContainers"][0]["env"] if "value" in e}
        self.containers = {c["name"]: c for c in spec["containers"]}
        self.grace = float(spec.get("terminationGracePeriodSeconds", 30))
        self.script = work / "init.sh"
        self.script.write_text(central.get("ConfigMap", "redis-scripts").obj["data"]["init.sh"])
        self.script.chmod(0o755)
        env = self.init_env
        self.replicas = int(env["REPLICAS"])
        self.domain = f"{env['HEADLESS']}.{env['NAMESPACE']}.svc.cluster.local"
        self.hosts = {i: f"{env['SET_NAME']}-{i}.{self.domain}" for i in range(self.replicas)}
        self.ips = {i: f"127.0.0.{i + 2}" for i in range(self.replicas)}
        hosts_file = work / "hosts"
        hosts_file.write_text("127.0.0.1 localhost\n" + "".join(
            f"{self.ips[i]} {self.hosts[i]}\n" for i in range(self.replicas)))
        # valkey-server / valkey-cli -> the Debian programs
        shims = work / "bin"
        shims.mkdir()
        (shims / "valkey-server").symlink_to(program("redis-server"))
        (shims / "valkey-cli").symlink_to(program("redis-cli"))
        self.env = {"PATH": f"{shims}:{os.environ['PATH']}", "HOSTS_FILE": str(hosts_file)}
        self.wrapper = work / "in-namespace"
        self.wrapper.write_text('#!/bin/sh\nexec unshare --mount --propagation private /bin/sh -c '
                                '\'mount --bind "$HOSTS_FILE" /etc/hosts && exec "$@"\' in-namespace "$@"\n')
        self.wrapper.chmod(0o755)
        probe = subprocess.run([str(self.wrapper), "getent", "hosts", self.hosts[0]], env=self.env,
                               capture_output=True, text=True, timeout=10)
        if probe.returncode != 0 or self.ips[0] not in probe.stdout:
            pytest.skip(f"cannot give the test its own /etc/hosts (unshare --mount needs root): {probe.stderr}")
        self.data: dict[int, subprocess.Popen[Any]] = {}
        self.sentinels: dict[int, subprocess.Popen[Any]] = {}

    def port(self, name: str) -> int:
        return int(self.init_env[name])

    def cli(self, i: int, *args: str, sentinel: bool = False) -> str:
        port = self.port("SENTINEL_PORT" if sentinel else "REDIS_PORT")
        auth = [] if sentinel else ["-a", PASSWORD, "--no-auth-warning"]
        done = subprocess.run([str(self.wrapper), "redis-cli", "-h", self.ips[i], "-p", str(port), *auth, *args],
                              env=self.env, capture_output=True, text=True, timeout=10)
        return done.stdout.strip()

    def start(self, i: int) -> str:
        """What the pod does: the init container writes the configs, then Valkey and Sentinel start."""
        node = self.work / f"node-{i}"
        conf = node / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        env = {**self.env, **self.init_env, "POD_NAME": f"{self.init_env['SET_NAME']}-{i}",
               "CONFIG_DIR": str(conf), "STATE_DIR": str(node), "REDIS_PASSWORD": PASSWORD}
        done = subprocess.run([str(self.wrapper), str(self.script)], env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        for path in (conf / "valkey.conf", node / "sentinel.conf"):
            text = path.read_text()
            text = re.sub(r"(?m)^bind .*$", f"bind {self.ips[i]}", text)
            text = re.sub(r"(?m)^dir .*$", f"dir {node}", text)
            path.write_text(text)
        for name, started in (("valkey", self.data), ("sentinel", self.sentinels)):
            command = list(self.containers[name]["command"])
            # /etc/valkey (emptyDir) -> conf, /data (the pod's volume) -> node
            command[1] = str((node if command[1].startswith("/data/") else conf) / Path(command[1]).name)
            started[i] = self.processes.start([str(self.wrapper), *command], env=env, log=f"{name}-{i}.log")
        wait_until(lambda: self.cli(i, "ping") == "PONG", 30, f"redis-{i} answering", lambda: self.log(f"valkey-{i}"))
        wait_until(lambda: self.cli(i, "ping", sentinel=True) == "PONG", 30, f"sentinel-{i} answering",
                   lambda: self.log(f"sentinel-{i}"))
        return done.stdout

    def stop(self, i: int) -> None:
        """What the kubelet does to a deleted pod: TERM to every container at once, KILL after the grace period.

        A replica still writing its first append-only file after a full sync refuses TERM ("Writing initial AOF,
        can't exit": prepareForShutdown in server.c, Redis and Valkey alike) and runs on; on a slow disk that
        outlasted 15 s in CI. The kubelet kills such a container after the grace period, and so does this; its
        data is on the master, which it syncs from again.
        """
        pod = (self.data[i], self.sentinels[i])
        for process in pod:
            process.terminate()
        deadline = time.monotonic() + self.grace
        for process, name in zip(pod, ("valkey", "sentinel"), strict=True):
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{name}-{i} outlived its {self.grace:.0f} s grace period and was killed:\n"
                      f"{self.log(f'{name}-{i}')}")
                process.kill()
                process.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def master(self, i: int) -> str:
        answer = self.cli(i, "SENTINEL", "get-master-addr-by-name", self.init_env["MASTER_SET"], sentinel=True)
        return answer.splitlines()[0] if answer else ""

    def known_replicas(self, i: int) -> int:
        """How many replicas Sentinel i has discovered (it asks the master's INFO every 10 s)."""
        listing = self.cli(i, "SENTINEL", "replicas", self.init_env["MASTER_SET"], sentinel=True)
        return listing.splitlines().count("name")

    def role(self, i: int) -> str:
        return self.cli(i, "ROLE").splitlines()[0] if self.cli(i, "ROLE") else ""


@pytest.fixture
def cluster(central: Any, processes: Processes, tmp_path: Path) -> Cluster:
    program("redis-server")
    program("redis-cli")
    program("redis-sentinel")
    if not Path("/usr/bin/unshare").exists():
        pytest.skip("unshare (util-linux) is missing")
    return Cluster(central, processes, tmp_path)


def test_sentinels_elect_a_new_master_and_a_restarted_pod_follows_it(cluster: Cluster) -> None:
    # first start, in StatefulSet order: pod 0 finds no Sentinel and becomes the master
    for i in range(cluster.replicas):
        cluster.start(i)
    first = cluster.hosts[0]
    for i in range(cluster.replicas):
        wait_until(lambda i=i: cluster.master(i) == first, 30, f"sentinel-{i} naming {first} master")
    wait_until(lambda: "connected_slaves:2" in cluster.cli(0, "INFO", "replication"), 30, "two replicas in sync")
    # a Sentinel can only promote replicas it has discovered
    for i in range(cluster.replicas):
        wait_until(lambda i=i: cluster.known_replicas(i) == 2, 30, f"sentinel-{i} knowing both replicas")
    assert cluster.cli(0, "SET", "boot:key", "before-failover") == "OK"
    wait_until(lambda: cluster.cli(1, "GET", "boot:key") == "before-failover", 10, "replication to redis-1")
    # the data nodes require the password
    unauthenticated = subprocess.run([str(cluster.wrapper), "redis-cli", "-h", cluster.ips[0], "-p",
                                      str(cluster.port("REDIS_PORT")), "GET", "boot:key"],
                                     env=cluster.env, capture_output=True, text=True, timeout=10)
    assert "NOAUTH" in unauthenticated.stdout + unauthenticated.stderr

    # the master dies (no clean shutdown): the two remaining Sentinels are a quorum and fail over
    cluster.data[0].kill()
    cluster.data[0].wait(timeout=10)
    survivors = (1, 2)
    wait_until(lambda: cluster.master(1) in (cluster.hosts[1], cluster.hosts[2]), FAILOVER_TIMEOUT,
               "a failover to redis-1 or redis-2",
               lambda: "\n".join(cluster.log(f"sentinel-{i}") for i in range(cluster.replicas)))
    new_master = cluster.master(1)
    promoted = next(i for i in survivors if cluster.hosts[i] == new_master)
    wait_until(lambda: cluster.role(promoted) == "master", 30, f"redis-{promoted} promoted")
    assert cluster.cli(promoted, "GET", "boot:key") == "before-failover"
    assert cluster.cli(promoted, "SET", "boot:key", "after-failover") == "OK"

    # pod 0 restarts: its init script asks the Sentinels first and joins as a replica of the new master
    cluster.sentinels[0].kill()
    cluster.sentinels[0].wait(timeout=10)
    output = cluster.start(0)
    assert f"master: {new_master}" in output
    wait_until(lambda: cluster.role(0) == "slave", 30, "redis-0 back as a replica", lambda: cluster.log("valkey-0"))
    wait_until(lambda: cluster.cli(0, "GET", "boot:key") == "after-failover", 30, "redis-0 resynced")

    # every pod restarts (a node pool replaced): no Sentinel answers the first pod, so each init reads the
    # master its own Sentinel last recorded on the data volume - not pod 0 with its stale data
    wait_until(lambda: all(cluster.master(i) == new_master for i in range(cluster.replicas)), 30,
               "every Sentinel recording the new master")
    for i in range(cluster.replicas):
        wait_until(lambda i=i: cluster.known_replicas(i) == 2, 30, f"sentinel-{i} knowing both replicas")
    for i in range(cluster.replicas):
        cluster.stop(i)
    outputs = [cluster.start(i) for i in range(cluster.replicas)]
    assert f"no Sentinel answered; last known master: {new_master}" in outputs[0]
    for i in range(cluster.replicas):
        wait_until(lambda i=i: cluster.master(i) == new_master, 30, f"sentinel-{i} naming {new_master} after restart")
    wait_until(lambda: cluster.role(promoted) == "master", 30, f"redis-{promoted} master again")
    assert cluster.role(0) == "slave"
    wait_until(lambda: cluster.cli(0, "GET", "boot:key") == "after-failover", 30, "redis-0 holding the newest data")

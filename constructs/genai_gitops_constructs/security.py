"""Secure, overridable defaults for pods and containers.

Every workload is non-root, drops all capabilities, forbids privilege escalation, uses the
RuntimeDefault seccomp profile and a read-only root filesystem. A component that cannot run
that way relaxes one field through its SecurityProfile and states why in `exception`; the same
exception is listed with its reason in policies/ (exemptions are data, never code).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_28 import k8s

from genai_gitops_constructs.values import int_or_string, quantity


@dataclass(frozen=True)
class SecurityProfile:
    run_as_user: int = 10001
    run_as_group: int = 10001
    fs_group: int | None = 10001
    run_as_non_root: bool = True
    read_only_root_filesystem: bool = True
    #: why this profile relaxes a default (required whenever it does)
    exception: str | None = None

    def __post_init__(self) -> None:
        relaxed = not self.run_as_non_root or not self.read_only_root_filesystem or self.run_as_user == 0
        if relaxed and not self.exception:
            raise ValueError("a SecurityProfile that relaxes a default must say why in `exception`")


RESTRICTED = SecurityProfile()
_RUNTIME_DEFAULT = k8s.SeccompProfile(type="RuntimeDefault")


def pod_security_context(profile: SecurityProfile = RESTRICTED) -> k8s.PodSecurityContext:
    return k8s.PodSecurityContext(
        run_as_non_root=profile.run_as_non_root,
        run_as_user=profile.run_as_user,
        run_as_group=profile.run_as_group,
        fs_group=profile.fs_group,
        seccomp_profile=_RUNTIME_DEFAULT,
    )


def container_security_context(profile: SecurityProfile = RESTRICTED) -> k8s.SecurityContext:
    return k8s.SecurityContext(
        allow_privilege_escalation=False,
        privileged=False,
        capabilities=k8s.Capabilities(drop=["ALL"]),
        read_only_root_filesystem=profile.read_only_root_filesystem,
        run_as_non_root=profile.run_as_non_root,
        run_as_user=profile.run_as_user,
        run_as_group=profile.run_as_group,
        seccomp_profile=_RUNTIME_DEFAULT,
    )


@dataclass(frozen=True)
class Resources:
    """Requests and limits; every container gets both (memory limit = the OOM line)."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str
    gpus: int = 0
    gpu_resource: str = "nvidia.com/gpu"
    ephemeral_storage_limit: str | None = None

    def render(self) -> k8s.ResourceRequirements:
        requests = {"cpu": quantity(self.cpu_request),
                    "memory": quantity(self.memory_request)}
        limits = {"cpu": quantity(self.cpu_limit),
                  "memory": quantity(self.memory_limit)}
        if self.gpus:
            # extended resources: request must equal limit
            requests[self.gpu_resource] = quantity(self.gpus)
            limits[self.gpu_resource] = quantity(self.gpus)
        if self.ephemeral_storage_limit:
            limits["ephemeral-storage"] = quantity(self.ephemeral_storage_limit)
        return k8s.ResourceRequirements(requests=requests, limits=limits)


def http_probe(path: str, port: int | str, *, period: int = 10, timeout: int = 5, failure_threshold: int = 3,
               initial_delay: int = 0) -> k8s.Probe:
    return k8s.Probe(
        http_get=k8s.HttpGetAction(path=path, port=_port(port)),
        period_seconds=period, timeout_seconds=timeout, failure_threshold=failure_threshold,
        initial_delay_seconds=initial_delay or None,
    )


def tcp_probe(port: int | str, *, period: int = 10, failure_threshold: int = 3) -> k8s.Probe:
    return k8s.Probe(tcp_socket=k8s.TcpSocketAction(port=_port(port)), period_seconds=period,
                     failure_threshold=failure_threshold)


def exec_probe(command: list[str], *, period: int = 10, timeout: int = 5, failure_threshold: int = 3) -> k8s.Probe:
    return k8s.Probe(exec=k8s.ExecAction(command=command), period_seconds=period, timeout_seconds=timeout,
                     failure_threshold=failure_threshold)


def _port(port: int | str) -> k8s.IntOrString:
    return int_or_string(port)


def writable(name: str, mount_path: str, size_limit: str = "256Mi") -> tuple[k8s.Volume, k8s.VolumeMount]:
    """An emptyDir for a path the software writes, so the root filesystem can stay read-only."""
    volume = k8s.Volume(name=name, empty_dir=k8s.EmptyDirVolumeSource(size_limit=quantity(size_limit)))
    return volume, k8s.VolumeMount(name=name, mount_path=mount_path)


def writable_dirs(*dirs: tuple[k8s.Volume, k8s.VolumeMount]) -> tuple[list[k8s.Volume], list[k8s.VolumeMount]]:
    """`writable(...)` results split into the pod's volumes and the container's mounts, in order."""
    return [volume for volume, _ in dirs], [mount for _, mount in dirs]

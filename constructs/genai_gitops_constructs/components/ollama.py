"""Ollama: the tenant's local model server (local and hybrid usage modes).

Deployment with a Recreate strategy (its model volume is ReadWriteOnce), the models PVC and a
ClusterIP Service. The models the tenant lists are pulled by an init container before the server
starts, so a ready pod always has them; on a GPU pool the server requests the pool's GPU resource
and lands on its nodes, otherwise it runs on CPU with no GPU field at all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.traffic import PORTS
from genai_gitops_constructs.security import Resources, SecurityProfile, http_probe, writable, writable_dirs
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import Container, DeploymentSpec, Identity, Pod, Port, VolumeClaim, toleration

PORT = PORTS["ollama"]
PORT_NAME = "http"
MODELS_DIR = "/models"
HOME_DIR = "/home/ollama"

# Non-root, read-only root filesystem. The image runs as root with its state in /root/.ollama; as any other
# user `ollama serve` dies creating $HOME/.ollama (its key pair), so HOME is an emptyDir and the models live
# on the PVC through OLLAMA_MODELS (ollama#7471, otwld/ollama-helm#130). UID 1000 is the image's `ubuntu`
# user; GPU access does not need root (the device plugin hands the device to the container).
# a high UID (10001): HOME and the models volume are ours, the image needs no particular user
OLLAMA_SECURITY = SecurityProfile(run_as_user=10001, run_as_group=10001, fs_group=10001)
# on a GPU the weights sit in VRAM: host memory holds the runtime and the mapped files
GPU_RESOURCES = Resources(cpu_request="1", memory_request="8Gi", cpu_limit="4", memory_limit="16Gi")
# on CPU the weights and the KV cache are in host memory (a 3B-8B q4 model: 3-6 GB plus context)
CPU_RESOURCES = Resources(cpu_request="2", memory_request="8Gi", cpu_limit="8", memory_limit="16Gi")
PULL_RESOURCES = Resources(cpu_request="250m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")

# Starts a loopback-only server, pulls each model given as an argument, stops the server. A pull that fails
# (registry unreachable) is tolerated when an earlier pull left the model on the volume.
PULL_SCRIPT = """\
set -eu
ollama serve >/tmp/ollama-serve.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
tries=0
until ollama list >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ]; then cat /tmp/ollama-serve.log; exit 1; fi
  sleep 1
done
for model in "$@"; do
  echo "pulling $model"
  if ! ollama pull "$model"; then
    ollama show "$model" >/dev/null 2>&1 || { echo "cannot pull $model and it is not on the volume"; exit 1; }
    echo "pull failed; serving the copy of $model already on the volume"
  fi
done
"""


@dataclass(frozen=True)
class Toleration:
    key: str
    value: str = ""
    effect: str = "NoSchedule"


@dataclass(frozen=True)
class GpuPlacement:
    """Where the GPU is: the extended resource to request and the node pool's labels and taints."""

    resource: str
    node_selector: tuple[tuple[str, str], ...]
    tolerations: tuple[Toleration, ...] = ()
    count: int = 1


@dataclass(frozen=True)
class OllamaProps:
    namespace: str
    tenant: str
    #: models pulled before the server starts, e.g. "qwen3:8b"
    models: tuple[str, ...]
    storage_class: str
    #: the models volume (an 8B q4 model is ~5 GB, a 70B q4 ~40 GB)
    storage_size: str = "50Gi"
    #: None: CPU inference
    gpu: GpuPlacement | None = None
    #: the GPU count and resource name come from `gpu`
    gpu_resources: Resources = GPU_RESOURCES
    cpu_resources: Resources = CPU_RESOURCES
    pull_resources: Resources = PULL_RESOURCES
    #: how long a model stays loaded after its last request
    keep_alive: str = "30m"
    security: SecurityProfile = OLLAMA_SECURITY
    image: str = field(default_factory=lambda: image("ollama"))
    name: str = "ollama"
    extra_env: tuple[tuple[str, str], ...] = ()


def _env(name: str, value: str) -> k8s.EnvVar:
    return k8s.EnvVar(name=name, value=value)


class Ollama(Construct):
    def __init__(self, scope: Construct, id: str, props: OllamaProps) -> None:
        super().__init__(scope, id)
        self.props = props
        ns = props.namespace
        app = Identity.of(props.name, namespace=ns, instance=ns, component="inference", tenant=props.tenant)
        claim = f"{props.name}-models"

        app.volume_claim(self, "models", VolumeClaim(claim, props.storage_size, props.storage_class))

        volumes, mounts = writable_dirs(writable("home", HOME_DIR, "64Mi"),
                                        writable("tmp", "/tmp", "1Gi"))  # noqa: S108 - emptyDir
        volumes.append(k8s.Volume(
            name="models", persistent_volume_claim=k8s.PersistentVolumeClaimVolumeSource(claim_name=claim)))
        mounts.append(k8s.VolumeMount(name="models", mount_path=MODELS_DIR))
        common_env = [_env("HOME", HOME_DIR), _env("OLLAMA_MODELS", MODELS_DIR)]
        # the image sets NVIDIA_VISIBLE_DEVICES=all: with the NVIDIA runtime as the node default, a container
        # that requests no GPU would still see every GPU on the node. "void" hides them; the device plugin
        # overrides it with the allocated device in a container that does request one.
        no_gpu = [_env("NVIDIA_VISIBLE_DEVICES", "void")]

        pull = Container(
            name="pull-models", image=props.image, image_pull_policy="IfNotPresent",
            command=["sh", "-c", PULL_SCRIPT, "pull-models", *props.models],
            env=[*common_env, _env("OLLAMA_HOST", f"127.0.0.1:{PORT}"), *no_gpu],
            resources=props.pull_resources, mounts=mounts)

        if props.gpu is not None:
            resources = dataclasses.replace(props.gpu_resources, gpus=props.gpu.count, gpu_resource=props.gpu.resource)
            gpu_env: list[k8s.EnvVar] = []
        else:
            resources = props.cpu_resources
            gpu_env = no_gpu
        port = Port(PORT_NAME, PORT, app_protocol="http", protocol="TCP")
        server = Container(
            name=props.name, image=props.image, image_pull_policy="IfNotPresent",
            args=["serve"],
            ports=[port],
            env=[*common_env, _env("OLLAMA_HOST", f"0.0.0.0:{PORT}"), _env("OLLAMA_KEEP_ALIVE", props.keep_alive),
                 *gpu_env, *(_env(n, v) for n, v in props.extra_env)],
            resources=resources,
            # "/" answers "Ollama is running" as soon as the server listens; models are already on disk
            startup_probe=http_probe("/", PORT_NAME, period=2, failure_threshold=30),
            liveness_probe=http_probe("/", PORT_NAME, period=10, failure_threshold=6),
            readiness_probe=http_probe("/", PORT_NAME, period=5, failure_threshold=3),
            mounts=mounts)

        # GPU pods go to the pool's nodes and tolerate its taints; CPU pods carry neither field
        node_selector = dict(props.gpu.node_selector) if props.gpu is not None else None
        tolerations = ([toleration(t.key, t.value, t.effect) for t in props.gpu.tolerations]
                       if props.gpu is not None else None)

        app.deployment(self, "deployment", DeploymentSpec(
            pod=Pod(containers=[server], init_containers=[pull], profile=props.security, volumes=volumes,
                    termination_grace_period=60, node_selector=node_selector, tolerations=tolerations),
            revision_history_limit=5,
            # the models volume is ReadWriteOnce: the old pod must let go of it before the new one starts
            strategy="Recreate"))
        app.service(self, "service", [port])

    @property
    def url(self) -> str:
        return f"http://{self.props.name}.{self.props.namespace}.svc.cluster.local:{PORT}"

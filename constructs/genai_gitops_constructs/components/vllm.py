"""vLLM: self-hosted, OpenAI-compatible inference on the central cluster's GPU node pool.

The image runs as root with its Hugging Face cache under /root. Here it runs as an unprivileged user
with a read-only root filesystem instead: every path it writes (HOME, the Hugging Face, vLLM, Triton
and TorchInductor caches, /tmp, /dev/shm) is a volume, and `USER` is set because torch's cache
helpers call getpass.getuser(), which fails for a UID without a passwd entry. The caches live on
the PVC, so a restart neither downloads the weights nor recompiles kernels again. (Verified by
configuration only: no GPU node in CI. If a release writes elsewhere, add the path as a volume
before relaxing the profile.)

The API key comes from the environment (`VLLM_API_KEY`, read by `vllm serve` like `--api-key`),
so it never appears in the pod spec or the process arguments. vLLM checks it only on /v1 routes;
the NetworkPolicy (LiteLLM and Prometheus only) is the real boundary for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.cluster import ClusterSpec, GpuNodePool
from genai_gitops.model.traffic import PLATFORM_NAMESPACE, PORTS, service_host
from genai_gitops_constructs.components.postgres import platform_secret
from genai_gitops_constructs.external_secret import ExternalSecret, ExternalSecretProps
from genai_gitops_constructs.security import Resources, http_probe, writable
from genai_gitops_constructs.values import quantity
from genai_gitops_constructs.versions import image
from genai_gitops_constructs.workload import (
    Container,
    DeploymentSpec,
    Identity,
    Pod,
    Port,
    VolumeClaim,
    secret_env,
    toleration,
)

NAME = "vllm"
#: the model vLLM loads, and the one name it serves it under (LiteLLM's catalogue uses the same name)
MODEL = "meta-llama/Llama-3.1-8B-Instruct"
SERVED_MODEL_NAME = "llama-3.1-8b"
#: the Secret key of the API key; LiteLLM reads the same store entry
API_KEY = "VLLM_API_KEY"
DATA = "/data"
#: paths inside the container
TMP, SHM = "/tmp", "/dev/shm"  # noqa: S108
#: inside the pod: the Service and the NetworkPolicy decide who reaches it
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


def base_url() -> str:
    """What LiteLLM's `hosted_vllm/` deployments use as `api_base`."""
    return f"http://{service_host(NAME)}:{PORTS['vllm']}/v1"


@dataclass(frozen=True)
class VllmProps:
    cluster: ClusterSpec
    pool: GpuNodePool
    model: str = MODEL
    served_model_name: str = SERVED_MODEL_NAME
    max_model_len: int = 16384
    # an 8B model in bf16 is ~16 GB of weights; twice that leaves room for a second revision
    cache_storage: str = "50Gi"
    # one GPU, no tensor parallelism: little shared memory (a Memory emptyDir counts against the limit)
    shm_size: str = "2Gi"
    # sized for the smallest GPU node in use (g6.xlarge: 4 vCPU, 16 GiB, one L4): the weights stream
    # to GPU memory, host RAM holds the process, tokenizer and the shm
    resources: Resources = field(default_factory=lambda: Resources("3", "10Gi", "4", "13Gi", gpus=1))


class Vllm(Construct):
    """Deployment `vllm` (1 GPU), Service, model-cache PVC, ExternalSecret (HF token, API key)."""

    def __init__(self, scope: Construct, id: str, props: VllmProps) -> None:
        super().__init__(scope, id)
        cluster, pool = props.cluster, props.pool
        ns = PLATFORM_NAMESPACE
        app = Identity.of(NAME, namespace=ns, instance=cluster.name, component="inference")
        port = PORTS["vllm"]

        secret = ExternalSecret(self, "secret", ExternalSecretProps(
            name=NAME, namespace=ns, labels=app.labels,
            data={"HF_TOKEN": platform_secret(cluster, "huggingface", "token"),
                  API_KEY: platform_secret(cluster, NAME, "api_key")}))
        cache = app.volume_claim(self, "cache", VolumeClaim(
            f"{NAME}-cache", props.cache_storage, cluster.capabilities.storage_class))

        home_volume, home_mount = writable("home", "/home/vllm", "1Gi")
        tmp_volume, tmp_mount = writable("tmp", TMP, "4Gi")
        env = [
            k8s.EnvVar(name="HOME", value="/home/vllm"),
            k8s.EnvVar(name="USER", value="vllm"),
            k8s.EnvVar(name="HF_HOME", value=f"{DATA}/huggingface"),
            k8s.EnvVar(name="VLLM_CACHE_ROOT", value=f"{DATA}/vllm"),
            k8s.EnvVar(name="TRITON_CACHE_DIR", value=f"{DATA}/triton"),
            k8s.EnvVar(name="TORCHINDUCTOR_CACHE_DIR", value=f"{DATA}/torchinductor"),
            k8s.EnvVar(name="XDG_CACHE_HOME", value="/home/vllm/.cache"),
            k8s.EnvVar(name="VLLM_NO_USAGE_STATS", value="1"),
            secret_env("HF_TOKEN", secret.secret_name),
            secret_env(API_KEY, secret.secret_name),
        ]
        args = [props.model, "--served-model-name", props.served_model_name, "--host", ALL_INTERFACES,
                "--port", str(port), "--max-model-len", str(props.max_model_len),
                "--gpu-memory-utilization", "0.90", "--enable-prefix-caching", "--disable-fastapi-docs"]
        resources = Resources(props.resources.cpu_request, props.resources.memory_request,
                              props.resources.cpu_limit, props.resources.memory_limit,
                              gpus=props.resources.gpus, gpu_resource=pool.gpu_resource)
        http = Port("http", port, app_protocol="http")
        container = Container(
            name=NAME, image=image("vllm"), args=args, env=env,
            ports=[http], resources=resources,
            mounts=[k8s.VolumeMount(name="cache", mount_path=DATA), home_mount, tmp_mount,
                    k8s.VolumeMount(name="shm", mount_path=SHM)],
            # first start downloads ~16 GB and compiles kernels: allow 20 minutes before liveness applies
            startup_probe=http_probe("/health", "http", period=10, failure_threshold=120),
            liveness_probe=http_probe("/health", "http", period=10, failure_threshold=3),
            readiness_probe=http_probe("/health", "http", period=5, failure_threshold=3),
        )
        app.service(self, "service", [http])
        # wave 2 with the other workloads: a model still loading (or a GPU node still coming up) must not
        # hold back the migration Jobs of wave 1
        app.deployment(self, "deployment", DeploymentSpec(
            annotations={"argocd.argoproj.io/sync-wave": "2"},
            # one GPU and a ReadWriteOnce cache: the old pod must go before the new one can start
            strategy="Recreate",
            pod=Pod(
                containers=[container],
                volumes=[
                    k8s.Volume(name="cache", persistent_volume_claim=k8s.PersistentVolumeClaimVolumeSource(
                        claim_name=cache.name)),
                    home_volume, tmp_volume,
                    # NCCL and PyTorch workers share tensors through /dev/shm (64Mi by default)
                    k8s.Volume(name="shm", empty_dir=k8s.EmptyDirVolumeSource(
                        medium="Memory", size_limit=quantity(props.shm_size))),
                ],
                node_selector=pool.labels,
                tolerations=[toleration(t.key, t.value, t.effect) for t in pool.taints],
                termination_grace_period=60)))

"""Every image and Helm chart version the platform pins, in one place.

Sources: ../shared/component-facts.md (researched 2026-11-22). Tags are immutable release tags;
never `latest`. LiteLLM: 1.82.7/1.82.8 were malicious and < 1.84.0 has auth-bypass CVEs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Image:
    repository: str
    tag: str

    def __str__(self) -> str:
        return f"{self.repository}:{self.tag}"


IMAGES: dict[str, Image] = {
    "open-webui": Image("ghcr.io/open-webui/open-webui", "0.11.0"),
    # the version the boot test runs (requirements/litellm.lock; 1.106.2 is the newest installable here):
    # booted and deployed must be the same. Release v1.106.2 publishes ghcr.io/berriai/litellm*:v1.106.2
    # (release notes, cosign-signed); >= 1.84.0, clear of the known-bad and CVE range
    "litellm": Image("ghcr.io/berriai/litellm-non_root", "v1.106.2"),
    "langfuse-web": Image("docker.io/langfuse/langfuse", "3.224.1"),
    "langfuse-worker": Image("docker.io/langfuse/langfuse-worker", "3.224.1"),
    "vllm": Image("docker.io/vllm/vllm-openai", "v0.24.0"),
    "ollama": Image("docker.io/ollama/ollama", "0.32.15"),
    "qdrant": Image("docker.io/qdrant/qdrant", "v1.19.0"),
    "valkey": Image("docker.io/valkey/valkey", "8.1.3"),
    "postgres": Image("docker.io/library/postgres", "18.1"),
    "clickhouse": Image("docker.io/clickhouse/clickhouse-server", "26.4"),
    "seaweedfs": Image("docker.io/chrislusf/seaweedfs", "3.97"),
    "jaeger": Image("docker.io/jaegertracing/jaeger", "2.19.0"),
    # metrics exporters for the data stores (the RedisMemoryHigh alert reads redis_exporter's metrics):
    # oliver006/redis_exporter v1.88.0 (REDIS_ADDR, REDIS_PASSWORD, :9121, /health; USER 59000),
    # prometheus-community/postgres_exporter v0.20.1 (DATA_SOURCE_URI/USER/PASS, :9187; USER nobody)
    "redis-exporter": Image("docker.io/oliver006/redis_exporter", "v1.88.0"),
    "postgres-exporter": Image("quay.io/prometheuscommunity/postgres-exporter", "v0.20.1"),
    "lago-api": Image("docker.io/getlago/api", "v1.48.1"),
    "lago-front": Image("docker.io/getlago/front", "v1.48.1"),
    "lago-pdf": Image("docker.io/getlago/lago-gotenberg", "8.15"),
    # the official MCP registry (Go, PostgreSQL); 1.3.9 is the tag upstream's own production runs
    "mcp-registry": Image("ghcr.io/modelcontextprotocol/registry", "1.3.9"),
    # the platform team's own agentic server (built and signed in its own repository, not public):
    # OpenAI-compatible API, /healthz, /metrics on 8000; calls LiteLLM and the MCP registry
    "agent-server": Image("ghcr.io/genai-gitops/agent-server", "1.0.0"),
    # backups (components/backups.py): the upload step, and Qdrant's snapshot download
    "aws-cli": Image("public.ecr.aws/aws-cli/aws-cli", "2.15.62"),
    "curl": Image("docker.io/curlimages/curl", "8.11.1"),
}


@dataclass(frozen=True)
class Chart:
    repo_url: str
    chart: str
    version: str
    namespace: str

    @property
    def is_oci(self) -> bool:
        """A chart in an OCI registry: `repo_url` names the chart artifact itself."""
        return self.repo_url.startswith("oci://")


# Cluster add-ons come from their upstream charts (installed as Argo CD Applications)
CHARTS: dict[str, Chart] = {
    "external-secrets": Chart("https://charts.external-secrets.io", "external-secrets", "2.9.0", "external-secrets"),
    "gatekeeper": Chart("https://open-policy-agent.github.io/gatekeeper/charts", "gatekeeper", "3.23.0",
                        "gatekeeper-system"),
    "kube-prometheus-stack": Chart("https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack",
                                   "88.0.0", "monitoring"),
    # the maintained Gateway API implementation replacing the retired community ingress-nginx; chart v1.9.0
    # bundles Gateway API v1.6.1 (standard channel) CRDs; images docker.io/envoyproxy/gateway:v1.9.0 and the
    # Envoy proxy image the controller pins (docker.io/envoyproxy/envoy)
    "envoy-gateway": Chart("oci://docker.io/envoyproxy/gateway-helm", "gateway-helm", "v1.9.0",
                           "envoy-gateway-system"),
    "cert-manager": Chart("https://charts.jetstack.io", "cert-manager", "v1.19.1", "cert-manager"),
    # cluster foundations a fresh EKS cluster lacks (stacks/foundations.py says which cluster gets which).
    # metrics-server chart 3.13.1 = app 0.8.1 (registry.k8s.io/metrics-server/metrics-server:v0.8.1)
    "metrics-server": Chart("https://kubernetes-sigs.github.io/metrics-server", "metrics-server", "3.13.1",
                            "kube-system"),
    # device plugin 0.20.0 (nvcr.io/nvidia/k8s-device-plugin:v0.20.0); DCGM exporter chart 4.8.2
    # (nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless)
    "nvidia-device-plugin": Chart("https://nvidia.github.io/k8s-device-plugin", "nvidia-device-plugin", "0.20.0",
                                  "nvidia-gpu"),
    "dcgm-exporter": Chart("https://nvidia.github.io/dcgm-exporter/helm-charts", "dcgm-exporter", "4.8.2",
                           "nvidia-gpu"),
    # the log shipper: Fluent Bit to CloudWatch Logs (public.ecr.aws/aws-observability/aws-for-fluent-bit:3.2.1)
    "aws-for-fluent-bit": Chart("https://aws.github.io/eks-charts", "aws-for-fluent-bit", "0.2.0", "logging"),
}


def image(name: str) -> str:
    return str(IMAGES[name])

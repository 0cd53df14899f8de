"""Generate a repository of N tenants over 10 customer clusters and one central cluster.

    python bench/generate.py N OUT     # writes OUT/tenants/*.yaml, OUT/clusters.yaml, OUT/policies

Tenants cycle through the three usage modes; every other customer cluster has a GPU pool, and
local/hybrid tenants on CPU clusters use the explicit CPU fallback.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
MODES = ("local", "external", "hybrid")
CUSTOMER_CLUSTERS = 10


def clusters() -> dict:
    items = [{
        "name": "central-prod", "role": "central", "environment": "prod", "region": "eu-central-1",
        "kubernetes_version": "1.30", "aws_account_id": "210987654321", "vpc_cidr": "10.10.0.0/16",
        "kms_key_arn": "arn:aws:kms:eu-central-1:210987654321:key/1f0c6a52-7d3e-4b8a-9c21-5e8f0a3b7d41",
        "data_subnets": ["10.10.240.0/24"],
        "argocd": {"name": "in-cluster", "server": "https://kubernetes.default.svc"},
        "alerting": {"receivers": [{"name": "oncall", "type": "pagerduty",
                                    "secret": {"key": "genai/clusters/central-prod/alerting", "property": "key"}}]},
        "backups": {"bucket": "genai-backups-central-prod"},
        "capabilities": {"storage_class": "gp3", "ingress": {"class_name": "envoy", "domain": "genai.example.com",
                                                             "public_cidrs": ["203.0.113.0/28"]},
                         "gpu_node_pools": [{"name": "gpu-l4", "labels": {"nvidia.com/gpu.present": "true"},
                                             "taints": [{"key": "nvidia.com/gpu", "value": "true",
                                                         "effect": "NoSchedule"}]}]},
    }]
    for index in range(CUSTOMER_CLUSTERS):
        name = f"customer-{index:02d}"
        gpu = index % 2 == 0
        items.append({
            "name": name, "role": "customer", "environment": "prod", "region": "eu-west-1",
            "kubernetes_version": f"1.{29 + index % 3}", "aws_account_id": f"3456789012{index:02d}",
            "kms_key_arn": (f"arn:aws:kms:eu-west-1:3456789012{index:02d}:"
                            f"key/6b2d9e14-0c7a-4f35-8e62-91d4c0b5a7{index:02d}"),
            "vpc_cidr": f"10.{20 + index}.0.0/16", "data_subnets": [f"10.{20 + index}.240.0/24"],
            "nat_egress_cidrs": [f"198.51.100.{4 * index}/30"],
            "argocd": {"name": name, "server": f"https://{name}.eks.example.com"},
            "alerting": {"receivers": [{"name": "oncall", "type": "webhook",
                                        "secret": {"key": f"genai/clusters/{name}/alerting", "property": "url"}}]},
            "backups": {"bucket": f"genai-backups-{name}"},
            "capabilities": {
                "storage_class": "gp3",
                "ingress": {"class_name": "envoy", "domain": f"{name}.genai.example.com"},
                "gpu_node_pools": [{"name": "gpu-a10g", "labels": {"nvidia.com/gpu.present": "true"},
                                    "taints": [{"key": "nvidia.com/gpu", "value": "true",
                                                "effect": "NoSchedule"}]}] if gpu else [],
            }})
    return {"gitops": {"repo_url": "https://github.com/example-org/genai-gitops.git", "revision": "main"},
            "clusters": items}


def tenant(index: int) -> dict:
    tid = f"t{index:04d}"
    mode = MODES[index % 3]
    cluster_index = index % CUSTOMER_CLUSTERS
    gpu_cluster = cluster_index % 2 == 0
    local = mode != "external"
    data = {
        "id": tid, "name": f"Tenant {index}", "environment": "prod", "cluster": f"customer-{cluster_index:02d}",
        "aws": {"account_id": f"{100000000000 + index}", "region": "eu-west-1", "s3_bucket": f"{tid}-genai-data"},
        "usage_mode": mode, "branding": {"display_name": f"Tenant {index} AI"},
        "models": {**({"local": ["qwen3:8b"]} if local else {}),
                   **({"external": ["gpt-4o-mini", "claude-sonnet"]} if mode != "local" else {})},
        "quotas": {"cpu": "24", "memory": "96Gi", "gpu": 1 if local and gpu_cluster else 0, "storage": "200Gi",
                   "monthly_budget_usd": 500 + index, "requests_per_minute": 300},
        "rag": {"enabled": index % 2 == 0, "storage": "10Gi"},
        "oidc": {"issuer_url": f"https://login.{tid}.example/realms/main", "client_id": "open-webui",
                 "client_secret": {"key": f"genai/tenants/{tid}/oidc", "property": "client_secret"},
                 "argocd_groups": [f"{tid}-admins"]},
        "ingress": {"host": f"ai.{tid}.example.com"},
        "billing": {"lago_customer_id": tid, "plan": "starter"},
        "secrets": {"webui_secret_key": {"key": f"genai/tenants/{tid}/open-webui", "property": "secret_key"},
                    "database_url": {"key": f"genai/tenants/{tid}/open-webui", "property": "database_url"},
                    **({"litellm_api_key": {"key": f"genai/tenants/{tid}/litellm", "property": "api_key"}}
                       if mode != "local" else {})},
    }
    # each tenant's own database address in its cluster's data subnet (tenants share the subnet): up to 254
    # tenants per cluster, 2,540 in all
    data["database_endpoints"] = [f"10.{20 + cluster_index}.240.{index // CUSTOMER_CLUSTERS + 1}/32"]
    if local and not gpu_cluster:
        data["cpu_fallback"] = True
    if index % 5 == 0:
        data["mcp_servers"] = [{"name": "mcp-search", "image": "ghcr.io/example-org/mcp-search:2.1.0", "port": 8000,
                                "auth_token": {"key": f"genai/tenants/{tid}/mcp-search", "property": "token"}}]
        data["image_repositories"] = ["ghcr.io/example-org/"]
    return data


def generate(count: int, out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    (out / "tenants").mkdir(parents=True)
    (out / "clusters.yaml").write_text(yaml.safe_dump(clusters(), sort_keys=False))
    for index in range(count):
        data = tenant(index)
        (out / "tenants" / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    if (REPO / "policies").is_dir():
        shutil.copytree(REPO / "policies", out / "policies")
    return out


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"generated {sys.argv[1]} tenants in {sys.argv[2]}")

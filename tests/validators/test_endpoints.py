"""Wiring (refs, rule endpoint-unresolved): in-cluster endpoints named in configuration resolve to a Service port."""

from __future__ import annotations

from pathlib import Path

import yaml

from genai_gitops.manifests import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.refs import RefsValidator
from genai_gitops.validators.registry import ValidatorOptions

NS = "tenant-acme"


def service(name: str, *ports: int, headless: bool = False) -> dict:
    spec = {"selector": {"app": name}, "ports": [{"name": f"p{p}", "port": p} for p in ports]}
    if headless:
        spec["clusterIP"] = "None"
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NS}, "spec": spec}


def test_endpoints_resolve_to_a_service_port(tmp_path: Path) -> None:
    env = {
        "QDRANT_URI": f"http://qdrant.{NS}.svc.cluster.local:6333",            # fine
        "SENTINEL": f"redis-0.redis-headless.{NS}.svc.cluster.local:26379",     # a pod under a headless Service
        "PUBLIC": "https://llm.example.com/v1",                                 # not in the cluster: ignored
        "OLLAMA_BASE_URL": f"http://ollama.{NS}.svc.cluster.local:11434",      # no such Service
        "GRPC": f"http://qdrant.{NS}.svc:6334",                                # a port the Service lacks
    }
    objects = [
        service("qdrant", 6333), service("redis-headless", 6379, 26379, headless=True),
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "open-webui", "namespace": NS},
         "spec": {"selector": {"matchLabels": {"app": "open-webui"}},
                  "template": {"metadata": {"labels": {"app": "open-webui"}},
                               "spec": {"containers": [{"name": "open-webui", "image": "example/webui:1.0",
                                                        "env": [{"name": k, "value": v} for k, v in env.items()]}]}}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tools", "namespace": NS},
         "data": {"tools.json": f'[{{"url": "http://qdrant.{NS}.svc.cluster.local/mcp"}}]'}},
        {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "db", "namespace": NS},
         "spec": {"secretStoreRef": {"name": "s", "kind": "SecretStore"}, "target": {"name": "db", "template": {
             "data": {"DATABASE_URL": f"postgresql://u:{{{{ .pw }}}}@postgres.{NS}.svc.cluster.local:5432/db"}}},
                  "data": [{"secretKey": "pw", "remoteRef": {"key": "k"}}]}},
    ]
    for index, obj in enumerate(objects):
        (tmp_path / f"{index}.yaml").write_text(yaml.safe_dump(obj))
    target = Target(name="c", k8s_version="1.31", resources=read_paths([tmp_path]).resources)
    found = sorted(f.message for f in RefsValidator(ValidatorOptions()).validate(target)
                   if f.rule == "endpoint-unresolved")
    assert found == [
        f"ConfigMap {NS}/tools points at qdrant.{NS}.svc port 80, but Service {NS}/qdrant does not expose port 80 "
        "(ports: 6333): fix the host or port, or deploy the Service",
        f"Deployment {NS}/open-webui points at ollama.{NS}.svc port 11434, but the cluster has no Service "
        f"{NS}/ollama: fix the host or port, or deploy the Service",
        f"Deployment {NS}/open-webui points at qdrant.{NS}.svc port 6334, but Service {NS}/qdrant does not expose "
        "port 6334 (ports: 6333): fix the host or port, or deploy the Service",
        f"ExternalSecret {NS}/db points at postgres.{NS}.svc port 5432, but the cluster has no Service "
        f"{NS}/postgres: fix the host or port, or deploy the Service",
    ]


def test_lines_without_svc_are_skipped_with_the_same_matches() -> None:
    """The pattern is tried only on lines holding `.svc` (a long configuration is mostly other lines): on texts
    built from endpoint-like pieces, the matches are exactly those of the pattern on the whole text."""
    import random

    from genai_gitops.validators import endpoints

    pieces = ["http://", "https://", "redis://u:p@", "a", "b.", "svc", ".svc", ".svc.cluster.local", ":80", ":65535",
              "\n", " ", "-", "x.y", "@", "/", "ns", "litellm.genai-platform.svc:4000", ".", "A", "\r", "\u2028", "\t"]
    generator = random.Random(7)
    for _ in range(5000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 40)))
        whole = [(m.group(0), m.groupdict()) for m in endpoints._ENDPOINT.finditer(text)]
        assert [(m.group(0), m.groupdict()) for m in endpoints._matches(text)] == whole, text

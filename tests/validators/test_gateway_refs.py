"""`refs` follows Gateway API references: an HTTPRoute's Gateway, listener, hostname and Service port, and
the targets of Envoy Gateway policies, on a synthesised tenant tree broken one way at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genai_gitops.manifests import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.refs import RefsValidator
from genai_gitops.validators.registry import ValidatorOptions


@pytest.fixture()
def tree(synthesized: Path, tmp_path: Path) -> Path:
    out = tmp_path / "customer-eu-1"
    shutil.copytree(synthesized / "dist" / "customer-eu-1", out)
    return out


def refs(tree: Path) -> list[tuple[str, str, str]]:
    target = Target(name="customer-eu-1", k8s_version="1.31", resources=read_paths([tree]).resources)
    return sorted((f.rule, f"{f.kind}/{f.name}", f.message)
                  for f in RefsValidator(ValidatorOptions()).validate(target))


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_synthesised_tree_has_no_dangling_reference(tree: Path) -> None:
    assert refs(tree) == []


ROUTE = "tenant-acme/HTTPRoute-open-webui.yaml"


@pytest.mark.parametrize(("file", "old", "new", "rule", "about", "message"), [
    (ROUTE, "name: open-webui\n      port: 80", "name: open-webiu\n      port: 80", "dangling-httproute",
     "HTTPRoute/open-webui", 'spec.rules[0].backendRefs[0]: backend Service "open-webiu" not found in namespace '
     "tenant-acme (Services there: ollama, open-webui, qdrant, qdrant-headless, redis, mcp-jira); fix the name or "
     "add the Service"),
    (ROUTE, "port: 80", "port: 8080", "dangling-httproute", "HTTPRoute/open-webui",
     "spec.rules[0].backendRefs[0]: port 8080 is not a port of Service tenant-acme/open-webui (ports: 80); a "
     "Service backend names its port by number"),
    (ROUTE, "sectionName: https-open-webui", "sectionName: https-webui", "dangling-httproute",
     "HTTPRoute/open-webui", "spec.parentRefs[0]: Gateway tenant-acme/public has no listener 'https-webui' "
     "(listeners: http-open-webui, https-open-webui)"),
    (ROUTE, "name: public", "name: private", "dangling-httproute", "HTTPRoute/open-webui",
     "spec.parentRefs[0]: Gateway tenant-acme/private not found (Gateways there: public); the route would serve "
     "nothing"),
    ("tenant-acme-guardrails/ClientTrafficPolicy-public.yaml", "kind: Gateway\n    name: public",
     "kind: Gateway\n    name: pubic",
     "dangling-policy-target", "ClientTrafficPolicy/public",
     "spec.targetRefs[0]: Gateway tenant-acme/pubic not found (Gateways there: public); the policy would apply to "
     "nothing"),
])
def test_a_broken_reference(tree: Path, file: str, old: str, new: str, rule: str, about: str, message: str) -> None:
    replace(tree / file, old, new)
    found = refs(tree)
    assert [(r, a) for r, a, _ in found] == [(rule, about)]
    # the Services listed come from the tree: compare the message up to that list when the tree varies
    assert found[0][2].split(" (Services there: ")[0] == message.split(" (Services there: ")[0]
    if "(Services there: " not in message:
        assert found[0][2] == message


def test_a_route_whose_host_no_listener_serves(tree: Path) -> None:
    replace(tree / ROUTE, "hostnames:\n  - ", "hostnames:\n  - other.")
    [(rule, about, message)] = refs(tree)
    assert (rule, about) == ("dangling-httproute", "HTTPRoute/open-webui")
    assert message.startswith("spec.parentRefs[0]: listener 'https-open-webui' serves host ")
    assert message.endswith(": no request would match")

"""What a pod refers to by name: the Secrets and ConfigMaps it reads, and its containers' ports."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from genai_gitops.validators.workloads import PodTemplate, as_dict, as_dicts

#: IANA service name (RFC 6335 5.1), what Kubernetes requires of port names
IANA_SVC_NAME = re.compile(r"^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class DataRef:
    """A pod's use of a Secret or ConfigMap (and maybe one key of it)."""

    kind: str  # "secret" | "configmap"
    name: str
    key: str | None
    optional: bool
    where: str


def container_label(container: Mapping[str, Any]) -> str:
    return f'container "{container.get("name", "?")}"'


def data_refs(template: PodTemplate) -> Iterator[DataRef]:
    """Every Secret/ConfigMap reference of a pod: env, envFrom, volumes (with items), projected, pull secrets."""
    for container in template.all_containers:
        label = container_label(container)
        for env in as_dicts(container.get("env")):
            value_from = as_dict(env.get("valueFrom"))
            for field, kind in (("secretKeyRef", "secret"), ("configMapKeyRef", "configmap")):
                ref = value_from.get(field)
                if isinstance(ref, dict) and ref.get("name"):
                    yield DataRef(kind, str(ref["name"]), str(ref.get("key", "")), ref.get("optional") is True,
                                  f"{label} env {env.get('name', '?')}")
        for env_from in as_dicts(container.get("envFrom")):
            for field, kind in (("secretRef", "secret"), ("configMapRef", "configmap")):
                ref = env_from.get(field)
                if isinstance(ref, dict) and ref.get("name"):
                    yield DataRef(kind, str(ref["name"]), None, ref.get("optional") is True, f"{label} envFrom")
    for volume in template.volumes:
        where = f'volume "{volume.get("name", "?")}"'
        secret = as_dict(volume.get("secret"))
        if secret.get("secretName"):
            yield from _volume_refs("secret", str(secret["secretName"]), secret, where)
        configmap = as_dict(volume.get("configMap"))
        if configmap.get("name"):
            yield from _volume_refs("configmap", str(configmap["name"]), configmap, where)
        for source in as_dicts(as_dict(volume.get("projected")).get("sources")):
            for field, kind in (("secret", "secret"), ("configMap", "configmap")):
                ref = as_dict(source.get(field))
                if ref.get("name"):
                    yield from _volume_refs(kind, str(ref["name"]), ref, f"projected {where}")
    for pull_secret in as_dicts(template.spec.get("imagePullSecrets")):
        if pull_secret.get("name"):
            yield DataRef("secret", str(pull_secret["name"]), None, False, "imagePullSecrets")


def _volume_refs(kind: str, name: str, source: Mapping[str, Any], where: str) -> Iterator[DataRef]:
    optional = source.get("optional") is True
    yield DataRef(kind, name, None, optional, where)
    for item in as_dicts(source.get("items")):
        if item.get("key"):
            yield DataRef(kind, name, str(item["key"]), optional, f"{where} item {item['key']}")


def container_ports(container: Mapping[str, Any]) -> tuple[dict[str, int], set[int]]:
    names: dict[str, int] = {}
    numbers: set[int] = set()
    for port in as_dicts(container.get("ports")):
        number = port.get("containerPort")
        if isinstance(number, int):
            numbers.add(number)
        if port.get("name"):
            names[str(port["name"])] = number if isinstance(number, int) else 0
    return names, numbers


def udp_only_port(container: Mapping[str, Any], port: int | str) -> str | None:
    """How the probe's port is shown when every declaration of it in the container is UDP, else None."""
    matches = [p for p in as_dicts(container.get("ports"))
               if (p.get("name") == port if isinstance(port, str) and not port.isdigit()
                   else p.get("containerPort") == int(port))]
    if matches and all(str(p.get("protocol", "TCP")) == "UDP" for p in matches):
        return f'"{port}"' if isinstance(port, str) and not port.isdigit() else str(port)
    return None


def describe_ports(containers: Iterable[Mapping[str, Any]]) -> str:
    shown = []
    for container in containers:
        for port in as_dicts(container.get("ports")):
            number = port.get("containerPort", "?")
            shown.append(f"{port['name']}={number}" if port.get("name") else str(number))
    return ", ".join(shown) or "none declared"

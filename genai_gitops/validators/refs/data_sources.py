"""What makes a Secret or ConfigMap exist in a namespace (Secrets, ExternalSecrets, cert-manager
Certificates, ConfigMaps), and which keys each puts in it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.validators.workloads import ObjectIndex, as_dict, as_dicts

#: Secrets Kubernetes fills in itself, by Secret type
_GENERATED_SECRET_KEYS = {"kubernetes.io/service-account-token": ("ca.crt", "namespace", "token")}


@dataclass(frozen=True, slots=True)
class DataSource:
    """One object that makes a Secret/ConfigMap of a given name exist, and the keys it puts in it."""

    origin: Resource
    #: None when the keys cannot be known offline (ExternalSecret dataFrom, templateFrom, merge into another)
    keys: frozenset[str] | None

    def describe_keys(self) -> str:
        if self.keys is None:
            return f"{self.origin.describe()} (keys not known offline)"
        shown = ", ".join(sorted(self.keys)) or "no keys"
        verb = "has keys" if self.origin.kind in ("Secret", "ConfigMap") else "produces"
        return f"{self.origin.kind} {self.origin.namespace}/{self.origin.name} {verb}: {shown}"


def _keys_of(*maps: Any) -> frozenset[str]:
    return frozenset(str(k) for m in maps for k in as_dict(m))


def external_secret_output(resource: Resource) -> tuple[str, frozenset[str] | None] | None:
    """(name of the Secret an ExternalSecret writes, keys it writes or None if unknown), or None if it writes none.

    The target defaults to the ExternalSecret's own name; keys are spec.data[].secretKey plus the keys of
    spec.target.template.data. dataFrom, templateFrom and creationPolicy Merge bring keys only the store
    or the existing Secret knows, so any key is accepted then.
    """
    spec = as_dict(resource.obj.get("spec"))
    target = as_dict(spec.get("target"))
    policy = target.get("creationPolicy", "Owner")
    if policy == "None":
        return None
    name = str(target.get("name") or resource.name)
    template = as_dict(target.get("template"))
    if spec.get("dataFrom") or template.get("templateFrom") or policy == "Merge":
        return name, None
    keys = {str(d["secretKey"]) for d in as_dicts(spec.get("data")) if d.get("secretKey")}
    return name, frozenset(keys) | _keys_of(template.get("data"))


class DataSources:
    """Secrets and ConfigMaps by (namespace, name): what defines them, and which keys they hold."""

    def __init__(self, index: ObjectIndex) -> None:
        self.secrets: dict[tuple[str, str], list[DataSource]] = defaultdict(list)
        self.configmaps: dict[tuple[str, str], list[DataSource]] = defaultdict(list)
        for secret in index.of_kind("Secret"):
            keys = _keys_of(secret.obj.get("data"), secret.obj.get("stringData"))
            keys |= frozenset(_GENERATED_SECRET_KEYS.get(str(secret.obj.get("type", "")), ()))
            self.secrets[(secret.namespace, secret.name)].append(DataSource(secret, keys))
        for external in index.of_kind("ExternalSecret"):
            output = external_secret_output(external)
            if output is not None:
                self.secrets[(external.namespace, output[0])].append(DataSource(external, output[1]))
        for certificate in index.of_kind("Certificate"):  # cert-manager writes the key pair into spec.secretName
            secret_name = as_dict(certificate.obj.get("spec")).get("secretName")
            if secret_name:
                self.secrets[(certificate.namespace, str(secret_name))].append(
                    DataSource(certificate, frozenset({"tls.crt", "tls.key", "ca.crt"})))
        for configmap in index.of_kind("ConfigMap"):
            keys = _keys_of(configmap.obj.get("data"), configmap.obj.get("binaryData"))
            self.configmaps[(configmap.namespace, configmap.name)].append(DataSource(configmap, keys))

        self._tables = {"secret": self.secrets, "configmap": self.configmaps}
        self._names: dict[str, dict[str, list[str]]] = {}

    def sources(self, kind: str, namespace: str, name: str) -> list[DataSource]:
        """What makes the "secret"/"configmap" `name` exist in `namespace` ([] if nothing does)."""
        return self._tables[kind].get((namespace, name), [])

    def names(self, kind: str, namespace: str) -> list[str]:
        """The "secret"/"configmap" names of `namespace`, for suggestions: grouped once, so misses stay linear."""
        if kind not in self._names:
            grouped: dict[str, list[str]] = defaultdict(list)
            for ns, name in sorted(self._tables[kind]):
                grouped[ns].append(name)
            self._names[kind] = grouped
        return self._names[kind].get(namespace, [])

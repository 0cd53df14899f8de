"""Referential integrity of one cluster's manifests: every name an object uses must exist.

The dangling-*/port/selector rules follow kube-linter's checks of the same names (re-implemented
here, no kube-linter needed); the secret/config map/store/volume rules are this project's, because
here every Secret comes from an ExternalSecret, and a key the ExternalSecret does not produce only
shows up at runtime as a pod stuck in CreateContainerConfigError.

All folders of a cluster are one target: a Deployment in `tenant-acme/` may use a Secret from
`tenant-acme-guardrails/` and a ClusterSecretStore from `cluster-config/`. Every object is indexed
once, and selectors only scan their own namespace, so the cost grows linearly with tenants.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genai_gitops.manifests.resource import Resource
from genai_gitops.model.traffic import RUNTIME_PODS_ANNOTATION
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators import gateway_refs
from genai_gitops.validators.base import Target, Validator
from genai_gitops.validators.endpoints import endpoint_findings
from genai_gitops.validators.plaintext import plaintext_findings
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.workloads import (
    LabelSelector,
    ObjectIndex,
    PodTemplate,
    as_dict,
    as_dicts,
)

VALIDATOR = "refs"

# Rule ids: kube-linter's names where kube-linter has the check.
DANGLING_SERVICE = "dangling-service"
DANGLING_INGRESS = "dangling-ingress"
DANGLING_HPA = "dangling-horizontalpodautoscaler"
DANGLING_NETWORKPOLICY = "dangling-networkpolicy"
DANGLING_NETWORKPOLICY_PEER = "dangling-networkpolicypeer-podselector"
DANGLING_SERVICEMONITOR = "dangling-servicemonitor"
DANGLING_PDB = "dangling-pdb"
NON_EXISTENT_SERVICE_ACCOUNT = "non-existent-service-account"
MISMATCHING_SELECTOR = "mismatching-selector"
INVALID_TARGET_PORTS = "invalid-target-ports"
PROBE_PORT_RULES = {"livenessProbe": "liveness-port", "readinessProbe": "readiness-port",
                    "startupProbe": "startup-port"}
# rule ids, not credentials: S105 mistakes them for passwords
MISSING_SECRET = "missing-secret"  # noqa: S105
MISSING_SECRET_KEY = "missing-secret-key"  # noqa: S105
MISSING_CONFIGMAP = "missing-configmap"
MISSING_CONFIGMAP_KEY = "missing-configmap-key"
UNKNOWN_SECRET_STORE = "unknown-secret-store"  # noqa: S105
MISSING_PVC = "missing-pvc"
MISSING_VOLUME = "missing-volume"

#: Secrets Kubernetes fills in itself, by Secret type
_GENERATED_SECRET_KEYS = {"kubernetes.io/service-account-token": ("ca.crt", "namespace", "token")}
#: every namespace gets this ConfigMap from the root CA publisher controller
_ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
#: IANA service name (RFC 6335 5.1), what Kubernetes requires of port names
_IANA_SVC_NAME = re.compile(r"^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$")
_SHOWN_NAMES = 6


# -- what creates Secrets and ConfigMaps ---------------------------------------------------------------

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


# -- references a pod makes -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DataRef:
    """A pod's use of a Secret or ConfigMap (and maybe one key of it)."""

    kind: str  # "secret" | "configmap"
    name: str
    key: str | None
    optional: bool
    where: str


def _container_label(container: Mapping[str, Any]) -> str:
    return f'container "{container.get("name", "?")}"'


def data_refs(template: PodTemplate) -> Iterator[DataRef]:
    """Every Secret/ConfigMap reference of a pod: env, envFrom, volumes (with items), projected, pull secrets."""
    for container in template.all_containers:
        label = _container_label(container)
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


def _container_ports(container: Mapping[str, Any]) -> tuple[dict[str, int], set[int]]:
    names: dict[str, int] = {}
    numbers: set[int] = set()
    for port in as_dicts(container.get("ports")):
        number = port.get("containerPort")
        if isinstance(number, int):
            numbers.add(number)
        if port.get("name"):
            names[str(port["name"])] = number if isinstance(number, int) else 0
    return names, numbers


def _udp_only_port(container: Mapping[str, Any], port: int | str) -> str | None:
    """How the probe's port is shown when every declaration of it in the container is UDP, else None."""
    matches = [p for p in as_dicts(container.get("ports"))
               if (p.get("name") == port if isinstance(port, str) and not port.isdigit()
                   else p.get("containerPort") == int(port))]
    if matches and all(str(p.get("protocol", "TCP")) == "UDP" for p in matches):
        return f'"{port}"' if isinstance(port, str) and not port.isdigit() else str(port)
    return None


def _describe_ports(containers: Iterable[Mapping[str, Any]]) -> str:
    shown = []
    for container in containers:
        for port in as_dicts(container.get("ports")):
            number = port.get("containerPort", "?")
            shown.append(f"{port['name']}={number}" if port.get("name") else str(number))
    return ", ".join(shown) or "none declared"


def _search(pattern: str, text: str) -> bool:
    """A regex match anywhere in `text` (Go's MatchString, as ESO uses); an invalid pattern matches nothing."""
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _suggest(name: str, candidates: Sequence[str], what: str) -> str:
    """' (did you mean "x"?)' for a near miss, else the (first few) names that do exist, to end a message."""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    if close:
        return f' (did you mean "{close[0]}"?)'
    if not candidates:
        return f" (no {what} here)"
    shown = ", ".join(candidates[:_SHOWN_NAMES]) + (", ..." if len(candidates) > _SHOWN_NAMES else "")
    return f" ({what} here: {shown})"


# -- the validator ----------------------------------------------------------------------------------------

class RefsValidator(Validator):
    """Every reference between the objects of one cluster resolves: selectors select, names name, keys exist."""

    name = VALIDATOR

    def __init__(self, options: ValidatorOptions) -> None:
        self.options = options

    def cache_context(self, target: Target) -> str:
        """Results depend on the target's objects and cluster data only (both in the runner's key)."""
        return ""

    def validate(self, target: Target) -> Iterator[Finding]:
        yield from ReferenceCheck(target.resources).findings()
        yield from plaintext_findings(target.resources, VALIDATOR)


class ReferenceCheck:
    """One run over one target: the index is built once, then each object is checked against it."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources
        self.index = ObjectIndex(resources)
        self.data = DataSources(self.index)
        self._checks = {
            "Service": self.check_service,
            "Ingress": self.check_ingress,
            "HorizontalPodAutoscaler": self.check_hpa,
            "NetworkPolicy": self.check_network_policy,
            "ServiceMonitor": self.check_service_monitor,
            "PodDisruptionBudget": self.check_pdb,
            "ExternalSecret": self.check_external_secret,
            "HTTPRoute": lambda route: gateway_refs.check_http_route(self.index, route, self._finding),
            **{kind: (lambda policy: gateway_refs.check_policy_targets(self.index, policy, self._finding))
               for kind in gateway_refs.POLICY_KINDS},
        }

    def findings(self) -> Iterator[Finding]:
        for template in self.index.pods:
            yield from self.check_workload(template)
        # wiring: every in-cluster endpoint in env values, ConfigMaps and secret templates has its Service
        yield from endpoint_findings(self.resources, VALIDATOR)
        for resource in self.resources:
            check = self._checks.get(resource.kind)
            if check is not None:
                yield from check(resource)

    @staticmethod
    def _finding(resource: Resource, rule: str, message: str,
                 severity: Severity = Severity.ERROR) -> Finding:
        return Finding.about(resource, validator=VALIDATOR, rule=rule, message=message, severity=severity)

    def _workloads_here(self, namespace: str) -> list[str]:
        return [t.describe() for t in self.index.pods.in_namespace(namespace)]

    # -- workloads --------------------------------------------------------------------------------------

    def check_workload(self, template: PodTemplate) -> Iterator[Finding]:
        yield from self._check_selector(template)
        yield from self._check_service_account(template)
        yield from self._check_container_ports(template)
        yield from self._check_data_refs(template)
        yield from self._check_volumes(template)

    def _check_selector(self, template: PodTemplate) -> Iterator[Finding]:
        workload = template.workload
        # Jobs get a generated selector unless manualSelector is set; Pods have none.
        if workload.kind in ("Pod", "Job", "CronJob"):
            return
        raw = as_dict(workload.obj.get("spec")).get("selector")
        if raw is None:
            return  # required by apps/v1: the schema validator reports it
        selector = (LabelSelector.from_map(raw) if workload.kind == "ReplicationController"
                    else LabelSelector.from_label_selector(raw))
        if not selector.matches(template.labels):
            labels = ",".join(f"{k}={v}" for k, v in sorted(template.labels.items())) or "none"
            yield self._finding(workload, MISMATCHING_SELECTOR,
                                f"spec.selector {selector.describe()} does not match the pod template's labels "
                                f"({labels}); the API server rejects it: make spec.template.metadata.labels "
                                "carry every selector label")

    def _check_service_account(self, template: PodTemplate) -> Iterator[Finding]:
        name = template.spec.get("serviceAccountName") or template.spec.get("serviceAccount")
        if not name or name == "default":
            return
        namespace = template.namespace
        if self.index.get("ServiceAccount", namespace, str(name)) is None:
            accounts = sorted(self.index.named("ServiceAccount", namespace))
            yield self._finding(template.workload, NON_EXISTENT_SERVICE_ACCOUNT,
                                f'serviceAccountName "{name}" not found in namespace {namespace or "(none)"}; '
                                "no pod is created until it exists: add the ServiceAccount or fix the name"
                                f"{_suggest(str(name), accounts, 'service accounts')}")

    def _check_container_ports(self, template: PodTemplate) -> Iterator[Finding]:
        workload = template.workload
        for container in template.all_containers:
            label = _container_label(container)
            for port in as_dicts(container.get("ports")):
                name = port.get("name")
                if name and not _IANA_SVC_NAME.match(str(name)):
                    yield self._finding(workload, INVALID_TARGET_PORTS,
                                        f'{label} port name "{name}" is not a valid port name; use at most 15 '
                                        "lowercase letters, digits and '-', with at least one letter")
            names, numbers = _container_ports(container)
            for field, rule in PROBE_PORT_RULES.items():
                probe = as_dict(container.get(field))
                handler = next((as_dict(probe[h]) for h in ("httpGet", "tcpSocket", "grpc") if h in probe), None)
                if handler is None or "port" not in handler:
                    continue
                port = handler["port"]
                if isinstance(port, bool) or not isinstance(port, int | str):
                    continue  # malformed: the schema validator reports it
                udp = _udp_only_port(container, port)
                if udp is not None:
                    # kubelet probes are TCP (httpGet, tcpSocket, grpc): a UDP-only port never answers them
                    yield self._finding(workload, rule,
                                        f"{label} {field} uses port {udp}, which the container declares as UDP; "
                                        "probes connect over TCP: probe a TCP port or declare the port as TCP")
                elif isinstance(port, str) and not port.isdigit():
                    if port not in names:
                        yield self._finding(workload, rule,
                                            f'{label} {field} uses port "{port}", which the container does not '
                                            f"expose (ports: {_describe_ports([container])}); name one of its "
                                            "ports or add it to the container's ports")
                elif int(port) not in numbers:
                    # the kubelet probes an undeclared number all the same: likely a typo, not a sure failure
                    yield self._finding(workload, rule,
                                        f"{label} {field} uses port {port}, which the container does not declare "
                                        f"(ports: {_describe_ports([container])}); declare it in ports or "
                                        "probe a declared port", Severity.WARNING)

    def _check_data_refs(self, template: PodTemplate) -> Iterator[Finding]:
        namespace = template.namespace
        missing: dict[tuple[str, str], list[str]] = {}  # one finding per missing object, naming every use
        for ref in data_refs(template):
            if ref.optional:
                continue
            sources = self.data.sources(ref.kind, namespace, ref.name)
            if not sources:
                if not (ref.kind == "configmap" and ref.name == _ROOT_CA_CONFIGMAP):
                    uses = missing.setdefault((ref.kind, ref.name), [])
                    if ref.key is None or not uses:
                        uses.append(ref.where)
                continue
            if ref.key is None or any(s.keys is None or ref.key in s.keys for s in sources):
                continue
            rule = MISSING_SECRET_KEY if ref.kind == "secret" else MISSING_CONFIGMAP_KEY
            produced = "; ".join(s.describe_keys() for s in sources)
            fix = ("add it to the ExternalSecret's spec.data (secretKey) or use one of those keys"
                   if any(s.origin.kind == "ExternalSecret" for s in sources)
                   else "add the key or use one of those keys")
            yield self._finding(template.workload, rule,
                                f'{ref.where}: {ref.kind} "{ref.name}" has no key "{ref.key}"; {produced}; {fix}')
        for (kind, name), uses in missing.items():
            yield self._missing_object(template.workload, kind, name, uses)

    def _missing_object(self, workload: Resource, kind: str, name: str, uses: list[str]) -> Finding:
        namespace = workload.namespace or "(none)"
        where = ", ".join(uses)
        if kind == "secret":
            existing = self.data.names("secret", workload.namespace)
            return self._finding(workload, MISSING_SECRET,
                                 f'{where}: secret "{name}" not found in namespace {namespace} (no Secret, '
                                 f'ExternalSecret or Certificate creates it); add an ExternalSecret with target name '
                                 f'"{name}", fix the name or mark the reference optional'
                                 f"{_suggest(name, existing, 'secrets')}")
        existing = self.data.names("configmap", workload.namespace)
        return self._finding(workload, MISSING_CONFIGMAP,
                             f'{where}: configmap "{name}" not found in namespace {namespace}; add the ConfigMap, '
                             f"fix the name or mark the reference optional{_suggest(name, existing, 'configmaps')}")

    def _check_volumes(self, template: PodTemplate) -> Iterator[Finding]:
        workload = template.workload
        namespace = template.namespace
        claim_templates = {str(as_dict(t.get("metadata")).get("name", ""))
                           for t in as_dicts(as_dict(workload.obj.get("spec")).get("volumeClaimTemplates"))}
        volume_names = {str(v.get("name", "")) for v in template.volumes} | claim_templates
        for volume in template.volumes:
            claim = as_dict(volume.get("persistentVolumeClaim")).get("claimName")
            if claim and claim not in claim_templates and \
                    self.index.get("PersistentVolumeClaim", namespace, str(claim)) is None:
                claims = sorted(self.index.named("PersistentVolumeClaim", namespace))
                yield self._finding(workload, MISSING_PVC,
                                    f'volume "{volume.get("name", "?")}": PersistentVolumeClaim "{claim}" not found '
                                    f"in namespace {namespace or '(none)'}; the pod stays Pending: add the claim, "
                                    "fix the name or use a StatefulSet volumeClaimTemplate"
                                    f"{_suggest(str(claim), claims, 'claims')}")
        for container in template.all_containers:
            for mount in as_dicts(container.get("volumeMounts")):
                name = str(mount.get("name", ""))
                if name and name not in volume_names:
                    yield self._finding(workload, MISSING_VOLUME,
                                        f'{_container_label(container)} mounts volume "{name}", which the pod does '
                                        "not define; the API server rejects it: add it to the pod's volumes or fix "
                                        f"the name{_suggest(name, sorted(volume_names), 'volumes')}")

    # -- objects that select pods or name other objects -------------------------------------------------

    def check_service(self, service: Resource) -> Iterator[Finding]:
        spec = as_dict(service.obj.get("spec"))
        raw = spec.get("selector")
        if spec.get("type") == "ExternalName" or not isinstance(raw, dict) or not raw:
            return  # no selector: endpoints are managed by hand or by another controller
        selector = LabelSelector.from_map(raw)
        pods = self.index.pods.selected(service.namespace, selector)
        if not pods:
            yield self._finding(service, DANGLING_SERVICE,
                                f"selector {selector.describe()} matches no pod template in namespace "
                                f"{service.namespace or '(none)'}, so the Service has no endpoints; match the "
                                f"labels of one of: {', '.join(self._workloads_here(service.namespace)) or 'none'}")
            return
        containers = [c for pod in pods for c in pod.containers]
        declared_names: set[str] = set()
        declared_numbers: set[int] = set()
        for container in containers:
            names, numbers = _container_ports(container)
            declared_names |= names.keys()
            declared_numbers |= numbers
        workloads = ", ".join(p.describe() for p in pods)
        for port in as_dicts(spec.get("ports")):
            label = f"port {port.get('name') or port.get('port')}"
            target = port.get("targetPort", port.get("port"))
            if isinstance(target, str) and not target.isdigit():
                if not _IANA_SVC_NAME.match(target):
                    yield self._finding(service, INVALID_TARGET_PORTS,
                                        f'{label}: targetPort "{target}" is not a valid port name; use at most 15 '
                                        "lowercase letters, digits and '-', with at least one letter")
                elif target not in declared_names:
                    yield self._finding(service, INVALID_TARGET_PORTS,
                                        f'{label}: targetPort "{target}" is not a named container port of '
                                        f"{workloads} (ports: {_describe_ports(containers)}); the Service gets "
                                        "no endpoints for it: use one of those names")
            elif isinstance(target, int | str) and int(target) not in declared_numbers:
                yield self._finding(service, INVALID_TARGET_PORTS,
                                    f"{label}: targetPort {target} is not declared by any container of "
                                    f"{workloads} (ports: {_describe_ports(containers)}); target a declared "
                                    "port, preferably by name", Severity.WARNING)

    def check_ingress(self, ingress: Resource) -> Iterator[Finding]:
        spec = as_dict(ingress.obj.get("spec"))
        backends = [("defaultBackend", as_dict(spec.get("defaultBackend") or spec.get("backend")))]
        for rule in as_dicts(spec.get("rules")):
            for path in as_dicts(as_dict(rule.get("http")).get("paths")):
                where = f"rule {rule.get('host', '*')}{path.get('path', '/')}"
                backends.append((where, as_dict(path.get("backend"))))
        namespace = ingress.namespace
        seen: set[tuple[str, str]] = set()
        for where, backend in backends:
            service_ref = as_dict(backend.get("service"))
            name = service_ref.get("name") or backend.get("serviceName")  # v1, then v1beta1
            if not name:
                continue  # a `resource` backend, or none
            port_ref = as_dict(service_ref.get("port"))
            port = port_ref.get("number", port_ref.get("name", backend.get("servicePort")))
            if (str(name), str(port)) in seen:
                continue
            seen.add((str(name), str(port)))
            service = self.index.get("Service", namespace, str(name))
            if service is None:
                services = sorted(self.index.named("Service", namespace))
                yield self._finding(ingress, DANGLING_INGRESS,
                                    f'{where}: backend Service "{name}" not found in namespace '
                                    f"{namespace or '(none)'}; fix the name or add the Service"
                                    f"{_suggest(str(name), services, 'services')}")
                continue
            if port is None:
                continue
            ports = as_dicts(as_dict(service.obj.get("spec")).get("ports"))
            known = {str(p.get("port")) for p in ports} | {str(p["name"]) for p in ports if p.get("name")}
            if str(port) not in known:
                shown = ", ".join(f"{p['name']}={p.get('port')}" if p.get("name") else str(p.get("port"))
                                  for p in ports) or "none"
                yield self._finding(ingress, DANGLING_INGRESS,
                                    f'{where}: backend port {port!r} is not a port of Service {namespace}/{name} '
                                    f"(ports: {shown}); use one of its port numbers or names")

    def check_hpa(self, hpa: Resource) -> Iterator[Finding]:
        ref = as_dict(as_dict(hpa.obj.get("spec")).get("scaleTargetRef"))
        kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
        if not kind or not name or self.index.get(kind, hpa.namespace, name) is not None:
            return
        candidates = sorted(self.index.named(kind, hpa.namespace))
        yield self._finding(hpa, DANGLING_HPA,
                            f'scaleTargetRef {kind} "{name}" not found in namespace {hpa.namespace or "(none)"}; '
                            f"point it at an existing workload{_suggest(name, candidates, kind + 's')}")

    def _dangling_pods(self, resource: Resource, selector: LabelSelector) -> bool:
        return not selector.is_empty and not self.index.pods.any_selected(resource.namespace, selector)

    def check_network_policy(self, policy: Resource) -> Iterator[Finding]:
        spec = as_dict(policy.obj.get("spec"))
        namespace = policy.namespace or "(none)"
        selector = LabelSelector.from_label_selector(spec.get("podSelector", {}))
        # pods a controller creates at run time (e.g. cert-manager's HTTP-01 solver) are not in the tree
        runtime = RUNTIME_PODS_ANNOTATION in policy.annotations
        if not runtime and self._dangling_pods(policy, selector):
            yield self._finding(policy, DANGLING_NETWORKPOLICY,
                                f"podSelector {selector.describe()} matches no pod in namespace {namespace}, so "
                                "the policy has no effect; select the labels of one of: "
                                f"{', '.join(self._workloads_here(policy.namespace)) or 'none'}", Severity.WARNING)
        for direction, peers_field in (("ingress", "from"), ("egress", "to")):
            for i, rule in enumerate(as_dicts(spec.get(direction))):
                for j, peer in enumerate(as_dicts(rule.get(peers_field))):
                    if "podSelector" not in peer or "namespaceSelector" in peer:
                        continue  # other namespaces' pods are not in this tree's namespace to check
                    peer_selector = LabelSelector.from_label_selector(peer["podSelector"])
                    if self._dangling_pods(policy, peer_selector):
                        yield self._finding(policy, DANGLING_NETWORKPOLICY_PEER,
                                            f"{direction}[{i}].{peers_field}[{j}].podSelector "
                                            f"{peer_selector.describe()} matches no pod in namespace {namespace}; "
                                            "the traffic it allows has no peer: fix the labels, or add a "
                                            "namespaceSelector for pods of another namespace")

    def check_service_monitor(self, monitor: Resource) -> Iterator[Finding]:
        spec = as_dict(monitor.obj.get("spec"))
        selector = LabelSelector.from_label_selector(spec.get("selector", {}))
        namespace_selector = as_dict(spec.get("namespaceSelector"))
        if namespace_selector.get("any") is True:
            namespaces = self.index.namespaces_of("Service")
            scope = "any namespace"
        elif namespace_selector.get("matchNames"):
            namespaces = [str(n) for n in namespace_selector["matchNames"]]
            scope = f"namespaces {', '.join(namespaces)}"
        else:  # the Prometheus operator's default: the ServiceMonitor's own namespace
            namespaces = [monitor.namespace]
            scope = f"namespace {monitor.namespace or '(none)'}"
        services = [s for ns in namespaces for s in self.index.named("Service", ns).values()
                    if selector.matches(s.labels)]
        if not services:
            yield self._finding(monitor, DANGLING_SERVICEMONITOR,
                                f"selector {selector.describe()} matches no Service in {scope}, so Prometheus "
                                "scrapes nothing; match a Service's labels (metadata.labels, not its selector)")
            return
        port_names = {str(p["name"]) for s in services
                      for p in as_dicts(as_dict(s.obj.get("spec")).get("ports")) if p.get("name")}
        for endpoint in as_dicts(spec.get("endpoints")):
            port = endpoint.get("port")
            if port and str(port) not in port_names:
                selected = ", ".join(f"{s.namespace}/{s.name}" for s in services)
                yield self._finding(monitor, DANGLING_SERVICEMONITOR,
                                    f'endpoint port "{port}" is not a port name of the selected Services '
                                    f"({selected}: {', '.join(sorted(port_names)) or 'no named ports'}); "
                                    "name one of their ports")

    def check_pdb(self, pdb: Resource) -> Iterator[Finding]:
        selector = LabelSelector.from_label_selector(as_dict(pdb.obj.get("spec")).get("selector"))
        if selector.selects_nothing or self._dangling_pods(pdb, selector):
            yield self._finding(pdb, DANGLING_PDB,
                                f"selector {selector.describe()} matches no pod in namespace "
                                f"{pdb.namespace or '(none)'}, so the budget protects nothing; select the labels "
                                f"of one of: {', '.join(self._workloads_here(pdb.namespace)) or 'none'}",
                                Severity.WARNING)

    def check_external_secret(self, external: Resource) -> Iterator[Finding]:
        spec = as_dict(external.obj.get("spec"))
        refs = [("secretStoreRef", as_dict(spec.get("secretStoreRef")))]
        for field in ("data", "dataFrom"):
            for i, item in enumerate(as_dicts(spec.get(field))):
                store_ref = as_dict(as_dict(item.get("sourceRef")).get("storeRef"))
                if store_ref:
                    refs.append((f"{field}[{i}].sourceRef.storeRef", store_ref))
        for where, ref in refs:
            if not ref.get("name"):
                continue
            problem = self._store_problem(external.namespace, str(ref["name"]), str(ref.get("kind") or "SecretStore"))
            if problem:
                yield self._finding(external, UNKNOWN_SECRET_STORE, f"{where}: {problem}")

    def _store_problem(self, namespace: str, name: str, kind: str) -> str | None:
        if kind == "ClusterSecretStore":
            store = self.index.get(kind, "", name)
            if store is None:
                stores = sorted(self.index.named(kind, ""))
                return (f'ClusterSecretStore "{name}" is not defined in this cluster; the ExternalSecret never '
                        f"syncs: fix the name or add the store{_suggest(name, stores, 'cluster stores')}")
            if not self._serves(store, namespace):
                return (f'ClusterSecretStore "{name}" does not serve namespace {namespace} (spec.conditions); '
                        "add the namespace to its conditions or use another store")
            return None
        if kind != "SecretStore":
            return None  # another provider's kind: not ours to resolve
        if self.index.get(kind, namespace, name) is not None:
            return None
        stores = sorted(self.index.named(kind, namespace))
        return (f'SecretStore "{name}" not found in namespace {namespace or "(none)"}; the ExternalSecret never '
                f"syncs: fix the name, add the store or use kind ClusterSecretStore{_suggest(name, stores, 'stores')}")

    def _serves(self, store: Resource, namespace: str) -> bool:
        """Whether a ClusterSecretStore's spec.conditions let ExternalSecrets of `namespace` use it."""
        conditions = as_dicts(as_dict(store.obj.get("spec")).get("conditions"))
        if not conditions:
            return True
        namespace_object = self.index.get("Namespace", "", namespace)
        labels = {**(namespace_object.labels if namespace_object else {}), "kubernetes.io/metadata.name": namespace}
        for condition in conditions:
            if namespace in (condition.get("namespaces") or ()):
                return True
            if any(_search(str(p), namespace) for p in condition.get("namespaceRegexes") or ()):
                return True
            if "namespaceSelector" in condition:
                if namespace_object is None:
                    return True  # the namespace's labels are not in this tree: give it the benefit of the doubt
                if LabelSelector.from_label_selector(condition["namespaceSelector"]).matches(labels):
                    return True
        return False


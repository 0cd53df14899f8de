"""The references a workload's pod template makes: its selector selects its own pods, its service
account, probe ports, Secrets, ConfigMaps (and their keys), claims and mounted volumes exist."""

from __future__ import annotations

from collections.abc import Iterator

from genai_gitops.manifests.resource import Resource
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.refs.index import ReferenceIndex
from genai_gitops.validators.refs.pod_refs import (
    IANA_SVC_NAME,
    container_label,
    container_ports,
    data_refs,
    describe_ports,
    udp_only_port,
)
from genai_gitops.validators.refs.rules import (
    INVALID_TARGET_PORTS,
    MISMATCHING_SELECTOR,
    MISSING_CONFIGMAP,
    MISSING_CONFIGMAP_KEY,
    MISSING_PVC,
    MISSING_SECRET,
    MISSING_SECRET_KEY,
    MISSING_VOLUME,
    NON_EXISTENT_SERVICE_ACCOUNT,
    PROBE_PORT_RULES,
)
from genai_gitops.validators.refs.suggest import suggest
from genai_gitops.validators.workloads import LabelSelector, PodTemplate, as_dict, as_dicts

#: every namespace gets this ConfigMap from the root CA publisher controller
_ROOT_CA_CONFIGMAP = "kube-root-ca.crt"


def check_workload(refs: ReferenceIndex, template: PodTemplate) -> Iterator[Finding]:
    yield from _check_selector(refs, template)
    yield from _check_service_account(refs, template)
    yield from _check_container_ports(refs, template)
    yield from _check_data_refs(refs, template)
    yield from _check_volumes(refs, template)


def _check_selector(refs: ReferenceIndex, template: PodTemplate) -> Iterator[Finding]:
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
        yield refs.finding(workload, MISMATCHING_SELECTOR,
                            f"spec.selector {selector.describe()} does not match the pod template's labels "
                            f"({labels}); the API server rejects it: make spec.template.metadata.labels "
                            "carry every selector label")


def _check_service_account(refs: ReferenceIndex, template: PodTemplate) -> Iterator[Finding]:
    name = template.spec.get("serviceAccountName") or template.spec.get("serviceAccount")
    if not name or name == "default":
        return
    namespace = template.namespace
    if refs.index.get("ServiceAccount", namespace, str(name)) is None:
        accounts = sorted(refs.index.named("ServiceAccount", namespace))
        yield refs.finding(template.workload, NON_EXISTENT_SERVICE_ACCOUNT,
                            f'serviceAccountName "{name}" not found in namespace {namespace or "(none)"}; '
                            "no pod is created until it exists: add the ServiceAccount or fix the name"
                            f"{suggest(str(name), accounts, 'service accounts')}")


def _check_container_ports(refs: ReferenceIndex, template: PodTemplate) -> Iterator[Finding]:
    workload = template.workload
    for container in template.all_containers:
        label = container_label(container)
        for port in as_dicts(container.get("ports")):
            name = port.get("name")
            if name and not IANA_SVC_NAME.match(str(name)):
                yield refs.finding(workload, INVALID_TARGET_PORTS,
                                    f'{label} port name "{name}" is not a valid port name; use at most 15 '
                                    "lowercase letters, digits and '-', with at least one letter")
        names, numbers = container_ports(container)
        for field, rule in PROBE_PORT_RULES.items():
            probe = as_dict(container.get(field))
            handler = next((as_dict(probe[h]) for h in ("httpGet", "tcpSocket", "grpc") if h in probe), None)
            if handler is None or "port" not in handler:
                continue
            port = handler["port"]
            if isinstance(port, bool) or not isinstance(port, int | str):
                continue  # malformed: the schema validator reports it
            udp = udp_only_port(container, port)
            if udp is not None:
                # kubelet probes are TCP (httpGet, tcpSocket, grpc): a UDP-only port never answers them
                yield refs.finding(workload, rule,
                                    f"{label} {field} uses port {udp}, which the container declares as UDP; "
                                    "probes connect over TCP: probe a TCP port or declare the port as TCP")
            elif isinstance(port, str) and not port.isdigit():
                if port not in names:
                    yield refs.finding(workload, rule,
                                        f'{label} {field} uses port "{port}", which the container does not '
                                        f"expose (ports: {describe_ports([container])}); name one of its "
                                        "ports or add it to the container's ports")
            elif int(port) not in numbers:
                # the kubelet probes an undeclared number all the same: likely a typo, not a sure failure
                yield refs.finding(workload, rule,
                                    f"{label} {field} uses port {port}, which the container does not declare "
                                    f"(ports: {describe_ports([container])}); declare it in ports or "
                                    "probe a declared port", Severity.WARNING)


def _check_data_refs(refs: ReferenceIndex, template: PodTemplate) -> Iterator[Finding]:
    namespace = template.namespace
    missing: dict[tuple[str, str], list[str]] = {}  # one finding per missing object, naming every use
    for ref in data_refs(template):
        if ref.optional:
            continue
        sources = refs.data.sources(ref.kind, namespace, ref.name)
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
        yield refs.finding(template.workload, rule,
                            f'{ref.where}: {ref.kind} "{ref.name}" has no key "{ref.key}"; {produced}; {fix}')
    for (kind, name), uses in missing.items():
        yield _missing_object(refs, template.workload, kind, name, uses)


def _missing_object(refs: ReferenceIndex, workload: Resource, kind: str, name: str, uses: list[str]) -> Finding:
    namespace = workload.namespace or "(none)"
    where = ", ".join(uses)
    if kind == "secret":
        existing = refs.data.names("secret", workload.namespace)
        return refs.finding(workload, MISSING_SECRET,
                             f'{where}: secret "{name}" not found in namespace {namespace} (no Secret, '
                             f'ExternalSecret or Certificate creates it); add an ExternalSecret with target name '
                             f'"{name}", fix the name or mark the reference optional'
                             f"{suggest(name, existing, 'secrets')}")
    existing = refs.data.names("configmap", workload.namespace)
    return refs.finding(workload, MISSING_CONFIGMAP,
                         f'{where}: configmap "{name}" not found in namespace {namespace}; add the ConfigMap, '
                         f"fix the name or mark the reference optional{suggest(name, existing, 'configmaps')}")


def _check_volumes(refs: ReferenceIndex, template: PodTemplate) -> Iterator[Finding]:
    workload = template.workload
    namespace = template.namespace
    claim_templates = {str(as_dict(t.get("metadata")).get("name", ""))
                       for t in as_dicts(as_dict(workload.obj.get("spec")).get("volumeClaimTemplates"))}
    volume_names = {str(v.get("name", "")) for v in template.volumes} | claim_templates
    for volume in template.volumes:
        claim = as_dict(volume.get("persistentVolumeClaim")).get("claimName")
        if claim and claim not in claim_templates and \
                refs.index.get("PersistentVolumeClaim", namespace, str(claim)) is None:
            claims = sorted(refs.index.named("PersistentVolumeClaim", namespace))
            yield refs.finding(workload, MISSING_PVC,
                                f'volume "{volume.get("name", "?")}": PersistentVolumeClaim "{claim}" not found '
                                f"in namespace {namespace or '(none)'}; the pod stays Pending: add the claim, "
                                "fix the name or use a StatefulSet volumeClaimTemplate"
                                f"{suggest(str(claim), claims, 'claims')}")
    for container in template.all_containers:
        for mount in as_dicts(container.get("volumeMounts")):
            name = str(mount.get("name", ""))
            if name and name not in volume_names:
                yield refs.finding(workload, MISSING_VOLUME,
                                    f'{container_label(container)} mounts volume "{name}", which the pod does '
                                    "not define; the API server rejects it: add it to the pod's volumes or fix "
                                    f"the name{suggest(name, sorted(volume_names), 'volumes')}")

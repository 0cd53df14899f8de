"""The references of objects that select pods or name other objects: Services, Ingresses, HPAs,
NetworkPolicies, ServiceMonitors, PodDisruptionBudgets and ExternalSecrets (their stores)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from genai_gitops.manifests.resource import Resource
from genai_gitops.model.traffic import RUNTIME_PODS_ANNOTATION
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.refs.index import ReferenceIndex
from genai_gitops.validators.refs.pod_refs import IANA_SVC_NAME, container_ports, describe_ports
from genai_gitops.validators.refs.rules import (
    DANGLING_HPA,
    DANGLING_INGRESS,
    DANGLING_NETWORKPOLICY,
    DANGLING_NETWORKPOLICY_PEER,
    DANGLING_PDB,
    DANGLING_SERVICE,
    DANGLING_SERVICEMONITOR,
    INVALID_TARGET_PORTS,
    UNKNOWN_SECRET_STORE,
)
from genai_gitops.validators.refs.suggest import suggest
from genai_gitops.validators.workloads import LabelSelector, as_dict, as_dicts


def check_service(refs: ReferenceIndex, service: Resource) -> Iterator[Finding]:
    spec = as_dict(service.obj.get("spec"))
    raw = spec.get("selector")
    if spec.get("type") == "ExternalName" or not isinstance(raw, dict) or not raw:
        return  # no selector: endpoints are managed by hand or by another controller
    selector = LabelSelector.from_map(raw)
    pods = refs.index.pods.selected(service.namespace, selector)
    if not pods:
        yield refs.finding(service, DANGLING_SERVICE,
                            f"selector {selector.describe()} matches no pod template in namespace "
                            f"{service.namespace or '(none)'}, so the Service has no endpoints; match the "
                            f"labels of one of: {', '.join(refs.workloads_here(service.namespace)) or 'none'}")
        return
    containers = [c for pod in pods for c in pod.containers]
    declared_names: set[str] = set()
    declared_numbers: set[int] = set()
    for container in containers:
        names, numbers = container_ports(container)
        declared_names |= names.keys()
        declared_numbers |= numbers
    workloads = ", ".join(p.describe() for p in pods)
    for port in as_dicts(spec.get("ports")):
        label = f"port {port.get('name') or port.get('port')}"
        target = port.get("targetPort", port.get("port"))
        if isinstance(target, str) and not target.isdigit():
            if not IANA_SVC_NAME.match(target):
                yield refs.finding(service, INVALID_TARGET_PORTS,
                                    f'{label}: targetPort "{target}" is not a valid port name; use at most 15 '
                                    "lowercase letters, digits and '-', with at least one letter")
            elif target not in declared_names:
                yield refs.finding(service, INVALID_TARGET_PORTS,
                                    f'{label}: targetPort "{target}" is not a named container port of '
                                    f"{workloads} (ports: {describe_ports(containers)}); the Service gets "
                                    "no endpoints for it: use one of those names")
        elif isinstance(target, int | str) and int(target) not in declared_numbers:
            yield refs.finding(service, INVALID_TARGET_PORTS,
                                f"{label}: targetPort {target} is not declared by any container of "
                                f"{workloads} (ports: {describe_ports(containers)}); target a declared "
                                "port, preferably by name", Severity.WARNING)


def check_ingress(refs: ReferenceIndex, ingress: Resource) -> Iterator[Finding]:
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
        service = refs.index.get("Service", namespace, str(name))
        if service is None:
            services = sorted(refs.index.named("Service", namespace))
            yield refs.finding(ingress, DANGLING_INGRESS,
                                f'{where}: backend Service "{name}" not found in namespace '
                                f"{namespace or '(none)'}; fix the name or add the Service"
                                f"{suggest(str(name), services, 'services')}")
            continue
        if port is None:
            continue
        ports = as_dicts(as_dict(service.obj.get("spec")).get("ports"))
        known = {str(p.get("port")) for p in ports} | {str(p["name"]) for p in ports if p.get("name")}
        if str(port) not in known:
            shown = ", ".join(f"{p['name']}={p.get('port')}" if p.get("name") else str(p.get("port"))
                              for p in ports) or "none"
            yield refs.finding(ingress, DANGLING_INGRESS,
                                f'{where}: backend port {port!r} is not a port of Service {namespace}/{name} '
                                f"(ports: {shown}); use one of its port numbers or names")


def check_hpa(refs: ReferenceIndex, hpa: Resource) -> Iterator[Finding]:
    ref = as_dict(as_dict(hpa.obj.get("spec")).get("scaleTargetRef"))
    kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
    if not kind or not name or refs.index.get(kind, hpa.namespace, name) is not None:
        return
    candidates = sorted(refs.index.named(kind, hpa.namespace))
    yield refs.finding(hpa, DANGLING_HPA,
                        f'scaleTargetRef {kind} "{name}" not found in namespace {hpa.namespace or "(none)"}; '
                        f"point it at an existing workload{suggest(name, candidates, kind + 's')}")


def check_network_policy(refs: ReferenceIndex, policy: Resource) -> Iterator[Finding]:
    spec = as_dict(policy.obj.get("spec"))
    namespace = policy.namespace or "(none)"
    selector = LabelSelector.from_label_selector(spec.get("podSelector", {}))
    # pods a controller creates at run time (e.g. cert-manager's HTTP-01 solver) are not in the tree
    runtime = RUNTIME_PODS_ANNOTATION in policy.annotations
    if not runtime and refs.dangling_pods(policy, selector):
        yield refs.finding(policy, DANGLING_NETWORKPOLICY,
                            f"podSelector {selector.describe()} matches no pod in namespace {namespace}, so "
                            "the policy has no effect; select the labels of one of: "
                            f"{', '.join(refs.workloads_here(policy.namespace)) or 'none'}", Severity.WARNING)
    for direction, peers_field in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(as_dicts(spec.get(direction))):
            for j, peer in enumerate(as_dicts(rule.get(peers_field))):
                if "podSelector" not in peer or "namespaceSelector" in peer:
                    continue  # other namespaces' pods are not in this tree's namespace to check
                peer_selector = LabelSelector.from_label_selector(peer["podSelector"])
                if refs.dangling_pods(policy, peer_selector):
                    yield refs.finding(policy, DANGLING_NETWORKPOLICY_PEER,
                                        f"{direction}[{i}].{peers_field}[{j}].podSelector "
                                        f"{peer_selector.describe()} matches no pod in namespace {namespace}; "
                                        "the traffic it allows has no peer: fix the labels, or add a "
                                        "namespaceSelector for pods of another namespace")


def check_service_monitor(refs: ReferenceIndex, monitor: Resource) -> Iterator[Finding]:
    spec = as_dict(monitor.obj.get("spec"))
    selector = LabelSelector.from_label_selector(spec.get("selector", {}))
    namespace_selector = as_dict(spec.get("namespaceSelector"))
    if namespace_selector.get("any") is True:
        namespaces = refs.index.namespaces_of("Service")
        scope = "any namespace"
    elif namespace_selector.get("matchNames"):
        namespaces = [str(n) for n in namespace_selector["matchNames"]]
        scope = f"namespaces {', '.join(namespaces)}"
    else:  # the Prometheus operator's default: the ServiceMonitor's own namespace
        namespaces = [monitor.namespace]
        scope = f"namespace {monitor.namespace or '(none)'}"
    services = [s for ns in namespaces for s in refs.index.named("Service", ns).values()
                if selector.matches(s.labels)]
    if not services:
        yield refs.finding(monitor, DANGLING_SERVICEMONITOR,
                            f"selector {selector.describe()} matches no Service in {scope}, so Prometheus "
                            "scrapes nothing; match a Service's labels (metadata.labels, not its selector)")
        return
    port_names = {str(p["name"]) for s in services
                  for p in as_dicts(as_dict(s.obj.get("spec")).get("ports")) if p.get("name")}
    for endpoint in as_dicts(spec.get("endpoints")):
        port = endpoint.get("port")
        if port and str(port) not in port_names:
            selected = ", ".join(f"{s.namespace}/{s.name}" for s in services)
            yield refs.finding(monitor, DANGLING_SERVICEMONITOR,
                                f'endpoint port "{port}" is not a port name of the selected Services '
                                f"({selected}: {', '.join(sorted(port_names)) or 'no named ports'}); "
                                "name one of their ports")


def check_pdb(refs: ReferenceIndex, pdb: Resource) -> Iterator[Finding]:
    selector = LabelSelector.from_label_selector(as_dict(pdb.obj.get("spec")).get("selector"))
    if selector.selects_nothing or refs.dangling_pods(pdb, selector):
        yield refs.finding(pdb, DANGLING_PDB,
                            f"selector {selector.describe()} matches no pod in namespace "
                            f"{pdb.namespace or '(none)'}, so the budget protects nothing; select the labels "
                            f"of one of: {', '.join(refs.workloads_here(pdb.namespace)) or 'none'}",
                            Severity.WARNING)


def check_external_secret(refs: ReferenceIndex, external: Resource) -> Iterator[Finding]:
    spec = as_dict(external.obj.get("spec"))
    store_refs = [("secretStoreRef", as_dict(spec.get("secretStoreRef")))]
    for field in ("data", "dataFrom"):
        for i, item in enumerate(as_dicts(spec.get(field))):
            store_ref = as_dict(as_dict(item.get("sourceRef")).get("storeRef"))
            if store_ref:
                store_refs.append((f"{field}[{i}].sourceRef.storeRef", store_ref))
    for where, ref in store_refs:
        if not ref.get("name"):
            continue
        problem = _store_problem(refs, external.namespace, str(ref["name"]), str(ref.get("kind") or "SecretStore"))
        if problem:
            yield refs.finding(external, UNKNOWN_SECRET_STORE, f"{where}: {problem}")


def _store_problem(refs: ReferenceIndex, namespace: str, name: str, kind: str) -> str | None:
    if kind == "ClusterSecretStore":
        store = refs.index.get(kind, "", name)
        if store is None:
            stores = sorted(refs.index.named(kind, ""))
            return (f'ClusterSecretStore "{name}" is not defined in this cluster; the ExternalSecret never '
                    f"syncs: fix the name or add the store{suggest(name, stores, 'cluster stores')}")
        if not _serves(refs, store, namespace):
            return (f'ClusterSecretStore "{name}" does not serve namespace {namespace} (spec.conditions); '
                    "add the namespace to its conditions or use another store")
        return None
    if kind != "SecretStore":
        return None  # another provider's kind: not ours to resolve
    if refs.index.get(kind, namespace, name) is not None:
        return None
    stores = sorted(refs.index.named(kind, namespace))
    return (f'SecretStore "{name}" not found in namespace {namespace or "(none)"}; the ExternalSecret never '
            f"syncs: fix the name, add the store or use kind ClusterSecretStore{suggest(name, stores, 'stores')}")


def _serves(refs: ReferenceIndex, store: Resource, namespace: str) -> bool:
    """Whether a ClusterSecretStore's spec.conditions let ExternalSecrets of `namespace` use it."""
    conditions = as_dicts(as_dict(store.obj.get("spec")).get("conditions"))
    if not conditions:
        return True
    namespace_object = refs.index.get("Namespace", "", namespace)
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


def _search(pattern: str, text: str) -> bool:
    """A regex match anywhere in `text` (Go's MatchString, as ESO uses); an invalid pattern matches nothing."""
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False

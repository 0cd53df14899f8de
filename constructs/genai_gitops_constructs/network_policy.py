"""NetworkPolicies rendered from the declared traffic graph (genai_gitops.model.traffic).

A namespace gets one default-deny policy (ingress and egress, every pod) and one allow policy
per workload holding exactly the flows that start or end at that workload. Nothing is allowed
that the graph does not declare; the isolation check proves it against these very objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cdk8s_plus_28 import k8s
from constructs import Construct

from genai_gitops.model.traffic import RUNTIME_PODS_ANNOTATION, Cidr, Flow, Peer, Port, Workload
from genai_gitops_constructs.values import int_or_string

DEFAULT_DENY = "default-deny"


def _peer(peer: Peer, own_namespace: str) -> k8s.NetworkPolicyPeer:
    if isinstance(peer, Cidr):
        return k8s.NetworkPolicyPeer(ip_block=k8s.IpBlock(cidr=peer.cidr, except_=list(peer.excepts) or None))
    pods = k8s.LabelSelector(match_labels=peer.selector)
    if peer.namespace == own_namespace:
        return k8s.NetworkPolicyPeer(pod_selector=pods)
    namespaces = k8s.LabelSelector(match_labels={"kubernetes.io/metadata.name": peer.namespace})
    return k8s.NetworkPolicyPeer(namespace_selector=namespaces, pod_selector=pods)


def _ports(ports: Sequence[Port]) -> list[k8s.NetworkPolicyPort]:
    return [k8s.NetworkPolicyPort(port=int_or_string(p.number), protocol=p.protocol) for p in ports]


class NamespaceNetworkPolicies(Construct):
    """Default deny plus one allow policy per workload of `namespace`, from `flows`."""

    def __init__(self, scope: Construct, id: str, *, namespace: str, flows: Sequence[Flow],
                 labels: dict[str, str]) -> None:
        super().__init__(scope, id)
        k8s.KubeNetworkPolicy(self, DEFAULT_DENY, metadata=k8s.ObjectMeta(
            name=DEFAULT_DENY, namespace=namespace, labels=labels),
            spec=k8s.NetworkPolicySpec(pod_selector=k8s.LabelSelector(), policy_types=["Ingress", "Egress"]))

        ingress: dict[Workload, list[Flow]] = defaultdict(list)
        egress: dict[Workload, list[Flow]] = defaultdict(list)
        for flow in flows:
            if isinstance(flow.destination, Workload) and flow.destination.namespace == namespace:
                ingress[flow.destination].append(flow)
            if isinstance(flow.source, Workload) and flow.source.namespace == namespace:
                egress[flow.source].append(flow)

        for workload in sorted({*ingress, *egress}, key=str):
            spec: dict[str, Any] = {"pod_selector": k8s.LabelSelector(match_labels=workload.selector)}
            types = []
            if workload in ingress:
                types.append("Ingress")
                spec["ingress"] = [k8s.NetworkPolicyIngressRule(from_=[_peer(f.source, namespace)],
                                                                ports=_ports(f.ports))
                                   for f in sorted(ingress[workload], key=str)]
            if workload in egress:
                types.append("Egress")
                spec["egress"] = [k8s.NetworkPolicyEgressRule(to=[_peer(f.destination, namespace)],
                                                              ports=_ports(f.ports))
                                  for f in sorted(egress[workload], key=str)]
            name = f"allow-{workload.name}"
            annotations = {RUNTIME_PODS_ANNOTATION: workload.runtime} if workload.runtime else None
            k8s.KubeNetworkPolicy(self, name, metadata=k8s.ObjectMeta(name=name, namespace=namespace, labels=labels,
                                                                      annotations=annotations),
                                  spec=k8s.NetworkPolicySpec(policy_types=types, **spec))

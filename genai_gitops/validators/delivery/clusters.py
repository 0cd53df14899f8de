"""Argo CD's destination clusters: the inventory's cluster secrets plus Argo CD's own cluster."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genai_gitops.argocd.generators.clusters import IN_CLUSTER_NAME as LOCAL_NAME
from genai_gitops.argocd.generators.clusters import IN_CLUSTER_SERVER as LOCAL_SERVER
from genai_gitops.model.cluster import ClusterInventory, ClusterSpec


@dataclass(frozen=True)
class Destination:
    """A resolved Argo CD destination cluster: its secret's name and server, and inventory entry."""

    name: str
    server: str
    cluster: ClusterSpec | None

    @property
    def label(self) -> str:
        return self.cluster.name if self.cluster else self.name


class ClusterDirectory:
    """Argo CD's cluster secrets (the inventory) plus its own local cluster."""

    def __init__(self, inventory: ClusterInventory) -> None:
        self.by_name: dict[str, Destination] = {}
        self.by_server: dict[str, Destination] = {}
        for cluster in inventory.clusters:
            dest = Destination(cluster.argocd.name, cluster.argocd.server, cluster)
            self.by_name[dest.name] = dest
            self.by_server[dest.server] = dest
        if LOCAL_SERVER not in self.by_server:  # the local cluster exists even without a secret
            local = self.by_name.get(LOCAL_NAME) or Destination(LOCAL_NAME, LOCAL_SERVER, None)
            self.by_server.setdefault(LOCAL_SERVER, local)
            self.by_name.setdefault(LOCAL_NAME, local)

    def resolve(self, destination: Mapping[str, Any]) -> Destination | None:
        name, server = str(destination.get("name") or ""), str(destination.get("server") or "")
        if name and server:
            return None  # Argo CD: "application destination can't have both name and server defined"
        return self.by_name.get(name) if name else self.by_server.get(server)


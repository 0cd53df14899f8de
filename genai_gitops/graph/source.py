"""Read a dist/ tree and analyse it the way the isolation check does, cluster by cluster."""

from __future__ import annotations

from pathlib import Path

from genai_gitops.graph.model import ConnectivityGraph, build_graph, merge_graphs
from genai_gitops.manifests import read_paths
from genai_gitops.model.loader import Platform
from genai_gitops.validators.base import Target
from genai_gitops.validators.isolation.analysis import DEFAULT_WORKERS
from genai_gitops.validators.isolation.validator import address_book, analyse_target

#: the Kubernetes version does not change what NetworkPolicies mean; Target needs one
_ANY_K8S_VERSION = "1.30"


class GraphSourceError(ValueError):
    """The dist/ tree, cluster or tenant asked for does not exist: a mistake of the caller."""


def dist_graph(dist: Path, *, platform: Platform | None = None, cluster: str | None = None,
               tenant: str | None = None, workers: int = DEFAULT_WORKERS) -> ConnectivityGraph:
    """The connectivity of `dist/<cluster>/` trees as nca computes it.

    With `platform` (tenants and clusters data) peers and address blocks get the graph's names and
    the cluster's ingress controller; without it each sub-folder of `dist` is read as a cluster.
    `tenant` (an id or a namespace) restricts the picture to that tenant's namespace and its peers.
    """
    if not dist.is_dir():
        raise GraphSourceError(f"{dist} is not a folder; synthesise first (genai-gitops synth) or pass --dist")
    folders = sorted(p.name for p in dist.iterdir() if p.is_dir() and not p.name.startswith("."))
    if cluster is not None:
        if cluster not in folders:
            raise GraphSourceError(f"no cluster {cluster!r} in {dist}; found: {', '.join(folders) or 'none'}")
        folders = [cluster]
    specs = platform.inventory.by_name() if platform is not None else {}
    graphs = []
    for name in folders:
        manifests = read_paths([dist / name])
        spec = specs.get(name)
        # Only tenants this tree renders: a tenant the data places on the cluster but the tree does not
        # hold yet (the base of a PR that adds it) has no pods and no policies here. Analysed from the data
        # alone it would look wide open to everything, and a pure addition would read as flows removed.
        present = {r.namespace for r in manifests.resources} | \
                  {r.name for r in manifests.resources if r.kind == "Namespace"}
        tenants = [t for t in platform.tenants_on(name) if t.namespace in present] \
            if platform is not None and spec is not None else []
        target = Target(name=name, k8s_version=spec.kubernetes_version if spec else _ANY_K8S_VERSION,
                        resources=manifests.resources, cluster=spec, tenants=tenants,
                        inventory=platform.inventory if platform is not None else None)
        analysed = analyse_target(target, workers=workers, tenant=tenant)
        graphs.append(build_graph(name, analysed, address_book([s for s, _ in analysed], target)))
    graph = merge_graphs(graphs)
    if tenant is not None and not graph.nodes and not graph.errors:
        where = f"cluster {cluster}" if cluster else str(dist)
        raise GraphSourceError(f"no tenant {tenant!r} in {where}: no Namespace labelled "
                               f"genai-gitops.io/tenant={tenant} and no tenant-{tenant} in the data")
    return graph

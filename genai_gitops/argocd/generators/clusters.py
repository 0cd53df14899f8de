"""The clusters generator, with the cluster inventory in the role of Argo CD's cluster secrets.

Each inventory cluster is one secret: `name` is `argocd.name`, `server` is `argocd.server`, and its
labels are the ones the ApplicationSets select on (cluster, environment, role), plus the
`argocd.argoproj.io/secret-type: cluster` label every cluster secret carries. That is a contract
with operations: the real secrets must carry the same labels, including the one for `in-cluster`.

As in Argo CD, the local cluster without a secret is offered only when the selector is empty, and
then without `metadata` (it has no labels to match).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_gitops.argocd.generators.base import (
    GeneratorContext,
    GeneratorError,
    Params,
    append_values,
    check_fields,
    parse_selector,
)
from genai_gitops.argocd.gotemplate import StringMap, normalize
from genai_gitops.model.apps import CLUSTER_LABEL, ENVIRONMENT_LABEL, ROLE_LABEL
from genai_gitops.model.cluster import ClusterInventory

SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"  # noqa: S105 - a label key, not a password
IN_CLUSTER_NAME = "in-cluster"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"


def cluster_secrets(inventory: ClusterInventory) -> dict[str, tuple[str, StringMap]]:
    """Argo CD cluster name -> (server, labels) of the secret each inventory cluster stands for.

    Keyed by name as Argo CD keys them (a second secret with the same name replaces the first)."""
    secrets: dict[str, tuple[str, StringMap]] = {}
    for cluster in inventory.clusters:
        labels = StringMap({SECRET_TYPE_LABEL: "cluster", CLUSTER_LABEL: cluster.name,
                            ENVIRONMENT_LABEL: cluster.environment.value, ROLE_LABEL: cluster.role.value})
        secrets[cluster.argocd.name] = (cluster.argocd.server, labels)
    return secrets


#: where this generator memoises the cluster secrets in its context's cache: read from the inventory alone
MEMO_KEY = "cluster-secrets"


class ClustersGenerator:
    key = "clusters"

    def generate(self, spec: Mapping[str, Any], context: GeneratorContext, depth: int) -> list[Params]:
        where = f"{context.application_set}: clusters"
        spec = check_fields(spec, ("selector", "template", "values", "flatList"), where)
        selector = parse_selector(spec.get("selector"), f"{where}.selector", validate_values=True)
        # a matrix runs this once per folder: build the secrets once per preview
        secrets = context.cache.get(MEMO_KEY)
        if secrets is None:
            secrets = context.cache[MEMO_KEY] = cluster_secrets(context.inventory)
        params: list[Params] = []
        for name in sorted(secrets):
            server, labels = secrets[name]
            if not selector.matches(labels):
                continue
            found: Params = {"name": name, "nameNormalized": normalize(name), "server": server, "project": "",
                             "metadata": {"labels": labels}}
            append_values(spec.get("values"), found, context, where)
            params.append(found)
        # a secret-less local cluster has no labels: Argo CD offers it only to an empty selector
        if selector.empty and not any(server == IN_CLUSTER_SERVER for server, _ in secrets.values()):
            local: Params = {"name": IN_CLUSTER_NAME, "nameNormalized": IN_CLUSTER_NAME,
                             "server": IN_CLUSTER_SERVER, "project": ""}
            append_values(spec.get("values"), local, context, where)
            params.append(local)
        flat = spec.get("flatList", False)
        if not isinstance(flat, bool):
            raise GeneratorError(f"{where}.flatList: expected true or false")
        return [{"clusters": params}] if flat else params

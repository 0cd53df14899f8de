"""Which inventory kinds a template can read: only plain references down to a literal kind narrow it."""

from __future__ import annotations

import pytest

from genai_gitops.validators.gatekeeper.engine import PolicyEngine
from genai_gitops.validators.gatekeeper.inventory import Inventory
from genai_gitops.validators.gatekeeper.projection import inventory_kinds
from genai_gitops.validators.gatekeeper.template import ConstraintTemplate


@pytest.mark.parametrize(("rego", "expected"), [
    ("p := data.inventory.namespace[ns][v].NetworkPolicy[n]", {("namespace", "NetworkPolicy")}),
    ('p := data.inventory.namespace[_][v]["Ingress"][n]', {("namespace", "Ingress")}),
    ("p := data.inventory.cluster.v1.Namespace[input.review.object.metadata.namespace]", {("cluster", "Namespace")}),
    ('p := data.inventory.cluster["storage.k8s.io/v1"]["StorageClass"]', {("cluster", "StorageClass")}),
    ('p := data.inventory.namespace[x["a"]][v].Role\nq := data.inventory.cluster[v].ClusterRole',
     {("namespace", "Role"), ("cluster", "ClusterRole")}),
    ("p := input.review.object.data.key", set()),  # a field named data, not the root
])
def test_plain_references_name_their_kinds(rego: str, expected: set[tuple[str, str]]) -> None:
    assert inventory_kinds([rego]) == expected


@pytest.mark.parametrize("rego", [
    "p := data.inventory",
    "p := count(data.inventory.namespace)",
    "p := data.inventory.namespace[ns][v]",
    "p := data.inventory.namespace[ns][v][kind][n]",  # the kind from a variable
    "p := data.inventory.cluster[v]",
    "import data.inventory\np := inventory.cluster.v1.Namespace",
    "import data.lib.helpers",
    "p := data[x]",
    "# reads data from elsewhere\np := 1",
    'p := object.get(input, "data", {})',
    "p := data.inventory.namespace[ns\n][v].Role",
    "p := walk(data)",
])
def test_anything_else_reads_the_whole_inventory(rego: str) -> None:
    assert inventory_kinds([rego]) is None


def test_a_lib_that_reads_more_widens_it() -> None:
    assert inventory_kinds(["p := data.inventory.cluster.v1.Namespace", "q := data.inventory"]) is None


def _template(rego: str) -> ConstraintTemplate:
    return ConstraintTemplate(name="k8sprobe", kind="K8sProbe", rego=rego, rego_version="v1")


def test_a_projected_inventory_reads_as_the_whole_one() -> None:
    objects = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "a"}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "a"}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n", "namespace": "b"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}},
    ]
    inventory = Inventory(objects)
    rego = """package k8sprobe
violation contains {"msg": sprintf("%v %v %v", [ns, v, n])} if {
  some ns, v, n
  data.inventory.namespace[ns][v].ResourceQuota[n]
}
violation contains {"msg": sprintf("policies in %v: %v", [ns, count(policies)])} if {
  some ns, v
  policies := data.inventory.namespace[ns][v].NetworkPolicy
}
violation contains {"msg": "no namespace c"} if not data.inventory.cluster.v1.Namespace.c
"""
    template = _template(rego)
    engine = PolicyEngine()
    compiled = engine.add_template(template)
    assert compiled.inventory_kinds == {("namespace", "ResourceQuota"), ("namespace", "NetworkPolicy"),
                                        ("cluster", "Namespace")}
    projected = inventory.to_json(compiled.inventory_kinds)
    assert len(projected) < len(inventory.to_json()) and "ConfigMap" not in projected
    results = []
    for data in (inventory.to_json(), projected):
        bound = compiled.bind(data)
        results.append(sorted(r["msg"] for r in bound.violations('{"review":{},"parameters":{}}')))
    assert results[0] == results[1] == ["a v1 q", "no namespace c", "policies in b: 1"]

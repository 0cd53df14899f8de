"""`data.inventory` takes the shape Gatekeeper's sync gives it."""

from __future__ import annotations

import json

import pytest
from gatekeeper_fixtures import namespace, pod

from genai_gitops.validators.gatekeeper.inventory import Inventory, InventoryError


def test_inventory_keys_objects_by_scope_group_version_kind_and_name() -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "t"}}
    inventory = Inventory([namespace("t", tenant="yes"), deployment, pod(namespace="t")])
    data = inventory.to_data()
    assert data["cluster"]["v1"]["Namespace"]["t"]["metadata"]["labels"] == {"tenant": "yes"}
    assert data["namespace"]["t"]["apps/v1"]["Deployment"]["api"] is deployment
    assert set(data["namespace"]["t"]["v1"]["Pod"]) == {"web"}
    assert len(inventory) == 3
    assert inventory.namespace("t") is data["cluster"]["v1"]["Namespace"]["t"]
    assert inventory.namespace("missing") is None


def test_inventory_json_follows_additions() -> None:
    inventory = Inventory()
    assert inventory.to_json() == "{}"
    inventory.add(namespace("a"))
    assert json.loads(inventory.to_json())["cluster"]["v1"]["Namespace"]["a"]["metadata"]["name"] == "a"


@pytest.mark.parametrize(("obj", "message"), [
    ({"kind": "ConfigMap", "metadata": {"name": "x"}}, "resource x has no version"),
    ({"apiVersion": "v1", "metadata": {"name": "x"}}, "resource x has no kind"),
])
def test_inventory_rejects_objects_gatekeeper_cannot_sync(obj: dict, message: str) -> None:
    with pytest.raises(InventoryError, match=message):
        Inventory([obj])

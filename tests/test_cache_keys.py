"""Cache keys: each changes with every input it names, and no code outside cache_keys makes one up."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from genai_gitops import cache_keys

PACKAGE = Path(cache_keys.__file__).parent


@dataclass(frozen=True)
class Data:
    """Stands in for validated data: what a key reads is its JSON."""

    json: str
    namespace: str = "tenant-a"

    def model_dump_json(self) -> str:
        return self.json


def differs_on_each(build: Callable[..., str], base: dict[str, Any], changes: dict[str, Any]) -> None:
    """The key of `base` is stable, and changing any one input alone gives a key unlike every other."""
    assert build(**base) == build(**base)
    keys = {"base": build(**base)}
    for name, value in changes.items():
        assert value != base[name], name
        keys[name] = build(**{**base, name: value})
    assert len(set(keys.values())) == len(keys), keys


def test_folder_key_names_path_files_and_other_entries() -> None:
    differs_on_each(cache_keys.folder,
                    {"path": "dist/c/a", "files": [("dist/c/a/x.yaml", b"a: 1\n")],
                     "others": [("dist/c/a/l", "link:x")]},
                    {"path": "dist/c/b", "files": [("dist/c/a/y.yaml", b"a: 1\n")], "others": []})
    assert cache_keys.folder(path="p", files=[("p/x.yaml", b"a: 1\n")], others=[]) != cache_keys.folder(
        path="p", files=[("p/x.yaml", b"a: 2\n")], others=[])


def test_target_keys_name_validator_context_content_and_data() -> None:
    differs_on_each(cache_keys.target, {"validator": "refs", "context": "", "content": "c1", "data": "d1"},
                    {"validator": "capacity", "context": "skips", "content": "c2", "data": "d2"})
    differs_on_each(partial(cache_keys.target_data, used=cache_keys.TARGET_DATA),
                    {"k8s_version": "1.31", "cluster": Data("{}"), "tenants": [Data("a")], "inventory": Data("i")},
                    {"k8s_version": "1.30", "cluster": None, "tenants": [Data("a"), Data("b")],
                     "inventory": Data("j")})
    assert cache_keys.target_content([("c/a", "1"), ("c/b", "2")]) != cache_keys.target_content([("c/a", "1")])


def test_work_unit_keys_name_every_shared_input_by_name() -> None:
    context = cache_keys.unit_context("schema", k8s_version="1.31", policies="p")
    assert context == cache_keys.unit_context("schema", policies="p", k8s_version="1.31")  # named, not positional
    assert len({context, cache_keys.unit_context("policy", k8s_version="1.31", policies="p"),
                cache_keys.unit_context("schema", k8s_version="1.30", policies="p"),
                cache_keys.unit_context("schema", k8s_version="1.31", policies="q"),
                cache_keys.unit_context("schema", k8s_version="1.31", templates="p")}) == 5
    differs_on_each(cache_keys.work_unit, {"context": context, "objects": "o1"}, {"context": "other", "objects": "o2"})


def test_app_input_keys_name_kind_path_inventory_and_what_the_stack_reads() -> None:
    differs_on_each(cache_keys.app_inputs,
                    {"kind": "tenant", "path": "c/a", "inventory": "i", "tenants": ["t"], "policies": "",
                     "repositories": ""},
                    {"kind": "guardrails", "path": "c/b", "inventory": "j", "tenants": ["u"], "policies": "p",
                     "repositories": "r"})
    # the same text as a tenant's data or as the policies' digest is not the same input
    assert cache_keys.app_inputs(kind="k", path="p", inventory="i", tenants=["x"]) != cache_keys.app_inputs(
        kind="k", path="p", inventory="i", policies="x")


def test_delivery_keys_name_every_input() -> None:
    differs_on_each(cache_keys.preview, {"root": "/r", "inventory": "i", "argocd_folders": ("f",)},
                    {"root": "/s", "inventory": "j", "argocd_folders": ("f", "g")})
    differs_on_each(cache_keys.delivery_source, {"path": "dist/c/a", "recurse": False, "exists": True, "folders": ()},
                    {"path": "dist/c/b", "recurse": True, "exists": False, "folders": ("f",)})
    differs_on_each(cache_keys.delivery_objects,
                    {"application": "a", "destination": {"name": "c"}, "resolved": "c", "project": "p", "scopes": []},
                    {"application": "b", "destination": {"name": "d"}, "resolved": "", "project": "q",
                     "scopes": [["g", "K", True]]})
    assert cache_keys.delivery_facts(["s1"]) != cache_keys.delivery_facts(["s1", "s2"])
    assert cache_keys.delivery_project("p", {"a": 1}) != cache_keys.delivery_project("p", {"a": 2})


def test_tenant_file_and_synth_cluster_keys_name_every_input() -> None:
    differs_on_each(cache_keys.tenant_file, {"display": "tenants/a.yaml", "body": b"id: a\n"},
                    {"display": "tenants/b.yaml", "body": b"id: b\n"})
    base = [("c/a", "k1"), ("c/b", "k2")]
    keys = {cache_keys.synth_cluster(base), cache_keys.synth_cluster([("c/a", "k1"), ("c/b", "k3")]),
            cache_keys.synth_cluster([("c/a", "k1"), ("c/x", "k2")]), cache_keys.synth_cluster(base[:1])}
    assert len(keys) == 4 and cache_keys.synth_cluster(base) == cache_keys.synth_cluster(list(base))


def test_namespaces_are_distinct() -> None:
    names = [cache_keys.PARSED, cache_keys.PARSE_FINDINGS, cache_keys.RESOURCE_COUNT, cache_keys.CHECKED,
             cache_keys.SYNTH, cache_keys.NCA, cache_keys.NCA_CLASS, cache_keys.DELIVERY_PREVIEW,
             cache_keys.DELIVERY_APPS, cache_keys.target_results("refs"), cache_keys.unit_results("refs"),
             cache_keys.TENANT_FILE, cache_keys.FOLDERS_SUMMARY, cache_keys.SYNTH_CLUSTER, cache_keys.CHECKOV_CLASS]
    assert len(set(names)) == len(names)


def _cache_calls_with_literal_namespaces(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "put")
                and "cache" in ast.unparse(node.func.value).lower() and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr)):
            found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_cache_namespace_is_written_out_at_a_call(path: Path) -> None:
    """A namespace spelled at a call would be a key cache_keys does not know about."""
    assert _cache_calls_with_literal_namespaces(path) == []


def test_the_scan_finds_a_namespace_written_out(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('def f(cache, self, key):\n    cache.get("parsed", key)\n'
                      '    self.cache.put(f"unit-{key}", key, 1)\n'
                      '    {}.get("x", None)\n    cache.get(cache_keys.PARSED, key)\n')
    assert _cache_calls_with_literal_namespaces(module, tmp_path) == ["m.py:2", "m.py:3"]

"""Verdicts where JSON Schema alone and the Kubernetes API server disagree: nulls, defaults and list types.

Sources (k8s.io/apiextensions-apiserver): `pkg/apiserver/schema/defaulting/prunenulls.go`
(PruneNonNullableNullsWithoutDefaults: a null for a non-nullable field without a default is dropped
before validation), `pkg/apiserver/schema/defaulting/algorithm.go` (defaults fill missing fields and
non-nullable nulls), `pkg/apiserver/schema/listtype/validation.go` (ValidateListSetsAndMaps: "Duplicate
value" for a repeated set element or list-map key). The list-map markers come from the upstream types:
prometheus-operator v0.93.0 `PrometheusRuleSpec.Groups` (+listType=map, +listMapKey=name) and
open-policy-agent/frameworks `Target.Code` (+listType=map, +listMapKey=engine).
"""

from __future__ import annotations

from typing import Any

import pytest

from genai_gitops.manifests import read_text
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.schema import SchemaRegistry, SchemaValidator
from genai_gitops.validators.schema.structural import Shape


def check(registry: SchemaRegistry, text: str) -> list[tuple[str, str]]:
    validator = SchemaValidator(ValidatorOptions(), registry=registry)
    manifests = read_text(text, "inline.yaml")
    assert not manifests.findings
    findings = validator.validate(Target(name="t", k8s_version="1.30", resources=manifests.resources))
    return [(f.rule, f.message) for f in findings]


NULL_FIELDS = {
    "Application": """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://example.com/repo.git, path: dist/x, targetRevision: main}
  destination: {server: https://kubernetes.default.svc, namespace: x}
  syncPolicy:
""",
    "AppProject": """
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: p, namespace: argocd}
spec:
  description: null
  sourceRepos: ["https://example.com/repo.git"]
  destinations:
""",
    "ExternalSecret": """
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: s, namespace: x}
spec:
  refreshInterval:
  secretStoreRef: {name: store, kind: SecretStore}
  target: {name: s}
  data:
    - secretKey: k
      remoteRef: {key: genai/x, property: null}
""",
    "PrometheusRule": """
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: r, namespace: monitoring}
spec:
  groups:
    - name: g
      interval:
      rules:
        - alert: A
          expr: up == 0
          labels:
""",
    "ServiceMonitor": """
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m, namespace: monitoring}
spec:
  selector: {matchLabels: {app: x}}
  namespaceSelector:
  endpoints:
    - port: metrics
      path:
""",
}


@pytest.mark.parametrize("kind", sorted(NULL_FIELDS))
def test_nulls_on_custom_resources_are_dropped_as_the_api_server_does(schema_registry, kind):
    assert check(schema_registry, NULL_FIELDS[kind]) == []


def test_a_null_for_a_required_field_is_still_reported_as_missing(schema_registry):
    text = NULL_FIELDS["Application"].replace("  project: default\n", "  project:\n")
    # the API server drops the null, then reports the required field: 'spec.project: Required value'
    assert check(schema_registry, text) == [("schema-invalid", "spec.project: required field 'project' is missing")]


def test_duplicate_prometheus_rule_group_names_are_refused(schema_registry):
    text = """
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: r, namespace: monitoring}
spec:
  groups:
    - name: platform
      rules: [{alert: A, expr: up == 0}]
    - name: platform
      rules: [{alert: B, expr: up == 1}]
"""
    assert check(schema_registry, text) == [(
        "schema-invalid",
        'spec.groups[1]: Duplicate value: {"name": "platform"}; entries of this list are keyed by name '
        "(x-kubernetes-list-type: map): give each entry a unique value of name or merge them")]


def test_two_code_entries_for_one_engine_in_a_constraint_template_are_refused(schema_registry):
    text = """
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sdemo}
spec:
  crd:
    spec:
      names: {kind: K8sDemo}
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: Rego
          source: {rego: "package k8sdemo\\nviolation[{\\"msg\\": \\"x\\"}] { false }"}
        - engine: Rego
          source: {rego: "package k8sdemo\\nviolation[{\\"msg\\": \\"y\\"}] { false }"}
"""
    assert check(schema_registry, text) == [(
        "schema-invalid",
        'spec.targets[0].code[1]: Duplicate value: {"engine": "Rego"}; entries of this list are keyed by engine '
        "(x-kubernetes-list-type: map): give each entry a unique value of engine or merge them")]


def test_built_in_list_maps_refuse_duplicate_keys(schema_registry):
    # PodSpec.containers is x-kubernetes-list-type: map keyed by name; the API server's pod validation
    # answers 'spec.template.spec.containers[1].name: Duplicate value: "app"'
    text = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: app, image: "nginx:1.27"}
        - {name: app, image: "nginx:1.27"}
"""
    assert check(schema_registry, text) == [(
        "schema-invalid",
        'spec.template.spec.containers[1]: Duplicate value: {"name": "app"}; entries of this list are keyed by '
        "name (x-kubernetes-list-type: map): give each entry a unique value of name or merge them")]


def test_list_map_with_two_keys_and_sets():
    schema = {"type": "object", "properties": {
        "ports": {"type": "array", "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["port", "protocol"],
                  "items": {"type": "object", "properties": {"port": {"type": "integer"},
                                                             "protocol": {"type": "string"}}}},
        "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}}}
    shape = Shape(schema, {})
    obj = {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"},
                     {"port": 53, "protocol": "UDP"}],
           "tags": ["a", "b", "a", "a"]}
    assert [(d.path, d.value) for d in shape.duplicates(obj)] == [
        ("ports[2]", {"port": 53, "protocol": "UDP"}), ("tags[2]", "a")]


def test_defaults_fill_missing_and_null_fields_before_validation():
    schema = {"type": "object", "properties": {
        "mode": {"type": "string", "default": "auto"},
        "spec": {"type": "object", "properties": {"size": {"type": "integer", "default": 3},
                                                  "note": {"type": ["string", "null"]}}}}}
    shape = Shape(schema, {})
    normalised, changed = shape.normalise({"spec": {"size": None, "note": None}})
    assert changed
    assert normalised == {"mode": "auto", "spec": {"size": 3, "note": None}}


def test_recursive_schemas_compile():
    documents = {"https://x.invalid/s.json": {"$defs": {"Node": {
        "type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"},
                                                      "x-kubernetes-list-type": "map",
                                                      "x-kubernetes-list-map-keys": ["id"]}}}}}}
    shape = Shape({"$id": "https://x.invalid/root.json",
                   "$ref": "https://x.invalid/s.json#/$defs/Node"}, documents)
    obj = {"children": [{"id": 1, "children": [{"id": 2}, {"id": 2}]}]}
    assert [d.path for d in shape.duplicates(obj)] == ["children[0].children[1]"]


def test_shapes_sharing_a_memo_compile_a_shared_definition_once_and_answer_alike():
    # Node has lists through a cycle; Leaf has none: both facts must hold whichever shape compiled them first
    documents = {"https://x.invalid/s.json": {"$defs": {
        "Node": {"type": "object", "properties": {
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"},
                         "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"]},
            "leaf": {"$ref": "#/$defs/Leaf"}}},
        "Leaf": {"type": "object", "properties": {"size": {"type": "integer", "default": 1}}}}}}
    leaf = {"$id": "https://x.invalid/leaf.json", "$ref": "https://x.invalid/s.json#/$defs/Leaf"}
    tree = {"$id": "https://x.invalid/tree.json", "type": "object",
            "properties": {"root": {"$ref": "https://x.invalid/s.json#/$defs/Node"}}}
    obj = {"root": {"children": [{"id": 1, "leaf": {"size": None}}, {"id": 1}]}}
    alone = Shape(tree, documents)
    memo: dict = {}
    first = Shape(leaf, documents, memo)
    compiled = len(memo)
    shared = Shape(tree, documents, memo)
    assert len(memo) < compiled + len(alone._memo)  # Leaf's nodes were reused, not compiled again
    assert not first.root.lists and shared.root.lists
    assert [d.path for d in shared.duplicates(obj)] == [d.path for d in alone.duplicates(obj)] == ["root.children[1]"]
    assert shared.normalise(obj) == alone.normalise(obj)


def test_a_crd_shared_by_two_kubernetes_versions_resolves_each_versions_definitions():
    # the CRD documents are the same objects for every version; their $refs into the definitions are not
    from genai_gitops.validators.schema.registry import K8S_DEFINITIONS_URI, CompiledSchema

    crd: dict[str, Any] = {"$id": "https://x.invalid/crd.json", "type": "object",
                           "properties": {"spec": {"$ref": f"{K8S_DEFINITIONS_URI}#/$defs/Spec"}}}

    def definitions(**marker: str) -> dict:
        ports: dict[str, object] = {"type": "array", "items": {"type": "string"}, **marker}
        return {"$id": K8S_DEFINITIONS_URI, "$defs": {"Spec": {"type": "object", "properties": {"ports": ports}}}}

    validator = SchemaValidator(ValidatorOptions())
    # kept alive, as the registry keeps what it compiled (the validator knows its shapes by the schema's id)
    found = [CompiledSchema(schema=crd, validator=None, source="test",  # type: ignore[arg-type]
                            documents={K8S_DEFINITIONS_URI: version, "https://x.invalid/crd.json": crd})
             for version in (definitions(), definitions(**{"x-kubernetes-list-type": "set"}))]
    shapes = [validator._shape(compiled) for compiled in found]
    obj = {"spec": {"ports": ["a", "a"]}}
    assert [[d.path for d in shape.duplicates(obj)] for shape in shapes] == [[], ["spec.ports[1]"]]


def test_a_secret_store_provider_without_a_field_schema_is_reported_as_unchecked(schema_registry):
    text = """
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: vault}
spec:
  provider:
    vault: {server: "https://vault.example.com", pathh: secret}
"""
    [(rule, message)] = check(schema_registry, text)
    assert rule == "schema-unchecked-provider"
    assert message == ("spec.provider.vault: the fields of this provider are not checked (checked field by field: "
                       "aws); review them against the External Secrets Operator documentation of the pinned version")


def test_the_aws_provider_is_checked_field_by_field(schema_registry):
    text = """
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: {name: aws, namespace: x}
spec:
  provider:
    aws: {service: SecretsManager, region: eu-west-1, rolee: arn:aws:iam::111122223333:role/x}
"""
    assert [rule for rule, _ in check(schema_registry, text)] == ["schema-invalid"]

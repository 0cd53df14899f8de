"""SchemaRegistry: where schemas come from, that they compile once, and the project's CRD schema files."""

from __future__ import annotations

import json

import jsonschema
import pytest

from genai_gitops.validators.schema import CompiledSchema, MissingSchema, SchemaRegistry
from genai_gitops.validators.schema.registry import builtin_file_name, minor_version, project_crd_root

#: every custom resource kind the platform emits must have a schema (the validator's brief)
REQUIRED_CRDS = [
    ("argoproj.io/v1alpha1", "Application"), ("argoproj.io/v1alpha1", "ApplicationSet"),
    ("argoproj.io/v1alpha1", "AppProject"),
    ("external-secrets.io/v1", "ExternalSecret"), ("external-secrets.io/v1", "SecretStore"),
    ("external-secrets.io/v1", "ClusterSecretStore"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"), ("monitoring.coreos.com/v1", "PodMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("templates.gatekeeper.sh/v1", "ConstraintTemplate"), ("config.gatekeeper.sh/v1alpha1", "Config"),
    ("cert-manager.io/v1", "Certificate"), ("cert-manager.io/v1", "Issuer"), ("cert-manager.io/v1", "ClusterIssuer"),
]


@pytest.mark.parametrize(("api_version", "kind", "file"), [
    ("apps/v1", "Deployment", "deployment-apps-v1.json"),
    ("v1", "ConfigMap", "configmap-v1.json"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterrole-rbac-v1.json"),
    ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicy-networking-v1.json"),
])
def test_builtin_file_names_follow_kubernetes_validate(api_version, kind, file):
    assert builtin_file_name(api_version, kind) == file


@pytest.mark.parametrize(("text", "minor"), [
    ("1.30", (1, 30)), ("v1.30", (1, 30)), ("1.30.4", (1, 30)), ("v1.31.0-eks-1", (1, 31)), ("latest", None),
])
def test_minor_version(text, minor):
    assert minor_version(text) == minor


def test_bundled_versions_cover_1_25_to_1_37(schema_registry):
    assert schema_registry.bundled_range() == "1.25 to 1.37"


def test_each_schema_is_compiled_once_per_version(schema_registry):
    first = schema_registry.lookup("1.30", "apps/v1", "Deployment")
    assert isinstance(first, CompiledSchema)
    assert schema_registry.lookup("v1.30.2", "apps/v1", "Deployment") is first
    other = schema_registry.lookup("1.31", "apps/v1", "Deployment")
    assert isinstance(other, CompiledSchema) and other is not first
    assert first.source == "Kubernetes 1.30"


def test_missing_schema_explains_itself(schema_registry):
    found = schema_registry.lookup("1.30", "storage.k8s.io/v1beta1", "CSIStorageCapacity")
    assert isinstance(found, MissingSchema)
    assert found.reason == ("storage.k8s.io/v1beta1 CSIStorageCapacity is not served by Kubernetes 1.30 "
                            "(it exists in Kubernetes 1.25 to 1.26); use storage.k8s.io/v1")
    # removed before the oldest bundled version: nothing to point to
    gone = schema_registry.lookup("1.30", "policy/v1beta1", "PodSecurityPolicy")
    assert isinstance(gone, MissingSchema)
    assert gone.reason.startswith("no schema for policy/v1beta1 PodSecurityPolicy: it is not a Kubernetes 1.30 kind")


def test_field_history_tells_typos_from_version_mismatches(schema_registry):
    assert schema_registry.field_history("1.27", "io.k8s.api.core.v1.Container", "restartPolicy") == "1.28 to 1.37"
    assert schema_registry.field_history("1.30", "io.k8s.api.core.v1.Container", "restartPolicy") is None
    assert schema_registry.field_history("1.30", "io.k8s.api.core.v1.Container", "imagePullPolicyy") is None


@pytest.mark.parametrize(("api_version", "kind"), REQUIRED_CRDS)
def test_required_custom_resources_have_schemas(schema_registry, api_version, kind):
    found = schema_registry.lookup("1.30", api_version, kind)
    assert isinstance(found, CompiledSchema), found
    assert found.source.startswith("genai_gitops/schemas/crds/")


def test_crd_schema_files_are_valid_draft_2020_12_with_unique_ids():
    ids = set()
    for path in sorted(project_crd_root().glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(document)
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert document["$id"].endswith("/" + path.name)
        assert document["$id"] not in ids
        ids.add(document["$id"])
        if "x-kubernetes-group-version-kind" in document:
            # strict at the top: metadata is ObjectMeta, unknown top-level fields are errors
            assert document["additionalProperties"] is False
            meta = document["properties"]["metadata"]["$ref"]
            assert meta.endswith("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")


def test_crd_schemas_do_not_depend_on_a_download(tmp_path):
    # a registry over an empty CRD folder still finds built-ins, and every $ref of the project's
    # schemas resolves offline (compiling would fail otherwise)
    empty = SchemaRegistry(crd_root=tmp_path)
    assert isinstance(empty.lookup("1.30", "v1", "ConfigMap"), CompiledSchema)
    found = empty.lookup("1.30", "external-secrets.io/v1", "ExternalSecret")
    assert isinstance(found, MissingSchema)
    assert f"{tmp_path}/ has no CRD schema" in found.reason

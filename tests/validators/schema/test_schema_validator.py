"""SchemaValidator through its public interface: fixture YAML in, the findings a user sees out."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.manifests import read_text
from genai_gitops.report.finding import Finding, Severity
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions, build_validators
from genai_gitops.validators.schema import SchemaRegistry, SchemaValidator

FIXTURES = Path(__file__).parent / "fixtures"


def summary(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in findings]


def check_text(registry: SchemaRegistry, text: str, k8s_version: str = "1.30",
               policy_paths: tuple[Path, ...] = ()) -> list[Finding]:
    validator = SchemaValidator(ValidatorOptions(policy_paths=policy_paths), registry=registry)
    resources = read_text(text, "inline.yaml").resources
    return list(validator.validate(Target(name="inline", k8s_version=k8s_version, resources=resources)))


# ------------------------------------------------------------------ valid input
@pytest.mark.parametrize("fixture", sorted(p.name for p in (FIXTURES / "valid").glob("*.yaml")))
def test_valid_fixtures_pass(validate, fixture):
    assert validate(f"valid/{fixture}") == []


@pytest.mark.parametrize("k8s_version", ["1.25", "1.30", "1.37", "v1.30.4"])
def test_valid_deployment_passes_in_every_bundled_version(validate, k8s_version):
    assert validate("valid/deployment.yaml", k8s_version=k8s_version) == []


def test_registered_under_its_name():
    [validator] = build_validators(["schema"], ValidatorOptions())
    assert isinstance(validator, SchemaValidator)
    assert validator.name == "schema"


# ------------------------------------------------------------------ built-in kinds
def test_typo_in_field_name_is_an_unknown_field_with_a_suggestion(validate):
    [finding] = validate("invalid/deployment-typo.yaml")
    assert (finding.rule, finding.message) == (
        "schema-invalid", "spec.replica: unknown field 'replica'; did you mean 'replicas'?")
    assert finding.validator == "schema"
    assert finding.severity is Severity.ERROR
    assert (finding.kind, finding.namespace, finding.name) == ("Deployment", "tenant-acme", "web")
    assert finding.file.endswith("invalid/deployment-typo.yaml")
    assert finding.line == 1


def test_wrong_types_get_one_finding_each_with_the_fix(validate):
    assert summary(validate("invalid/deployment-wrong-type.yaml")) == [
        ("schema-invalid", "spec.replicas: must be an integer, not the string '2'; write the number without quotes"),
        ("schema-invalid", "spec.template.spec.containers[0].env[0].value: must be a string, not the number 4; "
                           'quote it: "4"'),
    ]


def test_unknown_kind_is_never_silently_passed(validate):
    [finding] = validate("invalid/unknown-kind.yaml")
    assert finding.rule == "schema-missing"
    assert finding.message == (
        "no schema for example.com/v1 Widget: it is not a Kubernetes 1.30 kind and genai_gitops/schemas/crds/ has "
        "no CRD schema for it; add one there (or fix apiVersion/kind)")


def test_missing_kind(validate):
    [finding] = validate("invalid/missing-kind.yaml")
    assert (finding.rule, finding.message) == (
        "schema-missing-kind", "kind is missing; every Kubernetes object needs both")
    assert finding.name == "orphan"


def test_missing_api_version_and_non_string_kind(schema_registry):
    assert summary(check_text(schema_registry, "kind: ConfigMap\nmetadata: {name: a}\n---\n"
                                               "apiVersion: v1\nkind: 3\n")) == [
        ("schema-missing-kind", "apiVersion is missing; every Kubernetes object needs both"),
        ("schema-missing-kind", "kind must be a string"),
    ]


def test_a_sub_type_of_the_bundled_schemas_is_not_a_kind(schema_registry):
    # the bundled folder has container-v1.json, but Container is no kind: kubernetes-validate's file
    # mapping alone would validate against it
    [finding] = check_text(schema_registry, "apiVersion: v1\nkind: Container\nname: x\n")
    assert finding.rule == "schema-missing"
    assert finding.message.startswith("no schema for v1 Container: it is not a Kubernetes 1.30 kind")


def test_group_with_the_same_short_name_is_not_confused_with_a_builtin(schema_registry):
    # networking.istio.io/v1 maps to the same file prefix as networking.k8s.io/v1
    [finding] = check_text(schema_registry, "apiVersion: networking.istio.io/v1\nkind: NetworkPolicy\n"
                                            "metadata: {name: a}\n")
    assert finding.rule == "schema-missing"
    assert finding.message.startswith("networking.istio.io/v1 NetworkPolicy is not served by Kubernetes 1.30; "
                                      "use networking.k8s.io/v1")


def test_label_keys_with_dots_are_quoted_in_the_path(schema_registry):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {app.kubernetes.io/version: 1.30}\n"
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "metadata.labels['app.kubernetes.io/version']: must be a string, not the number 1.3; "
                           'quote it: "1.3"'),
    ]


def test_yes_as_a_string_value_gets_the_yaml_hint(schema_registry):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {enabled: yes}\n"
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "data.enabled: must be a string, not the boolean true; quote the value "
                           "(unquoted true/false/yes/no/on/off are booleans in YAML)"),
    ]


def test_int_or_string_explains_both_types(schema_registry):
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  selector: {matchLabels: {app: a}}
  strategy: {rollingUpdate: {maxSurge: [1]}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: a, image: a}]}
"""
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "spec.strategy.rollingUpdate.maxSurge: must be a string or an integer, not a list"),
    ]


def test_required_field(schema_registry):
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{name: http}]\n"
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "spec.ports[0].port: required field 'port' is missing"),
    ]


def test_yaml_timestamps_are_validated_as_the_strings_kubernetes_sees(schema_registry):
    # unquoted, YAML makes a datetime; Kubernetes' YAML-to-JSON step keeps the text: a valid string
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  creationTimestamp: 2026-01-02T03:04:05Z\n" \
           "  annotations: {released: 2026-01-02}\n"
    assert check_text(schema_registry, text) == []


def test_yaml_timestamp_does_not_hide_other_errors(schema_registry):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {released: 2026-01-02}\n" \
           "  labelz: {}\n"
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "metadata.labelz: unknown field 'labelz'; did you mean 'labels'?"),
    ]


# ------------------------------------------------------------------ versions
def test_native_sidecar_needs_kubernetes_1_28(validate):
    assert validate("versions/deployment-sidecar.yaml", k8s_version="1.28") == []
    assert validate("versions/deployment-sidecar.yaml", k8s_version="1.37") == []
    assert summary(validate("versions/deployment-sidecar.yaml", k8s_version="1.27")) == [
        ("schema-invalid", "spec.template.spec.initContainers[0].restartPolicy: unknown field 'restartPolicy' in "
                           "Kubernetes 1.27; it exists in Kubernetes 1.28 to 1.37, so either the cluster's Kubernetes "
                           "version is wrong or the field must go"),
    ]


def test_removed_api_version_is_missing_after_its_removal(validate):
    assert validate("versions/hpa-v2beta2.yaml", k8s_version="1.25") == []
    assert summary(validate("versions/hpa-v2beta2.yaml", k8s_version="1.26")) == [
        ("schema-missing", "autoscaling/v2beta2 HorizontalPodAutoscaler is not served by Kubernetes 1.26 "
                           "(it exists in Kubernetes 1.25); use autoscaling/v1 or autoscaling/v2"),
    ]


@pytest.mark.parametrize(("k8s_version", "reason"), [
    ("1.24", "no schemas are bundled for Kubernetes 1.24 (bundled: 1.25 to 1.37)"),
    ("latest", "the target's Kubernetes version 'latest' is not a version like 1.30"),
])
def test_unsupported_kubernetes_version(validate, k8s_version, reason):
    [finding] = validate("valid/deployment.yaml", k8s_version=k8s_version)
    assert finding.rule == "schema-missing"
    assert finding.message.startswith(reason)


# ------------------------------------------------------------------ custom resources
def test_external_secret_typo_and_wrong_enum(validate):
    assert summary(validate("invalid/external-secret-typo.yaml")) == [
        ("schema-invalid", "spec.target.creationPolicy: 'owner' is not one of "
                           "['Owner', 'Orphan', 'Merge', 'None', 'CreateOrMerge']; did you mean 'Owner'?"),
        ("schema-invalid", "spec.data[0].remoteRef.propery: unknown field 'propery'; did you mean 'property'?"),
    ]


def test_application_unknown_field_lists_what_is_allowed(validate):
    assert summary(validate("invalid/application-unknown-field.yaml")) == [
        ("schema-invalid", "spec.syncPolicy.autoSync: unknown field 'autoSync'; allowed here: automated, "
                           "managedNamespaceMetadata, retry, syncOptions"),
    ]


def test_custom_resource_metadata_is_validated(schema_registry):
    text = (FIXTURES / "valid/external-secret.yaml").read_text().replace("  labels:", "  labelz:")
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "metadata.labelz: unknown field 'labelz'; did you mean 'labels'?"),
    ]


def test_retired_custom_resource_version_points_to_the_served_one(schema_registry):
    text = (FIXTURES / "valid/external-secret.yaml").read_text().replace("external-secrets.io/v1",
                                                                          "external-secrets.io/v1beta1")
    assert summary(check_text(schema_registry, text)) == [
        ("schema-missing", "external-secrets.io/v1beta1 ExternalSecret has no schema: this project's CRD schemas "
                           "serve ExternalSecret as external-secrets.io/v1; change apiVersion"),
    ]


def test_secret_store_takes_exactly_one_provider(schema_registry):
    text = (FIXTURES / "valid/cluster-secret-store.yaml").read_text().replace(
        "  provider:\n", "  provider:\n    fake: {data: []}\n")
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "spec.provider: allows at most 1 field, has aws, fake; keep one"),
    ]


def test_application_set_template_reuses_the_application_spec(schema_registry):
    text = (FIXTURES / "valid/argocd.yaml").read_text().replace("preserveResourcesOnDeletion: true",
                                                                "preserveResourcesOnDeletion: true\n    prune: true")
    text = text.replace('      project: "{{.path.basename}}"', '      projekt: "{{.path.basename}}"')
    assert summary(check_text(schema_registry, text)) == [
        ("schema-invalid", "spec.template.spec.project: required field 'project' is missing"),
        ("schema-invalid", "spec.template.spec.projekt: unknown field 'projekt'; did you mean 'project'?"),
        ("schema-invalid", "spec.syncPolicy.prune: unknown field 'prune'; allowed here: applicationsSync, "
                           "preserveResourcesOnDeletion"),
    ]


# ------------------------------------------------------------------ Gatekeeper constraints
def test_constraint_with_bad_parameters_against_a_policy_folder_template(validate):
    assert summary(validate("invalid/constraint-bad-parameters.yaml")) == [
        ("schema-invalid", "spec.parameters.labels[0].allowedRegex: must be a string, not the number 5; "
                           'quote it: "5"'),
        ("schema-invalid", "spec.parameters.mesage: unknown field 'mesage'; did you mean 'message'?"),
    ]


def test_constraint_without_any_template_is_missing(validate):
    [finding] = validate("invalid/constraint-bad-parameters.yaml", policy_paths=())
    assert (finding.rule, finding.message) == (
        "schema-missing", "no ConstraintTemplate defines the constraint kind GenaiRequiredLabels (looked in this "
                          "target (no policy folders were given)); add the template or fix the kind")


def test_templates_in_samples_folders_do_not_count(validate):
    [finding] = validate("invalid/constraint-without-template.yaml")
    assert finding.rule == "schema-missing"
    assert finding.message.startswith("no ConstraintTemplate defines the constraint kind GenaiSampleOnly")


def test_the_targets_own_template_wins_over_the_policy_folder(schema_registry):
    own_template = (FIXTURES / "policies/requiredlabels/template.yaml").read_text().replace(
        "            message:\n              type: string\n", "            mesage:\n              type: string\n")
    constraint = (FIXTURES / "invalid/constraint-bad-parameters.yaml").read_text().replace("allowedRegex: 5",
                                                                                          "allowedRegex: ^a$")
    findings = check_text(schema_registry, own_template + "\n---\n" + constraint,
                          policy_paths=(FIXTURES / "policies",))
    assert findings == []


def test_legacy_schema_template_keeps_unknown_parameters_but_checks_declared_ones(schema_registry):
    constraint = """\
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: GenaiReplicaLimits
metadata: {name: replica-limits}
spec:
  parameters:
    ranges:
      - {min_replicas: 1, max_replicas: null, note: kept by legacySchema}
      - {min_replicas: "2"}
"""
    assert summary(check_text(schema_registry, constraint, policy_paths=(FIXTURES / "policies",))) == [
        ("schema-invalid", "spec.parameters.ranges[1].min_replicas: must be an integer, not the string '2'; "
                           "write the number without quotes"),
    ]


def test_constraint_fixed_shape_is_strict(validate, schema_registry):
    text = (FIXTURES / "policies/requiredlabels/constraint.yaml").read_text()
    text = text.replace("spec:\n", "spec:\n  enforcementAction: block\n  parameter: {}\n")
    text = text.replace("  match:\n", "  match:\n    scope: Namespace\n")
    assert summary(check_text(schema_registry, text, policy_paths=(FIXTURES / "policies",))) == [
        ("schema-invalid", "spec.enforcementAction: 'block' is not one of ['deny', 'dryrun', 'warn', 'scoped']"),
        ("schema-invalid", "spec.match.scope: 'Namespace' is not one of ['*', 'Cluster', 'Namespaced']; "
                           "did you mean 'Namespaced'?"),
        ("schema-invalid", "spec.parameter: unknown field 'parameter'; did you mean 'parameters'?"),
    ]


def test_constraints_v1_is_not_served_by_gatekeeper(schema_registry):
    text = (FIXTURES / "policies/requiredlabels/constraint.yaml").read_text().replace("/v1beta1", "/v1")
    assert summary(check_text(schema_registry, text, policy_paths=(FIXTURES / "policies",))) == [
        ("schema-missing", "constraints.gatekeeper.sh/v1 is not served by Gatekeeper (it serves constraints as "
                           "constraints.gatekeeper.sh/v1beta1 and constraints.gatekeeper.sh/v1alpha1); "
                           "use constraints.gatekeeper.sh/v1beta1"),
    ]


def test_a_template_whose_parameter_schema_does_not_compile_is_a_finding_not_a_crash(schema_registry):
    template = (FIXTURES / "policies/requiredlabels/template.yaml").read_text().replace(
        "            message:\n              type: string\n", "            message:\n              type: strin\n")
    constraint = (FIXTURES / "policies/requiredlabels/constraint.yaml").read_text()
    [finding] = check_text(schema_registry, template + "\n---\n" + constraint)
    assert finding.rule == "schema-missing"
    assert finding.kind == "GenaiRequiredLabels"
    assert finding.message.startswith("the schema from ConstraintTemplate at inline.yaml:1 does not compile: ")


def test_an_unsupported_version_is_one_finding_not_one_per_object(schema_registry):
    from genai_gitops.manifests import read_paths

    manifests = read_paths([FIXTURES / "valid"])
    assert len(manifests.resources) > 3
    validator = SchemaValidator(ValidatorOptions(), registry=schema_registry)
    found = list(validator.validate(Target(name="t", k8s_version="1.99", resources=manifests.resources)))
    assert [(f.file, f.rule, f.message) for f in found] == [
        ("", "schema-missing", "no schemas are bundled for Kubernetes 1.99 (bundled: 1.25 to 1.37); validate "
                               "against one of them (--k8s-version), or upgrade kubernetes-validate")]

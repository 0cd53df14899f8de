"""Class keys of checkov_classes: content-based, blind only to what no checkov check reads."""

from __future__ import annotations

import copy

from genai_gitops.manifests.resource import Resource
from genai_gitops.validators.checkov_classes import judged_view, namespace_classes


def deployment(annotations: dict[str, str], image: str = "app:1") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app", "namespace": "platform",
                                                                        "annotations": {"checksum/top": "1"}},
            "spec": {"template": {"metadata": {"annotations": annotations},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}}}


def test_configmap_values_are_blanked_and_keys_kept() -> None:
    config = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"teams.json": "{\"rpm\": 300}"},
              "binaryData": {"b": "AAAA"}}
    before = copy.deepcopy(config)
    assert judged_view(config) == {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"teams.json": ""},
                                   "binaryData": {"b": ""}}
    assert config == before  # a view, never an edit of the parsed object
    secret = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}}
    assert judged_view(secret) is secret


def test_only_checksum_annotations_of_pod_templates_are_blanked() -> None:
    annotations = {"checksum/config": "abc", "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
                   "checksum/checkov.io/skip1": "CKV_K8S_8=reason", "prometheus.io/port": "9090"}
    view = judged_view(deployment(annotations))
    assert view["spec"]["template"]["metadata"]["annotations"] == {
        "checksum/config": "", "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
        "checksum/checkov.io/skip1": "CKV_K8S_8=reason", "prometheus.io/port": "9090"}
    assert view["metadata"]["annotations"] == {"checksum/top": "1"}  # not a template: kept
    cron = {"kind": "CronJob", "metadata": {"name": "j"},
            "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"annotations": {"checksum/teams": "x"}}}}}}}
    assert judged_view(cron)["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["annotations"] == {
        "checksum/teams": ""}


def key_of(objects: list[dict]) -> str:
    resources = [Resource(obj=o, file=f"f{i}.yaml", line=1) for i, o in enumerate(objects)]
    (only,) = namespace_classes(resources, ())
    return only.key


def test_a_namespace_key_follows_what_checkov_reads() -> None:
    config = {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "platform"}, "data": {"a": "1"}}
    base = key_of([deployment({"checksum/config": "1"}), config])
    assert key_of([deployment({"checksum/config": "2"}), {**config, "data": {"a": "2"}}]) == base
    assert key_of([deployment({"checksum/config": "1"}, image="app:2"), config]) != base
    assert key_of([deployment({"checksum/config": "1"}), {**config, "data": {"b": "1"}}]) != base

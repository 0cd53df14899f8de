"""The one pod-template walker: where each workload kind keeps its pod template, and malformed input."""

from __future__ import annotations

from typing import Any

import pytest

from genai_gitops.manifests.pods import WORKLOAD_KINDS, pod_spec, pod_spec_path, pod_template_body
from genai_gitops.manifests.resource import Resource

TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}


def resource(kind: str, spec: Any) -> Resource:
    return Resource({"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "spec": spec}, "x.yaml")


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
                                  "Job"])
def test_controllers_keep_the_template_in_spec_template(kind: str) -> None:
    workload = resource(kind, {"replicas": 2, "template": TEMPLATE})
    assert pod_template_body(workload) is TEMPLATE
    assert pod_spec(workload) is TEMPLATE["spec"]
    assert pod_spec_path(kind) == "spec.template.spec"


def test_a_cronjob_keeps_it_in_its_job_template_and_a_pod_is_its_own_template() -> None:
    cronjob = resource("CronJob", {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}})
    assert pod_spec(cronjob) is TEMPLATE["spec"]
    assert pod_spec_path("CronJob") == "spec.jobTemplate.spec.template.spec"
    pod = resource("Pod", TEMPLATE["spec"])
    assert pod_template_body(pod) is pod.obj
    assert pod_spec(pod) is TEMPLATE["spec"]
    assert pod_spec_path("Pod") == "spec"
    assert sorted(WORKLOAD_KINDS) == ["CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet",
                                      "ReplicationController", "StatefulSet"]


@pytest.mark.parametrize(("kind", "spec"), [
    ("ConfigMap", {"template": TEMPLATE}),          # not a workload kind, whatever it holds
    ("ApplicationSet", {"template": TEMPLATE}),     # an Application template, not a pod's
    ("Deployment", None),
    ("Deployment", {"template": "web"}),
    ("Deployment", {"template": {"spec": ["containers"]}}),
    ("CronJob", {"jobTemplate": "job"}),            # a string where a mapping belongs: no template, no exception
    ("CronJob", {"jobTemplate": {"spec": None}}),
    ("Pod", "containers"),
])
def test_anything_else_has_no_pod_spec(kind: str, spec: Any) -> None:
    assert pod_spec(resource(kind, spec)) is None

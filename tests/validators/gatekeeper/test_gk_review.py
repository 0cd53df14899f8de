"""`input.review` takes the shape gator gives it."""

from __future__ import annotations

import json

import pytest
from gatekeeper_fixtures import load_one, pod

from genai_gitops.validators.gatekeeper.review import (
    ReviewError,
    review_admission_request,
    review_for,
    review_object,
)


def test_plain_object_review_is_the_request_gator_builds() -> None:
    obj = pod()
    review = review_object(obj)
    assert review.request == {
        "uid": "", "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "", "resource": ""}, "operation": "", "userInfo": {},
        "object": obj, "oldObject": None, "options": None, "name": "web", "namespace": "tenant-a",
        "namespaceObject": None,
    }
    assert review.candidates == (obj,) and review.namespace == "tenant-a"
    assert json.loads(review.json) == review.request


def test_cluster_scoped_object_review_omits_empty_namespace_and_name() -> None:
    review = review_object({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {}})
    assert "namespace" not in review.request and "name" not in review.request
    assert review.request["kind"] == {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"}


def test_admission_review_uses_its_request_with_go_zero_values() -> None:
    obj = load_one("policies/immutablestorageclass/samples/pvc/update.yaml")
    review = review_for(obj)
    request = review.request
    assert request["operation"] == "UPDATE" and request["uid"] == ""
    assert request["resource"] == {"group": "", "version": "", "resource": ""}
    assert request["userInfo"] == {} and request["options"] is None
    assert request["object"]["spec"]["storageClassName"] == "fast"
    assert request["oldObject"]["spec"]["storageClassName"] == "standard"
    assert len(review.candidates) == 2 and review.namespace == "tenant-a"


def test_delete_reviews_the_old_object() -> None:
    old = pod()
    review = review_admission_request({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                                       "request": {"operation": "DELETE", "oldObject": old}})
    assert review.object is old and review.request["oldObject"] is old


@pytest.mark.parametrize(("request_", "message"), [
    (None, "missing an AdmissionRequest object"),
    ({"operation": "CREATE"}, "no object or oldObject found to review"),
    ({"operation": "DELETE", "object": {"kind": "Pod"}}, "oldObject cannot be nil for DELETE operations"),
    ({"object": {}, "surprise": 1}, "not a valid AdmissionReview object: unknown field 'request.surprise'"),
])
def test_invalid_admission_reviews(request_: dict | None, message: str) -> None:
    obj = {"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview"}
    if request_ is not None:
        obj["request"] = request_
    with pytest.raises(ReviewError, match=message):
        review_for(obj)

"""`input.review`: the admission request a template sees, built the way gator builds it.

For a plain object gator wraps it in an AdmissionRequest with only kind, name, namespace and
object set; `operation` is "" and `userInfo` is empty. For an `admission.k8s.io` AdmissionReview the
request is used as given (DELETE reviews `oldObject`). The request goes through Go's JSON encoding
on the way, so unset fields appear with their zero values (`uid: ""`, `oldObject: null`, ...) and
templates that read them see what they would see under gator. `namespaceObject` is null under gator;
an audit-style review may carry the object's Namespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from genai_gitops.validators.gatekeeper.inventory import to_json
from genai_gitops.validators.gatekeeper.objects import group_version_kind, mapping, name_of, namespace_of

ADMISSION_GROUP = "admission.k8s.io"
SOURCE_ORIGINAL = "Original"
SOURCE_GENERATED = "Generated"

_REVIEW_FIELDS = frozenset({"apiVersion", "kind", "request", "response"})
_REQUEST_FIELDS = frozenset({
    "uid", "kind", "resource", "subResource", "requestKind", "requestResource", "requestSubResource", "name",
    "namespace", "operation", "userInfo", "object", "oldObject", "dryRun", "options",
})
_USER_FIELDS = ("username", "uid", "groups", "extra")


class ReviewError(ValueError):
    """An object that cannot be reviewed (e.g. an AdmissionReview without a request)."""


@dataclass(frozen=True)
class Review:
    """One object (or admission request) under review."""

    #: the value of `input.review`
    request: Mapping[str, Any]
    #: the objects constraints are matched against: object and/or oldObject
    candidates: tuple[Mapping[str, Any], ...]
    #: the request's namespace (used to find the Namespace for namespaceSelector)
    namespace: str = ""
    #: Original for objects as written, Generated for objects expanded from them
    source: str = SOURCE_ORIGINAL
    #: the object's Namespace, when the caller knows it
    namespace_object: Mapping[str, Any] | None = field(default=None, compare=False)
    #: `to_json(namespace_object)` when the caller has it already (serialised once per Namespace)
    namespace_json: str | None = field(default=None, compare=False, repr=False)

    @property
    def object(self) -> Mapping[str, Any]:
        """The object templates read as `input.review.object`."""
        return mapping(self.request.get("object"))

    @property
    def operation(self) -> str:
        return str(self.request.get("operation", ""))

    @cached_property
    def json(self) -> str:
        """`input.review` serialised once; every constraint's input embeds it."""
        namespace_json, request = self.namespace_json, self.request
        if (namespace_json is None or len(request) < 2 or list(request)[-1] != "namespaceObject"
                or request["namespaceObject"] is not self.namespace_object):
            return to_json(request)
        # the same bytes as to_json(request): a dict is serialised member by member, in order, so
        # its last member, the Namespace, can be the text already made for it
        rest = to_json({key: value for key, value in request.items() if key != "namespaceObject"})
        return rest[:-1] + ',"namespaceObject":' + namespace_json + "}"


def is_admission_review(obj: Mapping[str, Any]) -> bool:
    group, _, kind = group_version_kind(obj)
    return kind == "AdmissionReview" and group == ADMISSION_GROUP


def review_object(obj: Mapping[str, Any], *, operation: str = "", source: str = SOURCE_ORIGINAL,
                  namespace_object: Mapping[str, Any] | None = None, namespace_json: str | None = None) -> Review:
    """The review gator sends for an object given as a file (not an AdmissionReview)."""
    group, version, kind = group_version_kind(obj)
    name, namespace = name_of(obj), namespace_of(obj)
    request: dict[str, Any] = {
        "uid": "",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": "", "version": "", "resource": ""},
        "operation": operation,
        "userInfo": {},
        "object": obj,
        "oldObject": None,
        "options": None,
    }
    if name:
        request["name"] = name
    if namespace:
        request["namespace"] = namespace
    if operation == "DELETE":
        request["oldObject"] = obj  # Gatekeeper reviews the old object of a DELETE, also as `object`
    request["namespaceObject"] = namespace_object
    return Review(request=request, candidates=(obj,), namespace=namespace, source=source,
                  namespace_object=namespace_object, namespace_json=namespace_json)


def review_admission_request(admission_review: Mapping[str, Any], *, source: str = SOURCE_ORIGINAL) -> Review:
    """The review gator sends for an AdmissionReview object: its request, Go zero values filled in."""
    unknown = sorted(set(admission_review) - _REVIEW_FIELDS)
    if unknown:
        raise ReviewError(f"not a valid AdmissionReview object: unknown field {unknown[0]!r}")
    raw = admission_review.get("request")
    if not isinstance(raw, Mapping):
        raise ReviewError("missing an AdmissionRequest object: request did not actually pass in an AdmissionRequest")
    unknown = sorted(set(raw) - _REQUEST_FIELDS)
    if unknown:
        raise ReviewError(f"not a valid AdmissionReview object: unknown field 'request.{unknown[0]}'")
    obj, old = raw.get("object"), raw.get("oldObject")
    if obj is None and old is None:
        raise ReviewError('no object or oldObject found to review: AdmissionRequest does not contain an "object" '
                          'or "oldObject" to review')
    for label, value in (("object", obj), ("oldObject", old)):
        if value is not None and not isinstance(value, Mapping):
            raise ReviewError(f"object or oldObject cannot be unmarshalled: {label} is not an object")
    operation = str(raw.get("operation") or "")
    if operation == "DELETE" and old is None:
        raise ReviewError("oldObject cannot be nil for DELETE operations")
    kind, resource, user = mapping(raw.get("kind")), mapping(raw.get("resource")), mapping(raw.get("userInfo"))
    request: dict[str, Any] = {
        "uid": str(raw.get("uid") or ""),
        "kind": {key: str(kind.get(key) or "") for key in ("group", "version", "kind")},
        "resource": {key: str(resource.get(key) or "") for key in ("group", "version", "resource")},
        "operation": operation,
        "userInfo": {key: user[key] for key in _USER_FIELDS if user.get(key)},
        "object": old if operation == "DELETE" else obj,
        "oldObject": old,
        "options": raw.get("options"),
    }
    for key in ("subResource", "requestKind", "requestResource", "requestSubResource", "name", "namespace", "dryRun"):
        if raw.get(key) not in (None, ""):
            request[key] = raw[key]
    request["namespaceObject"] = None
    candidates = tuple(o for o in (request["object"], old) if isinstance(o, Mapping))
    return Review(request=request, candidates=candidates, namespace=str(raw.get("namespace") or ""), source=source)


def review_for(obj: Mapping[str, Any]) -> Review:
    """gator's dispatch: AdmissionReviews are reviewed as requests, anything else as an object."""
    return review_admission_request(obj) if is_admission_review(obj) else review_object(obj)

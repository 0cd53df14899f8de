"""Which objects a constraint applies to: Gatekeeper's `spec.match`, criterion by criterion.

Semantics follow Gatekeeper's matcher:
- `kinds`: any entry whose `kinds` and `apiGroups` both contain the object's (empty or "*" = any);
- `scope`: `Cluster` matches Namespaces and objects without a namespace, `Namespaced` the others;
- `namespaces` / `excludedNamespaces`: names or globs (`kube-*`, `*-system`, `*mid*`), checked
  against the Namespace's own name for a Namespace and skipped for cluster-scoped objects;
- `labelSelector` / `namespaceSelector`: Kubernetes label selectors (`matchLabels`,
  `matchExpressions` with In, NotIn, Exists, DoesNotExist); `namespaceSelector` reads the labels of
  the object's Namespace, or the object's own labels when it is a Namespace; a namespaced object
  whose Namespace is unknown cannot be matched (Gatekeeper rejects the review);
- `name`: the object's name or a glob (a trailing `*` also matches `generateName`);
- `source`: `Original`, `Generated` or `All` (default).

An object's scope is read from `metadata.namespace` as gator does; callers that know better (the
validator reading a rendered tree, where namespaced objects may rely on the Argo CD destination)
pass `namespaced` from `scope_of`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from genai_gitops.globs import gatekeeper_generate_name_match, gatekeeper_wildcard_match
from genai_gitops.manifests.scope import CLUSTER_SCOPED, NAMESPACED, scope_of  # noqa: F401 - re-exported
from genai_gitops.manifests.selectors import OPERATORS, Requirement
from genai_gitops.validators.gatekeeper.objects import group_version_kind, labels_of, metadata, name_of

SOURCE_ALL, SOURCE_ORIGINAL, SOURCE_GENERATED = "All", "Original", "Generated"
_SOURCES = frozenset({SOURCE_ALL, SOURCE_ORIGINAL, SOURCE_GENERATED})
_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

class MatchError(ValueError):
    """A `spec.match` Gatekeeper cannot evaluate (invalid selector, unknown Namespace, ...)."""


def _valid_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(_NAME.match(name))


def _valid_value(value: str) -> bool:
    return len(value) <= 63 and bool(_NAME.match(value))


@dataclass(frozen=True)
class LabelSelector:
    """A Kubernetes label selector; the empty selector matches everything."""

    requirements: tuple[Requirement, ...]

    @classmethod
    def parse(cls, raw: Any, field: str) -> LabelSelector:
        if not isinstance(raw, Mapping):
            raise MatchError(f"{field}: must be an object")
        requirements: list[Requirement] = []
        match_labels = raw.get("matchLabels") or {}
        if not isinstance(match_labels, Mapping):
            raise MatchError(f"{field}.matchLabels: must be an object")
        for key, value in match_labels.items():
            if not isinstance(value, str):
                raise MatchError(f"{field}.matchLabels[{key}]: must be a string")
            if not _valid_key(str(key)):
                raise MatchError(f"{field}.matchLabels: Invalid value: {key!r}: not a valid label key")
            if not _valid_value(value):
                raise MatchError(f"{field}.matchLabels: Invalid value: {value!r}: not a valid label value")
            requirements.append(Requirement(str(key), "In", frozenset({value})))
        expressions = raw.get("matchExpressions") or []
        if not isinstance(expressions, list):
            raise MatchError(f"{field}.matchExpressions: must be a list")
        for index, expr in enumerate(expressions):
            where = f"{field}.matchExpressions[{index}]"
            if not isinstance(expr, Mapping):
                raise MatchError(f"{where}: must be an object")
            key, operator = str(expr.get("key", "")), str(expr.get("operator", ""))
            values = expr.get("values") or []
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise MatchError(f"{where}.values: must be a list of strings")
            if operator not in OPERATORS:
                raise MatchError(f"{where}.operator: Invalid value: {operator!r}: not a valid selector operator")
            if operator in ("In", "NotIn") and not values:
                raise MatchError(f"{where}.values: Required value: must be specified when `operator` is 'In' "
                                 "or 'NotIn'")
            if operator in ("Exists", "DoesNotExist") and values:
                raise MatchError(f"{where}.values: Forbidden: may not be specified when `operator` is 'Exists' "
                                 "or 'DoesNotExist'")
            if not _valid_key(key):
                raise MatchError(f"{where}.key: Invalid value: {key!r}: not a valid label key")
            requirements.append(Requirement(key, operator, frozenset(values)))
        return cls(tuple(requirements))

    def matches(self, labels: Mapping[str, Any]) -> bool:
        return all(r.matches(labels) for r in self.requirements)


@dataclass(frozen=True)
class KindSelector:
    api_groups: tuple[str, ...]
    kinds: tuple[str, ...]

    def matches(self, group: str, kind: str) -> bool:
        kind_ok = not self.kinds or "*" in self.kinds or kind in self.kinds
        return kind_ok and (not self.api_groups or "*" in self.api_groups or group in self.api_groups)


@dataclass(frozen=True)
class Matchable:
    """An object offered to a matcher, with what is known about its namespace."""

    obj: Mapping[str, Any]
    #: the Namespace object the object lives in, when known
    namespace: Mapping[str, Any] | None = None
    source: str = SOURCE_ORIGINAL
    #: the object's scope when known from its kind; None: decided by metadata.namespace
    namespaced: bool | None = None

    # read once per object: every candidate constraint's matcher asks again (cached_property writes
    # the instance dict directly, which a frozen dataclass allows)
    @cached_property
    def metadata(self) -> Mapping[str, Any]:
        return metadata(self.obj)

    @cached_property
    def group(self) -> str:
        return group_version_kind(self.obj)[0]

    @cached_property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @cached_property
    def is_namespace(self) -> bool:
        return self.kind == "Namespace" and self.group == ""

    @property
    def object_namespace(self) -> str:
        if self.namespaced is False:
            return ""
        return str(self.metadata.get("namespace") or "")

    @property
    def has_namespace(self) -> bool:
        if self.namespaced is not None:
            return self.namespaced
        return bool(self.object_namespace) or self.namespace is not None

    def namespace_name(self) -> str | None:
        """The namespace name namespaces/excludedNamespaces check; None when they do not apply."""
        if self.is_namespace:
            return str(self.metadata.get("name") or "")
        if self.namespace is not None:
            return name_of(self.namespace)
        return self.object_namespace or None


def _strings(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MatchError(f"{field}: must be a list of strings")
    return tuple(value)


class ConstraintMatcher:
    """A constraint's `spec.match`, parsed and validated once, evaluated per object."""

    def __init__(self, match: Mapping[str, Any] | None) -> None:
        self.defined = match is not None
        match = match or {}
        if not isinstance(match, Mapping):
            raise MatchError("spec.match: must be an object")
        kinds = match.get("kinds") or []
        if not isinstance(kinds, list):
            raise MatchError("spec.match.kinds: must be a list")
        self.kinds = tuple(
            KindSelector(_strings(k.get("apiGroups"), f"spec.match.kinds[{i}].apiGroups"),
                         _strings(k.get("kinds"), f"spec.match.kinds[{i}].kinds"))
            for i, k in enumerate(kinds) if isinstance(k, Mapping))
        self.scope = str(match.get("scope") or "*")
        if self.scope not in ("*", "Cluster", "Namespaced"):
            raise MatchError(f"spec.match.scope: Unsupported value: {self.scope!r}: supported values: "
                             '"*", "Cluster", "Namespaced"')
        self.namespaces = _strings(match.get("namespaces"), "spec.match.namespaces")
        self.excluded_namespaces = _strings(match.get("excludedNamespaces"), "spec.match.excludedNamespaces")
        self.label_selector = (LabelSelector.parse(match["labelSelector"], "spec.match.labelSelector")
                               if match.get("labelSelector") is not None else None)
        self.namespace_selector = (LabelSelector.parse(match["namespaceSelector"], "spec.match.namespaceSelector")
                                   if match.get("namespaceSelector") is not None else None)
        self.name = str(match.get("name") or "")
        self.source = str(match.get("source") or SOURCE_ALL)
        if self.source not in _SOURCES:
            raise MatchError(f"spec.match.source: invalid source field {self.source!r}")
        # the criteria this match sets, in Gatekeeper's order; an unset one is True for every object,
        # so leaving it out changes no answer and no MatchError (each is checked only after the
        # previous ones held, as before)
        criteria = ((self._kinds, bool(self.kinds)), (self._scope, self.scope != "*"),
                    (self._namespaces, bool(self.namespaces)), (self._excluded, bool(self.excluded_namespaces)),
                    (self._labels, self.label_selector is not None),
                    (self._namespace_selector, self.namespace_selector is not None),
                    (self._name, bool(self.name)), (self._source, self.source != SOURCE_ALL))
        self._criteria = tuple(check for check, is_set in criteria if is_set) if self.defined else ()
        #: the same without `kinds`, for an object whose kind `selects_kind` already accepted
        self._criteria_of_selected = tuple(check for check in self._criteria if check != self._kinds)

    def matches(self, target: Matchable) -> bool:
        """Whether the constraint applies; MatchError when Gatekeeper could not decide."""
        return all(criterion(target) for criterion in self._criteria)

    def matches_selected(self, target: Matchable) -> bool:
        """`matches` for a target whose group and kind `selects_kind` accepted: `kinds`, the first
        criterion, holds, so the answer (or MatchError) is decided by the others."""
        return all(criterion(target) for criterion in self._criteria_of_selected)

    def selects_kind(self, group: str, kind: str) -> bool:
        """The `kinds` criterion alone: False means `matches` is False for every object of this group
        and kind (it is checked first and cannot fail), so a caller may skip such objects unmatched."""
        return not self.defined or not self.kinds or any(k.matches(group, kind) for k in self.kinds)

    def matches_any(self, targets: Sequence[Matchable]) -> bool:
        """A request matches when its object or its old object does."""
        return any(self.matches(t) for t in targets)

    def _kinds(self, target: Matchable) -> bool:
        return not self.kinds or any(k.matches(target.group, target.kind) for k in self.kinds)

    def _scope(self, target: Matchable) -> bool:
        if self.scope == "Cluster":
            return target.is_namespace or not target.has_namespace
        if self.scope == "Namespaced":
            return not target.is_namespace and target.has_namespace
        return True

    def _namespaces(self, target: Matchable) -> bool:
        if not self.namespaces:
            return True
        name = target.namespace_name()
        return name is None or any(gatekeeper_wildcard_match(p, name) for p in self.namespaces)

    def _excluded(self, target: Matchable) -> bool:
        if not self.excluded_namespaces:
            return True
        name = target.namespace_name()
        return name is None or not any(gatekeeper_wildcard_match(p, name) for p in self.excluded_namespaces)

    def _labels(self, target: Matchable) -> bool:
        if self.label_selector is None:
            return True
        return self.label_selector.matches(labels_of(target.obj))

    def _namespace_selector(self, target: Matchable) -> bool:
        if self.namespace_selector is None:
            return True
        if target.is_namespace:
            return self.namespace_selector.matches(labels_of(target.obj))
        if target.namespace is None and not target.has_namespace:
            return True
        if target.namespace is None:
            raise MatchError("namespace selector for namespace-scoped object but missing Namespace")
        return self.namespace_selector.matches(labels_of(target.namespace))

    def _name(self, target: Matchable) -> bool:
        if not self.name:
            return True
        return (gatekeeper_wildcard_match(self.name, str(target.metadata.get("name") or ""))
                or gatekeeper_generate_name_match(self.name, str(target.metadata.get("generateName") or "")))

    def _source(self, target: Matchable) -> bool:
        return self.source == SOURCE_ALL or self.source == target.source

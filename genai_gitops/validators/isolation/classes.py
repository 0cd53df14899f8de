"""Workspaces alike up to their tenant's own names and addresses: nca analyses one workspace per class.

Tenant namespaces are generated alike, so their workspaces differ in the namespace name, the tenant
id (as label values and selector values) and the tenant's own database blocks, not in what
network-config-analyzer computes from them. A workspace's *canonical form* is its documents with

* every string equal to the namespace name or the tenant id replaced by a token of that role, and
* every ipBlock `cidr` / `except` replaced by the elementary address intervals it covers, numbered
  in the partition that all ipBlocks of the workspace cut the address space into.

Why this is exact: nca compares names and label values only for equality, and treats addresses as
sets (unions, intersections, differences: IpBlock over intervals), so renaming names one-to-one and
moving the partition's boundaries without changing their order or which intervals each block covers
changes its answer only by the same renaming. Two workspaces with equal canonical forms are each
other's renaming, so one analysis (canonicalised the same way) maps back to every member with its
own names and addresses. Everything else stays in the form literally: other tenants' namespaces
(a selector that reaches one), the peers and central namespaces, pod labels, ports, the order of the
documents. When in doubt a workspace is a class of its own (no key): a name that is not a DNS label,
a CIDR not written canonically, an analysis that failed or whose addresses do not fall on the
partition's boundaries; those are analysed one by one, as before.

tests/validators/isolation/test_isolation_classes.py compares class-based and per-namespace runs.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from genai_gitops import cache_keys
from genai_gitops.cache import NO_CACHE, ResultCache
from genai_gitops.model.tenant import TENANT_LABEL
from genai_gitops.validators.isolation.addresses import AddressSet, Interval
from genai_gitops.validators.isolation.analysis import (
    DEFAULT_WORKERS,
    PARALLEL_FROM,
    NamespaceAnalysis,
    analyse_all,
)
from genai_gitops.validators.isolation.connectivity import Connection, Endpoint, connection_order
from genai_gitops.validators.isolation.workspace import Workspace

#: canonical forms change meaning with this module: a new value invalidates cached class analyses
FORM_VERSION = "isolation-class-1"
#: tokens start with NUL, which no Kubernetes name, label value or CIDR holds (a workspace with one
#: anywhere is a class of its own, so a token never meets a real string that looks like it)
MARK = "\x00"
NAMESPACE_MARK, TENANT_MARK = f"{MARK}namespace", f"{MARK}tenant"
#: a name that is renamed: a DNS label starting with a letter (RFC 1035), valid as a name and as a label value,
#: and never read as anything but a name (a number could be a port: "8080" stays as it is)
_RENAMED = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
_LAST = {4: (1 << 32) - 1, 6: (1 << 128) - 1}


class _Unique(Exception):
    """The workspace cannot share a class: it is analysed on its own."""


@dataclass(frozen=True)
class CanonicalForm:
    """A workspace's class key and the renaming that leads from it to the workspace."""

    #: digest of the canonical documents; "" for a class of its own
    key: str = ""
    #: real string -> token, for the tenant's own names
    names: Mapping[str, str] = field(default_factory=dict)
    #: IP version -> starts of the elementary intervals, ascending (the first is 0)
    starts: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    def interval_index(self, interval: Interval) -> Interval | None:
        """(version, first, last) addresses -> (version, first, last) elementary interval numbers, or
        None when the addresses do not begin and end on the partition's boundaries."""
        version, first, last = interval
        starts = self.starts.get(version)
        if not starts:
            return None
        i = bisect.bisect_left(starts, first)
        j = bisect.bisect_left(starts, last + 1) - 1
        if i >= len(starts) or starts[i] != first or j < i or self._end(version, j) != last:
            return None
        return (version, i, j)

    def interval_of(self, index: Interval) -> Interval | None:
        version, i, j = index
        starts = self.starts.get(version, ())
        if not 0 <= i <= j < len(starts):
            return None
        return (version, starts[i], self._end(version, j))

    def _end(self, version: int, j: int) -> int:
        starts = self.starts[version]
        return starts[j + 1] - 1 if j + 1 < len(starts) else _LAST[version]


def canonical_form(workspace: Workspace) -> CanonicalForm:
    """The workspace's class: equal keys, analyses equal up to renaming (see the module's docstring).

    The canonical content is what `Workspace.documents()` gives nca, less what is the same in every
    workspace (apiVersion, kind, the stand-in container): namespaces, pods, and each policy's JSON."""
    try:
        names = _identity(workspace)
        policies = [_PolicyText.read(p.body) for p in workspace.policies]
        starts = _partition(cidr for p in policies for cidr in p.cidrs())

        def rename(text: str) -> str:
            if text.startswith(MARK):
                raise _Unique
            return names.get(text, text)

        def labels(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
            return [[rename(k), rename(v)] for k, v in pairs]

        content = [
            rename(workspace.namespace),
            [[rename(n.name), labels(n.labels)] for n in workspace.namespaces],
            [[rename(p.namespace), rename(p.name), labels(p.labels),
              [[rename(name), number, rename(protocol)] for name, number, protocol in p.ports]]
             for p in workspace.pods],
            [p.canonical(names, starts) for p in policies],
        ]
    except _Unique:
        return CanonicalForm()
    text = json.dumps(content, separators=(",", ":"))
    key = hashlib.sha256(f"{FORM_VERSION}\n{text}".encode()).hexdigest()
    return CanonicalForm(key, names, starts)


def _identity(workspace: Workspace) -> dict[str, str]:
    """The tenant's own names: its namespace and the tenant label on it, when `_RENAMED` (valid as names and
    as label values alike, so renaming one into the other cannot make nca reject it or read it otherwise)."""
    names: dict[str, str] = {}
    if _RENAMED.match(workspace.namespace):
        names[workspace.namespace] = NAMESPACE_MARK
    tenant = next((n.label_map.get(TENANT_LABEL) for n in workspace.namespaces if n.name == workspace.namespace),
                  None)
    # a tenant id that also names a namespace here (a tenant `default`) stays: renaming it would rename that
    # namespace too, and nca may treat some namespaces apart
    if tenant is not None and _RENAMED.match(tenant) and all(n.name != tenant for n in workspace.namespaces):
        names.setdefault(tenant, TENANT_MARK)
    return names


#: an ipBlock as `PolicyDocument` writes it (sorted keys, no spaces); without a backslash in the text no
#: string holds a quote, so `"ipBlock":` is always a key and these groups are whole strings
_IP_BLOCK = re.compile(r'"ipBlock":\{"cidr":"([^"]*)"(?:,"except":\[((?:"[^"]*"(?:,"[^"]*")*)?)\])?\}')
_STRING = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class _PolicyText:
    """One policy's JSON, read the fast way (text) when its shape allows, else parsed."""

    body: str
    #: (cidr, excepts or None) of each ipBlock, in text order; None: read from `parsed`
    blocks: tuple[tuple[str, tuple[str, ...] | None], ...] | None
    parsed: Any = None

    @classmethod
    def read(cls, body: str) -> _PolicyText:
        if "\\" not in body:
            found = [(m[1], tuple(_STRING.findall(m[2])) if m[2] is not None else None)
                     for m in _IP_BLOCK.finditer(body)]
            if len(found) == body.count('"ipBlock":'):
                return cls(body, tuple(found))
        return cls(body, None, json.loads(body))

    def cidrs(self) -> list[object]:
        if self.blocks is not None:
            return [text for cidr, excepts in self.blocks for text in (cidr, *(excepts or ()))]
        out: list[object] = []
        for block in _ip_blocks(self.parsed):
            excepts = block.get("except") or []
            if not isinstance(excepts, list):
                raise _Unique
            out += [block.get("cidr"), *excepts]
        return out

    def canonical(self, names: Mapping[str, str], starts: Mapping[int, tuple[int, ...]]) -> str:
        """The policy's JSON with the tenant's names (as values, never keys) and its blocks made positional."""
        if self.blocks is None:
            return json.dumps(_canonical(self.parsed, names, starts), sort_keys=True, separators=(",", ":"))

        def block(match: re.Match[str]) -> str:
            text = f'"ipBlock":{{"cidr":"{_block_token(match[1], starts)}"'
            if match[2] is not None:
                text += ',"except":[' + ",".join(f'"{_block_token(e, starts)}"' for e in _STRING.findall(match[2]))
                text += "]"
            return text + "}"

        text = _IP_BLOCK.sub(block, self.body)
        if names:
            # a value is followed by `,`, `}` or `]`; a key by `:`
            pattern = "|".join(re.escape(n) for n in names)
            text = re.sub(f'"({pattern})"(?=[,}}\\]])', lambda m: f'"{names[m[1]]}"', text)
        return text


def _ip_blocks(policy: Any) -> list[dict[str, Any]]:
    spec = policy.get("spec") if isinstance(policy, dict) else None
    blocks: list[dict[str, Any]] = []
    for direction, key in (("ingress", "from"), ("egress", "to")):
        for rule in (spec.get(direction) or []) if isinstance(spec, dict) else []:
            for peer in (rule.get(key) or []) if isinstance(rule, dict) else []:
                if isinstance(peer, dict) and isinstance(peer.get("ipBlock"), dict):
                    blocks.append(peer["ipBlock"])
    return blocks


def _network(text: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR written the one canonical way (nca also reads `10.0.0.1/8`; such a text keeps its workspace
    out of any class rather than be taken for `10.0.0.0/8`)."""
    if not isinstance(text, str):
        raise _Unique
    network = _parsed_network(text)
    if network is None:
        raise _Unique
    return network


@functools.lru_cache(maxsize=8192)
def _parsed_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        return None
    return network if str(network) == text else None


def _partition(cidrs: Iterable[object]) -> dict[int, tuple[int, ...]]:
    """Per IP version, the starts of the intervals every ipBlock of the workspace is a union of."""
    cuts: dict[int, set[int]] = {4: {0}, 6: {0}}
    for text in cidrs:
        network = _network(text)
        cuts[network.version].add(int(network.network_address))
        if int(network.broadcast_address) < _LAST[network.version]:
            cuts[network.version].add(int(network.broadcast_address) + 1)
    return {version: tuple(sorted(points)) for version, points in cuts.items()}


def _block_token(text: object, starts: Mapping[int, tuple[int, ...]]) -> str:
    network = _network(text)
    version = network.version
    form = CanonicalForm(starts=starts)
    index = form.interval_index((version, int(network.network_address), int(network.broadcast_address)))
    if index is None:  # an ipBlock outside a rule's peers, which the partition was not cut for
        raise _Unique
    return f"{MARK}ip{version}:{index[1]}-{index[2]}"


def _canonical(value: Any, names: Mapping[str, str], starts: Mapping[int, tuple[int, ...]]) -> Any:
    if isinstance(value, str):
        if value.startswith(MARK):
            raise _Unique
        return names.get(value, value)
    if isinstance(value, list):
        return [_canonical(v, names, starts) for v in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if str(key).startswith(MARK):
                raise _Unique
            if key == "ipBlock" and isinstance(item, dict):
                block = {k: _canonical(v, names, starts) for k, v in item.items() if k not in ("cidr", "except")}
                if "cidr" in item:
                    block["cidr"] = _block_token(item["cidr"], starts)
                if "except" in item:
                    excepts = item["except"]
                    if excepts is not None and not isinstance(excepts, list):
                        raise _Unique
                    block["except"] = None if excepts is None else [_block_token(e, starts) for e in excepts]
                out[key] = block
            else:
                out[key] = _canonical(item, names, starts)
        return out
    return value


# -- analyses in canonical form ---------------------------------------------------------------------


def _map_analysis(analysis: NamespaceAnalysis, name: Callable[[str], str | None],
                  addresses: Callable[[Interval], Interval | None]) -> NamespaceAnalysis | None:
    def endpoint(e: Endpoint) -> Endpoint | None:
        mapped = [addresses(i) for i in e.addresses.intervals]
        namespace, pod = name(e.namespace) if e.namespace else "", name(e.name) if e.name else ""
        if namespace is None or pod is None or any(m is None for m in mapped):
            return None
        return Endpoint(namespace, pod, AddressSet.of(m for m in mapped if m is not None))

    connections = []
    for connection in analysis.connections:
        source, destination = endpoint(connection.source), endpoint(connection.destination)
        if source is None or destination is None:
            return None
        connections.append(Connection(source, destination, connection.ports))
    namespace = name(analysis.namespace)
    ingress = [name(p) for p in analysis.uncaptured_ingress]
    egress = [name(p) for p in analysis.uncaptured_egress]
    if namespace is None or None in ingress or None in egress:
        return None
    # sorted as `analyse` sorts them: the order of names changes with the names
    return NamespaceAnalysis(namespace, tuple(sorted(connections, key=connection_order)),
                             tuple(sorted(p for p in ingress if p is not None)),
                             tuple(sorted(p for p in egress if p is not None)))


def to_canonical(analysis: NamespaceAnalysis, form: CanonicalForm) -> NamespaceAnalysis | None:
    """The analysis with the member's names as tokens and its addresses as interval numbers; None when it
    cannot be shared (an error, whose text names the member, or addresses off the partition)."""
    if not form.key or analysis.error:
        return None
    return _map_analysis(analysis, lambda s: form.names.get(s, s), form.interval_index)


def from_canonical(canonical: NamespaceAnalysis, form: CanonicalForm) -> NamespaceAnalysis | None:
    """A class's canonical analysis with this member's names and addresses (None, never a guess, should a
    token or interval number not be the member's: equal keys make that impossible)."""
    real = {token: name for name, token in form.names.items()}
    return _map_analysis(canonical, lambda s: real.get(s) if s.startswith(MARK) else s, form.interval_of)


# -- analysing by class -----------------------------------------------------------------------------


class ClassAnalyser:
    """`analyse` for many workspaces, with nca run once per class; memoised, and cached by class key (a
    class analysed in an earlier run is not analysed again, whichever member it was analysed for).

    Callable on one workspace, so the check can use it to analyse a tenant again with some policies left
    out (which policy allows a flow): alike tenants share those analyses too.
    """

    def __init__(self, *, cache: ResultCache = NO_CACHE, workers: int = DEFAULT_WORKERS,
                 parallel_from: int = PARALLEL_FROM,
                 classes: dict[str, NamespaceAnalysis | None] | None = None) -> None:
        self.cache = cache
        self.workers = workers
        self.parallel_from = parallel_from
        #: class key -> canonical analysis (None: the class's representative could not be shared); a pure
        #: function of the key, so one memo may serve every target of a run (alike tenants on other clusters)
        self._classes: dict[str, NamespaceAnalysis | None] = {} if classes is None else classes
        self._forms: dict[Workspace, CanonicalForm] = {}
        self.runs = 0

    def __call__(self, workspace: Workspace) -> NamespaceAnalysis:
        return self.analyse_many([workspace])[0]

    def form(self, workspace: Workspace) -> CanonicalForm:
        if workspace not in self._forms:
            self._forms[workspace] = canonical_form(workspace)
        return self._forms[workspace]

    def classes(self, workspaces: Sequence[Workspace]) -> int:
        """How many classes these workspaces fall into (each class of its own counted once)."""
        return len({self.form(w).key or f"own:{i}" for i, w in enumerate(workspaces)})

    def analyse_many(self, workspaces: Sequence[Workspace]) -> list[NamespaceAnalysis]:
        forms = [self.form(w) for w in workspaces]
        representatives: dict[str, int] = {}
        for index, form in enumerate(forms):
            if form.key and form.key not in self._classes and form.key not in representatives:
                cached = self.cache.get(cache_keys.NCA_CLASS, cache_keys.workspace_class(form.key))
                if cached is not None:
                    self._classes[form.key] = NamespaceAnalysis.from_dict(cached)
                else:
                    representatives[form.key] = index
        chosen = [workspaces[i] for i in representatives.values()]
        fresh = dict(zip(representatives.values(), self._analyse(chosen) if chosen else [], strict=True))
        for key, index in representatives.items():
            canonical = to_canonical(fresh[index], forms[index])
            self._classes[key] = canonical
            if canonical is not None:
                self.cache.put(cache_keys.NCA_CLASS, cache_keys.workspace_class(key), canonical.to_dict())
        results: dict[int, NamespaceAnalysis] = {}
        alone = []
        for index, form in enumerate(forms):
            canonical = self._classes.get(form.key) if form.key else None
            mapped = from_canonical(canonical, form) if canonical is not None else None
            if mapped is not None:
                results[index] = mapped
            elif index in fresh:
                results[index] = fresh[index]  # a representative whose analysis cannot be shared: its own
            else:
                alone.append(index)
        if alone:
            for index, analysis in zip(alone, self._analyse_alone([workspaces[i] for i in alone]), strict=True):
                results[index] = analysis
        return [results[i] for i in range(len(workspaces))]

    def _analyse(self, workspaces: Sequence[Workspace]) -> list[NamespaceAnalysis]:
        self.runs += len(workspaces)
        return analyse_all(workspaces, workers=self.workers, parallel_from=self.parallel_from)

    def _analyse_alone(self, workspaces: Sequence[Workspace]) -> list[NamespaceAnalysis]:
        """Workspaces of no class: analysed one by one, cached by their own fingerprint (as before classes)."""
        keys = [cache_keys.workspace(w.fingerprint()) for w in workspaces]
        found: dict[int, NamespaceAnalysis] = {}
        for index, key in enumerate(keys):
            cached = self.cache.get(cache_keys.NCA, key)
            if cached is not None:
                found[index] = NamespaceAnalysis.from_dict(cached)
        todo = [i for i in range(len(workspaces)) if i not in found]
        for index, analysis in zip(todo, self._analyse([workspaces[i] for i in todo]) if todo else [], strict=True):
            found[index] = analysis
            if not analysis.error:
                self.cache.put(cache_keys.NCA, keys[index], analysis.to_dict())
        return [found[i] for i in range(len(workspaces))]

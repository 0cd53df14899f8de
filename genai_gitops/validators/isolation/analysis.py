"""Run network-config-analyzer (nca) in-process on one workspace and read back what it computed.

One nca scheme per workspace runs two queries over one parse: `connectivityMap` (every allowed
connection) and `allCaptured` (pods no policy selects for ingress or egress).

Why `txt_no_fw_rules` and not JSON for the connectivity map: nca's JSON connectivity output is its
*minimised firewall rules*, where pods are grouped into label expressions
(`app.kubernetes.io/name in (mcp-jira,ollama)`) and whole namespaces (`*`); turning those back into
pods would mean evaluating selectors again. `txt_no_fw_rules` lists one line per allowed
(source, destination) pair with its connections, which is exactly the relation we need.
`allCaptured` has a plain JSON form (lists of pods), so it is read as JSON.

`analyse(workspace)` is a pure function of a hashable value: the caller may cache it by
`workspace.fingerprint()`.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genai_gitops import pools
from genai_gitops.pools import StartMethod
from genai_gitops.validators.isolation.addresses import AddressSet
from genai_gitops.validators.isolation.connectivity import Connection, Endpoint
from genai_gitops.validators.isolation.ports import PORT_PROTOCOLS, PortSet
from genai_gitops.validators.isolation.workspace import Workspace

#: below this many workspaces a pool costs more than it saves: starting the forkserver (it imports nca)
#: takes ~0.4 s once per process, a warm pool ~60 ms; 2 workers save ~20 ms per tenant
PARALLEL_FROM = 20
DEFAULT_WORKERS = 2

_CONNECTIVITY_FILE, _CAPTURED_FILE = "connectivity.txt", "captured.json"
# `ns/pod`, or `ns/pod[Pod]` / `ns/pod(Pod)` in other output modes; a namespace is a DNS label, an address is not
_PEER = re.compile(r"^(?P<namespace>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)/(?P<name>[^\[\](){}\s/]+)"
                   r"(?:[\[(][^\])]+[\])])?$")
_CUBE = re.compile(r"\{([^{}]*)\}")
_CUBE_KEY = re.compile(r",(?=(?:protocols|src_ports|dst_ports|methods|paths|hosts|icmp_type|icmp_code):)")
# nca keeps process-wide singletons (peer registry, logger) and rewrites PATH: one analysis at a time
_NCA_LOCK = threading.Lock()


class AnalysisError(Exception):
    """nca failed or printed something this module does not understand."""


@dataclass(frozen=True)
class NamespaceAnalysis:
    """What nca computed for one workspace, at pod level, restricted to the subject namespace."""

    namespace: str
    #: every allowed connection with an end in the namespace (pods as namespace/pod, addresses as blocks)
    connections: tuple[Connection, ...] = ()
    #: pods of the namespace that no NetworkPolicy selects for Ingress / for Egress
    uncaptured_ingress: tuple[str, ...] = ()
    uncaptured_egress: tuple[str, ...] = ()
    #: why the analysis could not run ("" when it did)
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data, for a content-hash cache keyed by `Workspace.fingerprint()`."""
        def endpoint(e: Endpoint) -> dict[str, Any]:
            return {"namespace": e.namespace, "name": e.name, "addresses": [list(i) for i in e.addresses.intervals]}

        return {"namespace": self.namespace, "error": self.error,
                "uncaptured_ingress": list(self.uncaptured_ingress), "uncaptured_egress": list(self.uncaptured_egress),
                "connections": [{"source": endpoint(c.source), "destination": endpoint(c.destination),
                                 "ports": [list(r) for r in c.ports.ranges],
                                 "other_protocols": c.ports.other_protocols} for c in self.connections]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NamespaceAnalysis:
        def endpoint(e: dict[str, Any]) -> Endpoint:
            return Endpoint(e["namespace"], e["name"], AddressSet.of(tuple(i) for i in e["addresses"]))

        return cls(namespace=data["namespace"], error=data["error"],
                   uncaptured_ingress=tuple(data["uncaptured_ingress"]),
                   uncaptured_egress=tuple(data["uncaptured_egress"]),
                   connections=tuple(Connection(endpoint(c["source"]), endpoint(c["destination"]),
                                                PortSet.of((tuple(r) for r in c["ports"]),
                                                           other_protocols=c["other_protocols"]))
                                     for c in data["connections"]))


def analyse(workspace: Workspace) -> NamespaceAnalysis:
    """Allowed connectivity and uncaptured pods of `workspace.namespace`, computed by nca."""
    try:
        with tempfile.TemporaryDirectory(prefix="genai-gitops-nca-") as scratch:
            folder = Path(scratch)
            _write_scheme(workspace, folder)
            status, printed = _run_nca(["--scheme", str(folder / "scheme.yaml")])
            outputs = [folder / _CONNECTIVITY_FILE, folder / _CAPTURED_FILE]
            if status != 0 or not all(p.is_file() for p in outputs):
                raise AnalysisError(f"network-config-analyzer exited with {status}: {_last_error(printed)}")
            connections = parse_connectivity(outputs[0].read_text(encoding="utf-8"))
            captured = json.loads(outputs[1].read_text(encoding="utf-8"))
    except AnalysisError as exc:
        return NamespaceAnalysis(workspace.namespace, error=str(exc))
    mine = workspace.namespace
    subject = {p.name for p in workspace.subject_pods}
    kept = tuple(sorted(c for c in connections if mine in (c.source.namespace, c.destination.namespace)))
    if not workspace.policies:  # nca answers "no policies" without listing pods: none is captured
        return NamespaceAnalysis(mine, kept, tuple(sorted(subject)), tuple(sorted(subject)))
    ingress, egress = parse_captured(captured)
    return NamespaceAnalysis(mine, kept, tuple(sorted(n for ns, n in ingress if ns == mine)),
                             tuple(sorted(n for ns, n in egress if ns == mine)))


def analyse_all(workspaces: Sequence[Workspace], *, workers: int = DEFAULT_WORKERS,
                parallel_from: int = PARALLEL_FROM) -> list[NamespaceAnalysis]:
    """`analyse` over many workspaces, in a pool of `workers` processes when there are enough of them.

    Results are in the order of `workspaces` whichever way they ran, so serial and parallel runs
    give identical reports.
    """
    if workers <= 1 or len(workspaces) < max(parallel_from, 2):
        return [analyse(w) for w in workspaces]
    # forkserver: children fork from a clean single-threaded server, never from a parent that may run
    # jsii's node threads (synth in the same process); the server imports nca once for all of them
    try:
        with pools.executor(StartMethod.FORKSERVER, workers,
                            preload=["genai_gitops.validators.isolation.analysis", "nca.nca_cli"]) as pool:
            return list(pool.map(analyse, workspaces, chunksize=pools.chunksize(len(workspaces), workers, 4)))
    except (OSError, AssertionError, BrokenProcessPool):
        # no child processes here (a daemon process, or a main script without `if __name__ == "__main__"`,
        # which every child re-imports): the same answer, serially
        return [analyse(w) for w in workspaces]


# -- running nca -----------------------------------------------------------------------------------


def _write_scheme(workspace: Workspace, folder: Path) -> None:
    documents = workspace.documents()
    namespaces = [d for d in documents if d["kind"] == "Namespace"]
    # JSON documents are YAML too, and dump far faster than YAML
    (folder / "workspace.yaml").write_text("\n---\n".join(json.dumps(d) for d in documents), encoding="utf-8")
    (folder / "namespaces.yaml").write_text("\n---\n".join(json.dumps(d) for d in namespaces), encoding="utf-8")
    scheme = {
        # a global topology stops nca from ever falling back to `kubectl get` on a live cluster
        "namespaceList": [str(folder / "namespaces.yaml")],
        "networkConfigList": [{"name": workspace.namespace, "resourceList": [str(folder / "workspace.yaml")]}],
        "queries": [
            {"name": "connectivity", "connectivityMap": [workspace.namespace],
             "outputConfiguration": {"outputFormat": "txt_no_fw_rules", "outputEndpoints": "pods",
                                     "outputPath": str(folder / _CONNECTIVITY_FILE),
                                     # only connections with an end in the namespace: the peers among
                                     # themselves (no policies, all open) are not worth formatting
                                     "subset": {"namespace_subset": workspace.namespace}}},
            {"name": "captured", "allCaptured": [workspace.namespace],
             "outputConfiguration": {"outputFormat": "json", "outputEndpoints": "pods",
                                     "outputPath": str(folder / _CAPTURED_FILE)}},
        ],
    }
    (folder / "scheme.yaml").write_text(json.dumps(scheme), encoding="utf-8")


def _run_nca(argv: list[str]) -> tuple[int, str]:
    from nca.nca_cli import nca_main  # imported here: networkx and friends load only when needed

    printed = io.StringIO()
    path = os.environ.get("PATH")
    # several nca modules print to `from sys import stderr`, which redirect_stderr cannot reach
    holders = [m for name, m in list(sys.modules.items())
               if (name == "nca" or name.startswith("nca.")) and hasattr(m, "stderr")]
    with _NCA_LOCK:
        saved = [getattr(m, "stderr") for m in holders]  # noqa: B009 - modules, not typed attributes
        try:
            for module in holders:
                setattr(module, "stderr", printed)  # noqa: B010
            with redirect_stdout(printed), redirect_stderr(printed):
                status = nca_main(argv)
        finally:
            for module, stream in zip(holders, saved, strict=True):
                setattr(module, "stderr", stream)  # noqa: B010
            # nca_main puts "." in front of PATH on every call (to find kubectl in the working directory)
            if path is None:
                os.environ.pop("PATH", None)
            else:
                os.environ["PATH"] = path
    return int(status or 0), printed.getvalue()


def _last_error(printed: str) -> str:
    lines = [line for line in printed.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no output"])[-1].strip()


# -- reading nca's output --------------------------------------------------------------------------------


def parse_endpoint(text: str) -> Endpoint:
    """`ns/pod[Pod]` (txt_no_fw_rules), `ns/pod(Pod)` (JSON) or an address range."""
    match = _PEER.match(text.strip())
    if match:
        return Endpoint.workload(match["namespace"], match["name"])
    try:
        return Endpoint.external(AddressSet.parse(text))
    except ValueError:
        raise AnalysisError(f"unexpected endpoint in network-config-analyzer output: {text!r}") from None


def parse_ports(text: str) -> PortSet:
    """`All connections`, `{protocols:TCP, UDP,dst_ports:53}`, several cubes, or `All but {...}`."""
    text = text.strip()
    if text == "All connections":
        return PortSet.everything()
    if text == "No connections":
        return PortSet()
    if text.startswith("All but "):
        return PortSet.everything() - parse_ports(text[len("All but "):])
    cubes = _CUBE.findall(text)
    if not cubes or _CUBE.sub("", text).strip(", ") != "":
        raise AnalysisError(f"unexpected connections in network-config-analyzer output: {text!r}")
    result = PortSet()
    for cube in cubes:
        result = result | _parse_cube(cube)
    return result


def _parse_cube(cube: str) -> PortSet:
    fields: dict[str, str] = {}
    for item in _CUBE_KEY.split(cube):
        key, sep, value = item.partition(":")
        if not sep:
            raise AnalysisError(f"unexpected connection cube in network-config-analyzer output: {{{cube}}}")
        fields[key.strip()] = value.strip()
    unknown = set(fields) - {"protocols", "dst_ports"}
    if unknown:
        raise AnalysisError(f"connections on {', '.join(sorted(unknown))} are not supported: {{{cube}}}")
    protocols_text = fields.get("protocols", "")
    if not protocols_text or protocols_text == "*":
        protocols, others = set(PORT_PROTOCOLS), "dst_ports" not in fields
    elif protocols_text.startswith("all but "):
        excluded = {p.strip().upper() for p in protocols_text[len("all but "):].split(",")}
        protocols, others = set(PORT_PROTOCOLS) - excluded, "dst_ports" not in fields
    else:
        named = {p.strip().upper() for p in protocols_text.split(",")}
        protocols, others = named & set(PORT_PROTOCOLS), bool(named - set(PORT_PROTOCOLS))
    spans: list[tuple[int, int]] = [(1, 65535)]
    if "dst_ports" in fields:
        spans = []
        for part in fields["dst_ports"].split(","):
            first, _, last = part.strip().partition("-")
            spans.append((int(first), int(last or first)))
    return PortSet.of(((p, a, b) for p in protocols for a, b in spans), other_protocols=others)


def parse_connectivity(text: str) -> list[Connection]:
    """The lines `SOURCE => DESTINATION : CONNECTIONS` of nca's txt_no_fw_rules connectivity map."""
    connections = []
    for line in text.splitlines():
        if " => " not in line:
            continue  # headers such as "TCP Connections:" (only with Istio layers)
        source, _, rest = line.partition(" => ")
        destination, sep, ports = rest.partition(" : ")
        if not sep:
            raise AnalysisError(f"unexpected line in network-config-analyzer output: {line!r}")
        connections.append(Connection(parse_endpoint(source), parse_endpoint(destination), parse_ports(ports)))
    return connections


def parse_captured(results: Any) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(namespace, pod) pairs not captured for ingress and for egress, from nca's allCaptured JSON."""
    ingress: set[tuple[str, str]] = set()
    egress: set[tuple[str, str]] = set()
    for result in results if isinstance(results, list) else []:
        for item in result.get("explanation") or [] if isinstance(result, dict) else []:
            description = str(item.get("description", "")) if isinstance(item, dict) else ""
            target = egress if description.endswith("egress") else ingress if description.endswith(
                "ingress") else None
            if target is None:
                continue
            for name in item.get("pods") or []:
                endpoint = parse_endpoint(str(name))
                target.add((endpoint.namespace, endpoint.name))
    return ingress, egress

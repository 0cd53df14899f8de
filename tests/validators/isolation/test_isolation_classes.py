"""Classes of alike workspaces: one nca run per class, and reports equal to analysing every namespace alone."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from isolation_fixtures import cluster_target

from genai_gitops.cache import MemoryCache
from genai_gitops.model import load_platform
from genai_gitops.model.loader import Platform
from genai_gitops.report.finding import Finding
from genai_gitops.report.section import Section
from genai_gitops.synth import synthesize_platform
from genai_gitops.validators.base import Target
from genai_gitops.validators.isolation import classes
from genai_gitops.validators.isolation.analysis import NamespaceAnalysis, analyse
from genai_gitops.validators.isolation.classes import (
    CanonicalForm,
    ClassAnalyser,
    canonical_form,
    from_canonical,
    to_canonical,
)
from genai_gitops.validators.isolation.validator import IsolationValidator
from genai_gitops.validators.isolation.workspace import PolicyDocument, Workspace, build_workspaces
from genai_gitops.validators.registry import ValidatorOptions

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402  (bench/generate.py: the bench's own tenants, a few of them)

CLUSTERS = ("customer-00", "customer-01")
#: tenants of the bench generator on customer-00 (GPU) and customer-01 (CPU): all three usage modes on each
INDICES = (0, 1, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61, 70, 71)
GUARDRAILS = "tenant-{}-guardrails"


def _bench_data(root: Path) -> Platform:
    """16 bench tenants on two customer clusters, some of them changed where isolation could tell."""
    data = generate.clusters()
    data["clusters"] = [c for c in data["clusters"] if c["name"] in ("central-prod", *CLUSTERS)]
    (root / "tenants").mkdir(parents=True)
    (root / "clusters.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    for index in INDICES:
        tenant = generate.tenant(index)
        if index == 20:  # a second MCP server: a pod and a flow more
            tenant["mcp_servers"].append({"name": "mcp-jira", "image": "ghcr.io/example-org/mcp-jira:1.0.0",
                                          "port": 8001})
        if index == 10:  # no database endpoints: the whole data subnet, and a shared-subnet warning
            del tenant["database_endpoints"]
        if index == 41:  # another block size for its database than t0011's: the same class all the same
            tenant["database_endpoints"] = ["10.21.240.64/28"]
        (root / "tenants" / f"{tenant['id']}.yaml").write_text(yaml.safe_dump(tenant, sort_keys=False))
    return load_platform(root / "tenants", root / "clusters.yaml")


def _edit_policy(dist: Path, cluster: str, tenant: str, name: str, change) -> None:
    path = dist / cluster / GUARDRAILS.format(tenant) / f"NetworkPolicy-{name}.yaml"
    policy = yaml.safe_load(path.read_text())
    change(policy)
    path.write_text(yaml.safe_dump(policy, sort_keys=False))


@pytest.fixture(scope="module")
def bench_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Platform, Path]:
    root = tmp_path_factory.mktemp("isolation-classes")
    platform = _bench_data(root)
    synthesize_platform(platform, root / "dist")
    dist = root / "dist"
    # an extra egress allow on t0030 (an undeclared flow)
    _edit_policy(dist, "customer-00", "t0030", "allow-open-webui", lambda p: p["spec"]["egress"].append(
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 8443, "protocol": "TCP"}]}))
    # t0051's redis may be reached from tenant t0021's namespace (a cross-tenant flow)
    _edit_policy(dist, "customer-01", "t0051", "allow-redis", lambda p: p["spec"]["ingress"][0]["from"].append(
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "tenant-t0021"}}}))
    # t0031 loses its redis policy (missing flows, redis outside a default deny's allows)
    (dist / "customer-01" / GUARDRAILS.format("t0031") / "NetworkPolicy-allow-redis.yaml").unlink()
    return platform, dist


def _targets(platform: Platform, dist: Path) -> list[Target]:
    return [cluster_target(dist / cluster, platform, cluster) for cluster in CLUSTERS]


def _run(targets: list[Target], **options: object) -> list[Finding | Section]:
    validator = IsolationValidator(None, **options)  # type: ignore[arg-type]
    return [item for target in targets for item in validator.run(target)]


def test_class_based_run_equals_analysing_each_namespace_alone(bench_repo: tuple[Platform, Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    platform, dist = bench_repo
    targets = _targets(platform, dist)
    runs: list[int] = []
    real = ClassAnalyser._analyse

    def counting(self: ClassAnalyser, workspaces: list[Workspace]) -> list[NamespaceAnalysis]:
        runs.append(len(workspaces))
        return real(self, workspaces)

    monkeypatch.setattr(ClassAnalyser, "_analyse", counting)
    by_class = _run(targets)
    class_runs = sum(runs)
    # every workspace a class of its own: nca on each namespace alone, as before classes
    runs.clear()
    with monkeypatch.context() as alone:
        alone.setattr(classes, "canonical_form", lambda workspace: CanonicalForm())
        per_namespace = _run(targets)
    assert sum(runs) == len(INDICES)
    assert by_class == per_namespace
    assert class_runs < len(INDICES)

    findings = [i for i in by_class if isinstance(i, Finding)]
    sections = [i for i in by_class if isinstance(i, Section)]
    assert [row[0] for s in sections for row in s.rows] == sorted(f"tenant-t{i:04d}" for i in INDICES
                                                                   if i % 2 == 0) + sorted(
        f"tenant-t{i:04d}" for i in INDICES if i % 2 == 1)
    # the tenants changed in a way that matters are reported, under their own names and files
    assert sorted({(f.namespace, f.rule) for f in findings}) == [
        ("tenant-t0010", "shared-database-subnet"),
        ("tenant-t0030", "undeclared-flow"),
        ("tenant-t0031", "missing-flow"),
        ("tenant-t0051", "cross-tenant-flow"),
    ]
    assert all(f.file.startswith(str(dist)) for f in findings)
    crossing = next(f for f in findings if f.rule == "cross-tenant-flow")
    assert crossing.message == (
        "tenant-t0021/any-pod -> tenant-t0051/redis:6379 allowed by NetworkPolicy tenant-t0051/allow-redis: "
        "traffic between tenant namespaces tenant-t0051 and tenant-t0021 is never allowed")


def test_alike_tenants_share_a_class_and_those_that_differ_do_not(bench_repo: tuple[Platform, Path]) -> None:
    platform, dist = bench_repo
    members: dict[str, list[str]] = defaultdict(list)
    for target in _targets(platform, dist):
        for subject in build_workspaces(target.resources, tenants=target.tenants, cluster=target.cluster,
                                        inventory=target.inventory):
            members[canonical_form(subject.workspace).key].append(subject.tenant)
    assert "" not in members
    shared = sorted(sorted(m) for m in members.values() if len(m) > 1)
    # addresses are positional: t0041's database is a /28 where t0011's is a /32, and t0010 may reach its whole
    # data subnet where t0040 reaches one address in it; nca's answers differ by those blocks only (the check of
    # each tenant's declared flows, which does differ, runs per tenant)
    assert shared == [["t0000", "t0060"], ["t0001", "t0061"], ["t0010", "t0040", "t0070"],
                      ["t0011", "t0041", "t0071"]]
    alone = {m[0] for m in members.values() if len(m) == 1}
    assert alone == {"t0020", "t0021", "t0030", "t0031", "t0050", "t0051"}
    assert len(members) < len(INDICES)


def test_a_cached_class_serves_a_later_run_without_nca(bench_repo: tuple[Platform, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    platform, dist = bench_repo
    targets = _targets(platform, dist)
    cache = MemoryCache()
    first = [item for t in targets for item in IsolationValidator(None).run(t)]
    warm = ClassAnalyser(cache=cache)
    for target in targets:
        warm.analyse_many([s.workspace for s in build_workspaces(target.resources, tenants=target.tenants,
                                                                 cluster=target.cluster, inventory=target.inventory)])

    def no_nca(self: ClassAnalyser, workspaces: list[Workspace]) -> list[NamespaceAnalysis]:
        raise AssertionError(f"nca ran on {[w.namespace for w in workspaces]}")

    monkeypatch.setattr(ClassAnalyser, "_analyse", no_nca)
    cached = IsolationValidator(ValidatorOptions(cache=cache))
    assert [item for t in targets for item in cached.run(t)] == first


# -- canonical forms on hand-made workspaces --------------------------------------------------------------


def _workspace(namespace: str, tenant: str, *, cidr: str = "10.0.0.5/32", label: str = "open-webui") -> Workspace:
    from genai_gitops.validators.isolation.workspace import NamespaceStandIn, PodStandIn

    body = ('{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow",'
            f'"namespace":"{namespace}"}},"spec":{{"egress":[{{"to":[{{"ipBlock":{{"cidr":"{cidr}"}}}}],'
            '"ports":[{"port":5432,"protocol":"TCP"}]},{"to":[{"ipBlock":{"cidr":"0.0.0.0/0","except":'
            '["10.0.0.0/8"]}}],"ports":[{"port":443,"protocol":"TCP"}]}],"podSelector":{"matchLabels":'
            f'{{"app":"{label}"}}}},"policyTypes":["Ingress","Egress"]}}}}')
    return Workspace(namespace=namespace,
                     namespaces=(NamespaceStandIn(namespace, (("genai-gitops.io/tenant", tenant),
                                                              ("kubernetes.io/metadata.name", namespace))),),
                     pods=(PodStandIn(namespace, "open-webui", (("app", label), ("tenant", tenant))),),
                     policies=(PolicyDocument(namespace, "allow", body),))


def test_names_and_own_addresses_are_positional() -> None:
    a, b = _workspace("tenant-a", "a"), _workspace("tenant-b", "b", cidr="10.7.0.0/16")
    assert canonical_form(a).key == canonical_form(b).key != ""
    # which side of another block a tenant's own block lies on matters: 192.168.0.0/16 is not in 10.0.0.0/8
    assert canonical_form(_workspace("tenant-c", "c", cidr="192.168.0.0/16")).key != canonical_form(a).key
    # a pod label that is not the tenant's name stays as it is
    assert canonical_form(_workspace("tenant-d", "d", label="ollama")).key != canonical_form(a).key


@pytest.mark.parametrize("cidr", ["10.0.0.5/8", "10.0.0.05/32", "not-a-cidr"])
def test_a_cidr_not_written_canonically_is_a_class_of_its_own(cidr: str) -> None:
    assert canonical_form(_workspace("tenant-a", "a", cidr=cidr)).key == ""


def test_names_that_are_not_dns_labels_stay_literal() -> None:
    """A tenant id that nca could read otherwise (a number: a port) is never renamed."""
    numeric = canonical_form(_workspace("tenant-a", "8080"))
    assert "8080" not in numeric.names and "tenant-a" in numeric.names


def test_a_tenant_id_that_names_a_namespace_stays_literal() -> None:
    from genai_gitops.validators.isolation.workspace import NamespaceStandIn

    workspace = _workspace("tenant-default", "default")
    workspace = replace(workspace, namespaces=(NamespaceStandIn("default", ()), *workspace.namespaces))
    assert canonical_form(workspace).names == {"tenant-default": "\x00namespace"}


def test_an_analysis_maps_back_to_each_member() -> None:
    a, b = _workspace("tenant-a", "a"), _workspace("tenant-b", "b", cidr="10.7.0.0/16")
    form_a, form_b = canonical_form(a), canonical_form(b)
    canonical = to_canonical(analyse(a), form_a)
    assert canonical is not None
    assert from_canonical(canonical, form_b) == analyse(b)
    assert from_canonical(canonical, form_a) == analyse(a)


def test_a_token_a_member_does_not_have_is_never_guessed() -> None:
    from genai_gitops.validators.isolation.connectivity import Connection, Endpoint
    from genai_gitops.validators.isolation.ports import PortSet

    canonical = NamespaceAnalysis("\x00namespace", (Connection(Endpoint("\x00namespace", "a"),
                                                                Endpoint("\x00other", "b"), PortSet()),))
    assert from_canonical(canonical, canonical_form(_workspace("tenant-a", "a"))) is None


def test_an_analysis_that_failed_is_not_shared() -> None:
    form = canonical_form(_workspace("tenant-a", "a"))
    assert to_canonical(NamespaceAnalysis("tenant-a", error="nca exited with 7"), form) is None


"""The real checkov, in its own virtualenv, mapped into the common report."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from genai_gitops.manifests import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.checkov import CheckovValidator, find_checkov, load_skips
from genai_gitops.validators.checkov_classes import JUDGED_KINDS, JUDGED_KINDS_VERSION
from genai_gitops.validators.registry import ValidatorOptions

FIXTURE = Path(__file__).parent / "fixtures/checkov/manifests.yaml"

try:
    find_checkov()
except FileNotFoundError:
    pytest.skip("checkov virtualenv missing: `make install` creates it (CI does)", allow_module_level=True)

pytestmark = pytest.mark.slow


def run(options: ValidatorOptions) -> list:
    target = Target(name="t", k8s_version="1.30", resources=read_paths([FIXTURE]).resources)
    return list(CheckovValidator(options).validate(target))


def test_findings_point_at_the_source_file_and_line() -> None:
    findings = run(ValidatorOptions())
    privileged = [f for f in findings if f.rule == "CKV_K8S_16"]
    assert len(privileged) == 1
    f = privileged[0]
    assert (f.file, f.line, f.kind, f.namespace, f.name, f.validator) == (
        str(FIXTURE), 6, "Deployment", "demo", "root-app", "checkov")
    assert "privileged" in f.message.lower()


def test_skips_with_reasons_apply_and_can_be_scoped(tmp_path: Path) -> None:
    skips = tmp_path / "skips.yaml"
    skips.write_text("skips:\n  - id: CKV_K8S_16\n    reason: test\n    resources: ['Deployment.demo.*']\n")
    assert "CKV_K8S_16" not in {f.rule for f in run(ValidatorOptions(checkov_skips=skips))}
    skips.write_text("skips:\n  - id: CKV_K8S_16\n    reason: test\n    resources: ['Deployment.other.*']\n")
    assert "CKV_K8S_16" in {f.rule for f in run(ValidatorOptions(checkov_skips=skips))}


def test_a_skip_needs_a_reason(tmp_path: Path) -> None:
    skips = tmp_path / "skips.yaml"
    skips.write_text("skips:\n  - id: CKV_K8S_16\n")
    with pytest.raises(ValueError, match=r"skips\[0\]: every skip needs an `id` and a `reason`"):
        load_skips(skips)


def test_repository_skips_all_have_reasons(repo: Path) -> None:
    assert all(s.reason.strip() for s in load_skips(repo / "policies/checkov-skips.yaml"))


def test_the_values_left_out_of_class_keys_are_read_by_no_check() -> None:
    """The facts judged_view's docstring cites, asserted on the installed checkov: only CKV_K8S_21 judges a
    ConfigMap, no graph check names one, no check runs on every kind, and annotations are read only where
    the docstring says (by key: skip annotations, seccomp, nginx Ingress checks, kustomize's origin path).
    And JUDGED_KINDS's: every kind a resource check registers for or a graph check names, and List."""
    import json
    import subprocess

    from genai_gitops.validators.checkov_process import ENV, interpreter_of

    python = interpreter_of(find_checkov())
    assert python is not None
    out = subprocess.run([python, str(Path(__file__).with_name("checkov_facts.py"))], capture_output=True,
                         text=True, check=True, env={**os.environ, **ENV}).stdout
    facts = json.loads(out)
    # the kinds sent to checkov are every kind it judges, and List, whose items it reads
    assert facts.pop("version") == JUDGED_KINDS_VERSION
    assert facts.pop("kinds") == sorted(JUDGED_KINDS - {"List"})
    assert facts.pop("unpacks_list") == ["kubernetes_utils.py", "runner.py"]
    assert facts == {
        "configmap": ["CKV_K8S_21"], "wildcard": [], "graph": [],
        "annotations": ["checks/resource/k8s/NginxIngressCVE202125742Alias.py",
                        "checks/resource/k8s/NginxIngressCVE202125742AllSnippets.py",
                        "checks/resource/k8s/NginxIngressCVE202125742Lua.py", "checks/resource/k8s/Seccomp.py",
                        "checks/resource/k8s/SeccompPSP.py",
                        "graph_builder/local_graph.py",  # copies a parent's annotations onto its template
                        "kubernetes_utils.py"]}  # skip annotations and config.kubernetes.io/origin


PLANTED_POD = """\
      - apiVersion: v1
        kind: Pod
        metadata: {name: planted, namespace: kube-system}
        spec:
          hostNetwork: true
          containers:
            - name: planted
              image: docker.io/library/busybox:1.36
              securityContext: {privileged: true}
"""
PLANTED_LIST = "apiVersion: v1\nkind: List\nitems:\n" + PLANTED_POD
PLANTED_WIDGET = ("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: planted, namespace: kube-system}\n"
                  "spec:\n  template:\n    spec:\n      containers:\n"
                  "        - {name: planted, image: busybox, securityContext: {privileged: true}}\n")


def test_deduplicated_findings_equal_raw_checkov_on_a_sampled_tree(tmp_path: Path) -> None:
    """Tenant namespaces judged once per class of alike namespaces, through the checkov server, give exactly
    the checkov CLI's findings on every object (file, line, object, check and message), on a generated tree
    with no skips, so there is much to find. A second run, every class answered from the first run's cache
    through another member namespace than the one judged, gives the same findings."""
    import sys

    from genai_gitops.cache import MemoryCache
    from genai_gitops.manifests import read_paths as read
    from genai_gitops.model.loader import load_platform
    from genai_gitops.synth import synthesize
    from genai_gitops.validators.checkov_classes import namespace_classes

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from generate import generate  # the bench's generator: every usage mode, RAG, MCP, GPU and CPU clusters

    repo = generate(40, tmp_path / "repo")
    synthesize(repo / "tenants", repo / "clusters.yaml", repo / "dist", policies_dir=repo / "policies")
    platform = load_platform(repo / "tenants", repo / "clusters.yaml")
    # kinds checkov never judges are not sent (JUDGED_KINDS): a privileged pod inside a List (read as its
    # items, by the reader as by checkov) and one inside an unjudged kind's template give the CLI's findings
    (repo / "dist/customer-00/cluster-config/List-planted.yaml").write_text(PLANTED_LIST)
    (repo / "dist/customer-00/cluster-config/Widget-planted.yaml").write_text(PLANTED_WIDGET)

    cluster = platform.cluster("customer-00")

    def key(f):
        return (f.file, f.line, f.api_version, f.kind, f.namespace, f.name, f.rule, f.severity, f.message)

    def raw(target: Target) -> list:
        """Every object, one checkov CLI process per chunk, nothing cached: the reference."""
        return sorted(map(key, CheckovValidator(ValidatorOptions(), deduplicate=False, server=False).validate(target)))

    first = Target(name=cluster.name, k8s_version=cluster.kubernetes_version,
                   resources=read([repo / "dist" / cluster.name]).resources, tenants=platform.tenants_on(cluster.name))
    assert {"AppProject", "Namespace", "Widget"} <= {r.kind for r in first.resources}
    classes = namespace_classes(first.resources, first.tenants, kinds=JUDGED_KINDS)
    tenant_classes = [c for c in classes if first.resources[c.representative[0]].namespace.startswith("tenant-")]
    assert len(first.tenants) == 4 and len(tenant_classes) == 3  # two of the four tenants are alike

    cache = MemoryCache()
    served = CheckovValidator(ValidatorOptions(cache=cache))
    deduplicated = sorted(map(key, served.validate(first)))
    assert served.scanner.python is not None  # judged by the server, not by its fallback to the CLI
    expected = raw(first)
    assert len(expected) > 50 and {f[4] for f in expected} >= {t.namespace for t in first.tenants}
    assert any(f[0].endswith("List-planted.yaml") for f in expected)  # checkov read the List's pod
    assert deduplicated == expected

    # the same objects in reverse order: the other tenant of the alike pair is now the one judged, and
    # every class's judgement comes from the first run's cache, judged through another namespace
    second = Target(name=first.name, k8s_version=first.k8s_version, resources=list(reversed(first.resources)),
                    tenants=first.tenants)
    swapped = namespace_classes(second.resources, second.tenants, kinds=JUDGED_KINDS)
    assert {c.key for c in swapped} == {c.key for c in classes}
    assert any(second.resources[c.representative[0]].namespace != first.resources[o.representative[0]].namespace
               for c in swapped for o in classes if c.key == o.key)
    hits = cache.hits
    assert sorted(map(key, CheckovValidator(ValidatorOptions(cache=cache)).validate(second))) == expected
    assert cache.hits - hits == len(classes)

    # a head start for several clusters at once: every new class of both judged in one scan, in the
    # background; each cluster's findings still equal the CLI's on that cluster alone
    other = platform.cluster("customer-01")
    targets = [replace(first, digest="first"),
               Target(name=other.name, k8s_version=other.kubernetes_version, digest="second",
                      resources=read([repo / "dist" / other.name]).resources, tenants=platform.tenants_on(other.name))]
    ahead = CheckovValidator(ValidatorOptions(cache=MemoryCache()))
    scans: list[int] = []
    scan = ahead.scanner.scan
    ahead.scanner.scan = lambda folders: scans.append(len(folders)) or scan(folders)  # type: ignore[method-assign]
    ahead.prefetch(targets)
    assert [sorted(map(key, ahead.validate(t))) for t in targets] == [expected, raw(targets[1])]
    assert scans == [2]  # one scan of two folders (one per core) for both clusters

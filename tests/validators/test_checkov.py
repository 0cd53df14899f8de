"""The real checkov, in its own virtualenv, mapped into the common report."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops.manifests import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.checkov import CheckovValidator, find_checkov, load_skips
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


def test_deduplicated_findings_equal_raw_checkov_on_a_sampled_tree(tmp_path: Path) -> None:
    """Tenant namespaces judged once per class of alike namespaces give exactly raw checkov's findings
    (file, line, object, check and message), on a generated tree with no skips, so there is much to find."""
    import sys

    from genai_gitops.manifests import read_paths as read
    from genai_gitops.model.loader import load_platform
    from genai_gitops.synth import synthesize
    from genai_gitops.validators.checkov_classes import namespace_classes

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from generate import generate  # the bench's generator: every usage mode, RAG, MCP, GPU and CPU clusters

    repo = generate(40, tmp_path / "repo")
    synthesize(repo / "tenants", repo / "clusters.yaml", repo / "dist", policies_dir=repo / "policies")
    platform = load_platform(repo / "tenants", repo / "clusters.yaml")
    cluster = platform.cluster("customer-00")
    tenants = platform.tenants_on(cluster.name)
    resources = read([repo / "dist" / cluster.name]).resources
    target = Target(name=cluster.name, k8s_version=cluster.kubernetes_version, resources=resources, tenants=tenants)
    classes = namespace_classes(resources, tenants)
    tenant_classes = [c for c in classes if resources[c.representative[0]].namespace.startswith("tenant-")]
    assert len(tenants) == 4 and len(tenant_classes) == 3  # two of the four tenants are alike

    def key(f):
        return (f.file, f.line, f.api_version, f.kind, f.namespace, f.name, f.rule, f.severity, f.message)

    deduplicated = sorted(map(key, CheckovValidator(ValidatorOptions()).validate(target)))
    raw = sorted(map(key, CheckovValidator(ValidatorOptions(), deduplicate=False).validate(target)))
    assert len(raw) > 50 and {f[4] for f in raw} >= {t.namespace for t in tenants}
    assert deduplicated == raw

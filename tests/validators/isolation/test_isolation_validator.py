"""The isolation validator on real synthesised guard rails, broken one way at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from isolation_fixtures import cluster_target, isolation, write

from genai_gitops.model.loader import Platform
from genai_gitops.validators import registry
from genai_gitops.validators.isolation.validator import IsolationValidator

GUARDRAILS = "tenant-{}-guardrails"


def rules(findings) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for f in findings)


def test_registered_under_its_name() -> None:
    (validator,) = registry.build_validators(["isolation"], registry.ValidatorOptions())
    assert isinstance(validator, IsolationValidator)
    assert validator.name == "isolation"


@pytest.mark.parametrize("cluster", ["customer-eu-1", "customer-us-1", "central-prod"])
def test_example_data_is_isolated(synthesized: Path, platform: Platform, cluster: str) -> None:
    target = cluster_target(synthesized / "dist" / cluster, platform, cluster)
    validator = IsolationValidator(None)
    assert list(validator.validate(target)) == []
    tenants = sorted(t.namespace for t in platform.tenants_on(cluster))
    rows = [row for section in validator.sections(target) for row in section.rows]
    assert [row[0] for row in rows] == tenants
    assert all(row[-1] == "0" for row in rows)


def test_policy_reaching_another_tenant_is_cross_tenant_flow(cluster_copy: Callable[[str], Path],
                                                             platform: Platform) -> None:
    folder = cluster_copy("customer-eu-1")
    policy = write(folder / GUARDRAILS.format("acme") / "NetworkPolicy-allow-initech.yaml", """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-initech, namespace: tenant-acme}
        spec:
          podSelector: {matchLabels: {app.kubernetes.io/name: open-webui}}
          policyTypes: [Egress]
          egress:
            - to:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tenant-initech}}
                  podSelector: {matchLabels: {app.kubernetes.io/name: ollama}}
              ports: [{port: 11434}]
        """)
    findings = isolation(cluster_target(folder, platform, "customer-eu-1"))
    assert [(f.rule, f.file, f.line, f.kind, f.name) for f in findings] == [
        ("cross-tenant-flow", str(policy), 1, "NetworkPolicy", "allow-initech")]
    assert findings[0].message.startswith(
        "tenant-acme/open-webui -> tenant-initech/ollama:11434 allowed by NetworkPolicy tenant-acme/allow-initech:"
        " traffic between tenant namespaces tenant-acme and tenant-initech is never allowed")


def test_ingress_from_every_namespace_admits_tenants_to_come(cluster_copy: Callable[[str], Path],
                                                              platform: Platform) -> None:
    # globex is alone on its cluster: only the probe namespace can show the hole
    folder = cluster_copy("customer-us-1")
    path = folder / GUARDRAILS.format("globex") / "NetworkPolicy-allow-qdrant.yaml"
    policy = yaml.safe_load(path.read_text())
    policy["spec"]["ingress"].append({"from": [{"namespaceSelector": {}}], "ports": [{"port": 6333}]})
    path.write_text(yaml.safe_dump(policy))
    findings = isolation(cluster_target(folder, platform, "customer-us-1"))
    cross = [f for f in findings if f.rule == "cross-tenant-flow"]
    assert [(f.file, f.name) for f in cross] == [(str(path), "allow-qdrant")]
    assert cross[0].message.startswith("new-tenant-probe/any-pod -> tenant-globex/qdrant:6333 allowed by "
                                       "NetworkPolicy tenant-globex/allow-qdrant")
    assert "new-tenant-probe stands for any tenant added later" in cross[0].message
    # the same rule also lets every shared namespace in: not declared either
    assert {f.rule for f in findings} == {"cross-tenant-flow", "undeclared-flow"}
    assert all("allow-qdrant" in f.message for f in findings)


def test_local_tenant_reaching_central_litellm_is_undeclared(cluster_copy: Callable[[str], Path],
                                                             platform: Platform) -> None:
    folder = cluster_copy("customer-eu-1")
    path = folder / GUARDRAILS.format("initech") / "NetworkPolicy-allow-open-webui.yaml"
    policy = yaml.safe_load(path.read_text())
    central = platform.cluster("central-prod").capabilities.ingress.public_cidrs[0]
    policy["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": central}}], "ports": [{"port": 443}]})
    path.write_text(yaml.safe_dump(policy))
    findings = isolation(cluster_target(folder, platform, "customer-eu-1"))
    assert [(f.rule, f.file, f.name) for f in findings] == [("undeclared-flow", str(path), "allow-open-webui")]
    assert findings[0].message.startswith(
        f"tenant-initech/open-webui -> central-litellm({central}):443 allowed by NetworkPolicy "
        "tenant-initech/allow-open-webui; it is not in the declared traffic graph of tenant initech")


def test_wider_port_range_is_undeclared_only_for_the_extra_ports(cluster_copy: Callable[[str], Path],
                                                                 platform: Platform) -> None:
    folder = cluster_copy("customer-eu-1")
    guardrails = folder / GUARDRAILS.format("acme")
    redis = yaml.safe_load((guardrails / "NetworkPolicy-allow-redis.yaml").read_text())
    redis["spec"]["ingress"][0]["ports"] = [{"port": 6379, "endPort": 6390, "protocol": "TCP"}]
    (guardrails / "NetworkPolicy-allow-redis.yaml").write_text(yaml.safe_dump(redis))
    # the client's egress still allows 6379 only: a connection needs both ends, so nothing more is allowed
    assert isolation(cluster_target(folder, platform, "customer-eu-1")) == []

    webui = yaml.safe_load((guardrails / "NetworkPolicy-allow-open-webui.yaml").read_text())
    for rule in webui["spec"]["egress"]:
        if rule["ports"] == [{"port": 6379, "protocol": "TCP"}]:
            rule["ports"] = [{"port": 6379, "endPort": 6390, "protocol": "TCP"}]
    (guardrails / "NetworkPolicy-allow-open-webui.yaml").write_text(yaml.safe_dump(webui))
    findings = isolation(cluster_target(folder, platform, "customer-eu-1"))
    assert rules(findings) == [("undeclared-flow", "tenant-acme/open-webui -> tenant-acme/redis:6380-6390 allowed by "
                                "NetworkPolicy tenant-acme/allow-open-webui (egress) and NetworkPolicy "
                                "tenant-acme/allow-redis (ingress); it is not in the declared traffic graph of tenant "
                                "acme")]
    assert findings[0].name == "allow-open-webui"


def test_removed_allow_is_missing_flow(cluster_copy: Callable[[str], Path], platform: Platform) -> None:
    folder = cluster_copy("customer-eu-1")
    (folder / GUARDRAILS.format("acme") / "NetworkPolicy-allow-redis.yaml").unlink()
    findings = isolation(cluster_target(folder, platform, "customer-eu-1"))
    assert {f.rule for f in findings} == {"missing-flow"}
    messages = sorted(f.message for f in findings)
    assert messages[0].startswith("tenant-acme/open-webui -> tenant-acme/redis:6379 is declared (websocket sessions "
                                  "shared by replicas) but no NetworkPolicy allows it")
    assert messages[1].startswith("tenant-acme/redis -> kube-system/kube-dns:53, 53/UDP is declared (DNS)")
    # both point at the redis workload (or, while it has no manifest, the namespace)
    assert all(f.namespace == "tenant-acme" and f.name in {"redis", "tenant-acme"} for f in findings)


def test_pod_outside_default_deny(tmp_path: Path) -> None:
    write(tmp_path / "namespace.yaml", """
        apiVersion: v1
        kind: Namespace
        metadata: {name: tenant-solo, labels: {genai-gitops.io/tenant: solo}}
        """)
    write(tmp_path / "policy.yaml", """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-ingress, namespace: tenant-solo}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress: [{from: [{podSelector: {}}], ports: [{port: 8080}]}]
        """)
    web = write(tmp_path / "web.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: tenant-solo}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        """)
    worker = write(tmp_path / "worker.yaml", """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: worker, namespace: tenant-solo}
        spec:
          schedule: "@daily"
          jobTemplate:
            spec:
              template:
                metadata: {labels: {app: worker}}
                spec: {containers: [{name: worker, image: "busybox:1.36"}], restartPolicy: Never}
        """)
    findings = isolation(cluster_target(tmp_path, None, ""))
    deny = sorted((f.file, f.message) for f in findings if f.rule == "not-default-deny")
    assert deny == [
        (str(web), "tenant-solo/web is not under a default-deny: no NetworkPolicy selects it for Egress"),
        (str(worker), "tenant-solo/worker is not under a default-deny: no NetworkPolicy selects it for Ingress or "
                      "Egress"),
    ]
    # without tenant data only cross-tenant and default-deny run; both open pods reach the tenant still to come
    assert {f.rule for f in findings} == {"not-default-deny", "cross-tenant-flow"}
    cross = [f.message for f in findings if f.rule == "cross-tenant-flow"]
    assert any(m.startswith("tenant-solo/web -> new-tenant-probe/any-pod:all open because no NetworkPolicy selects "
                            "tenant-solo/web for Egress") for m in cross)
    assert not any(m.startswith("new-tenant-probe/any-pod -> tenant-solo/web") for m in cross)  # ingress is closed


def test_ad_hoc_validation_without_data_skips_the_declared_graph(synthesized: Path, platform: Platform) -> None:
    folder = synthesized / "dist" / "customer-eu-1"
    assert isolation(cluster_target(folder, None, "customer-eu-1")) == []


def test_serial_and_parallel_runs_report_identically(tmp_path: Path) -> None:
    for index in range(6):
        tenant = f"t{index}"
        write(tmp_path / tenant / "objects.yaml", f"""
            apiVersion: v1
            kind: Namespace
            metadata: {{name: tenant-{tenant}, labels: {{genai-gitops.io/tenant: {tenant}}}}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {{name: app, namespace: tenant-{tenant}, labels: {{app: app}}}}
            spec: {{containers: [{{name: app, image: "busybox:1.36"}}]}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {{name: default-deny, namespace: tenant-{tenant}}}
            spec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}
            """)
    # one tenant lets every namespace in: every other tenant's finding names it
    write(tmp_path / "t3" / "open.yaml", """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: open, namespace: tenant-t3}
        spec:
          podSelector: {}
          ingress: [{from: [{namespaceSelector: {}}]}]
        """)
    target = cluster_target(tmp_path, None, "")
    serial = isolation(target, workers=1)
    parallel = isolation(target, workers=2, parallel_from=2)
    assert serial == parallel
    assert [f.name for f in serial] == ["open"]
    assert serial[0].message.startswith(
        "new-tenant-probe/any-pod, tenant-t0/any-pod, tenant-t1/any-pod, tenant-t2/any-pod, tenant-t4/any-pod and 1 "
        "more -> tenant-t3/app:all allowed by NetworkPolicy tenant-t3/open: traffic between tenant namespaces "
        "tenant-t3 and tenant-t0, tenant-t1, tenant-t2, tenant-t4, tenant-t5 is never allowed")


def test_a_policy_nca_cannot_read_is_named(cluster_copy: Callable[[str], Path], platform: Platform) -> None:
    folder = cluster_copy("customer-us-1")
    path = folder / GUARDRAILS.format("globex") / "NetworkPolicy-allow-redis.yaml"
    policy = yaml.safe_load(path.read_text())
    policy["spec"]["policyTypes"] = ["Sideways"]
    path.write_text(yaml.safe_dump(policy))
    findings = isolation(cluster_target(folder, platform, "customer-us-1"))
    assert [(f.rule, f.file, f.message) for f in findings] == [
        ("analysis-error", str(path), "cannot analyse NetworkPolicy tenant-globex/allow-redis: network-config-analyzer "
                                      "exited with 7: Error: policyTypes has invalid value in spec")]


def test_sections_are_a_function_of_the_target_alone(tmp_path: Path) -> None:
    """No state between calls: a table asked for first, or after another target, is the same table."""
    targets = {}
    for name, tenants in (("one", ["a"]), ("two", ["b", "c"])):
        for tenant in tenants:
            write(tmp_path / name / tenant / "objects.yaml", f"""
                apiVersion: v1
                kind: Namespace
                metadata: {{name: tenant-{tenant}, labels: {{genai-gitops.io/tenant: {tenant}}}}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {{name: default-deny, namespace: tenant-{tenant}}}
                spec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}
                """)
        targets[name] = cluster_target(tmp_path / name, None, "")
    first = IsolationValidator(None).sections(targets["one"])  # never validated before
    assert [row[0] for section in first for row in section.rows] == ["tenant-a"]
    validator = IsolationValidator(None)
    list(validator.validate(targets["two"]))
    assert validator.sections(targets["one"]) == first
    together = list(validator.run(targets["one"]))
    assert [item for item in together if item not in first] == list(validator.validate(targets["one"]))

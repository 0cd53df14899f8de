"""Compare the schema validator with kubernetes-validate (strict) on a folder of manifests.

    python bench/schema_compare.py DIR [--k8s-version 1.30]
    python bench/schema_compare.py --generate DIR [--tenants 40]   # write a realistic test folder first

Every object is validated by both; their valid/invalid verdicts must be identical (exit 1 if not).
Custom resources, which kubernetes-validate has no schema for, are counted but not compared.
Prints objects, seconds, resources/s and the speed ratio, plus resources/s including YAML reading.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from genai_gitops.manifests import read_paths
from genai_gitops.validators.base import Target
from genai_gitops.validators.registry import ValidatorOptions
from genai_gitops.validators.schema import SchemaRegistry, SchemaValidator

GOAL_RATIO = 20.0
GOAL_RATE_WITH_READING = 2500.0


# ------------------------------------------------------------------ test data
def tenant_objects(index: int) -> list[dict[str, Any]]:
    """The plain objects of one tenant namespace: workloads, services, config, policy, scaling."""
    ns = f"tenant-{index:03d}"
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": ns, "labels": {"genai.example.com/tenant": "true"}}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "quota", "namespace": ns},
         "spec": {"hard": {"requests.cpu": "16", "requests.memory": "64Gi", "limits.memory": "64Gi"}}},
    ]
    for app, port, replicas in (("open-webui", 8080, 2), ("litellm", 4000, 2), ("langfuse-web", 3000, 2),
                                ("qdrant", 6333, 1)):
        labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": ns,
                  "app.kubernetes.io/part-of": "genai-platform"}
        objects += [
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": app, "namespace": ns, "labels": labels},
             "automountServiceAccountToken": False},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{app}-config", "namespace": ns},
             "data": {"LOG_LEVEL": "info", "PORT": str(port), "config.yaml": f"listen: 0.0.0.0:{port}\n"}},
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": app, "namespace": ns, "labels": labels,
                          "annotations": {"argocd.argoproj.io/sync-wave": "1"}},
             "spec": {
                 "replicas": replicas, "revisionHistoryLimit": 5,
                 "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                 "template": {
                     "metadata": {"labels": labels},
                     "spec": {
                         "serviceAccountName": app, "automountServiceAccountToken": False,
                         "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001,
                                             "seccompProfile": {"type": "RuntimeDefault"}},
                         "containers": [{
                             "name": app, "image": f"registry.example.com/{app}:1.0.{index}",
                             "imagePullPolicy": "IfNotPresent",
                             "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
                             "envFrom": [{"configMapRef": {"name": f"{app}-config"}}],
                             "env": [{"name": "DATABASE_URL",
                                      "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "url"}}}],
                             "resources": {"requests": {"cpu": "250m", "memory": "512Mi"},
                                           "limits": {"memory": "1Gi"}},
                             "readinessProbe": {"httpGet": {"path": "/health", "port": "http"}, "periodSeconds": 10},
                             "livenessProbe": {"tcpSocket": {"port": "http"}, "initialDelaySeconds": 15},
                             "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                                 "capabilities": {"drop": ["ALL"]}},
                             # a path inside the container, not a temporary file here
                             "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108
                         }],
                         "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}],
                         "topologySpreadConstraints": [{
                             "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                             "whenUnsatisfiable": "ScheduleAnyway",
                             "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app}}}],
                     },
                 },
             }},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": app, "namespace": ns, "labels": labels},
             "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": app},
                      "ports": [{"name": "http", "port": port, "targetPort": "http", "appProtocol": "http"}]}},
            {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": app, "namespace": ns},
             "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": app}}}},
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": {"name": f"{app}-ingress", "namespace": ns},
             "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": app}}, "policyTypes": ["Ingress"],
                      "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {
                          "kubernetes.io/metadata.name": "ingress-nginx"}}}],
                          "ports": [{"port": port, "protocol": "TCP"}]}]}},
        ]
    objects += [
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "litellm", "namespace": ns},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "litellm"},
                  "minReplicas": 2, "maxReplicas": 6,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                      "type": "Utilization", "averageUtilization": 70}}}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "chat", "namespace": ns},
         "spec": {"ingressClassName": "nginx",
                  "tls": [{"hosts": [f"{ns}.genai.example.com"], "secretName": "chat-tls"}],
                  "rules": [{"host": f"{ns}.genai.example.com", "http": {"paths": [{
                      "path": "/", "pathType": "Prefix",
                      "backend": {"service": {"name": "open-webui", "port": {"name": "http"}}}}]}}]}},
        {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
         "metadata": {"name": "litellm-db", "namespace": ns},
         "spec": {"refreshInterval": "1h",
                  "secretStoreRef": {"name": "aws-secrets-manager", "kind": "ClusterSecretStore"},
                  "target": {"name": "litellm-db", "creationPolicy": "Owner"},
                  "data": [{"secretKey": "url", "remoteRef": {"key": f"genai/{ns}/litellm-db", "property": "url"}}]}},
    ]
    return objects


def break_one(obj: dict[str, Any], variant: int) -> None:
    """Introduce the kind of mistake people make: a typo, a quoted number, an unquoted one."""
    spec = obj.get("spec")
    if obj["kind"] == "Deployment" and isinstance(spec, dict):
        if variant % 3 == 0:
            spec["replica"] = spec.pop("replicas")
        elif variant % 3 == 1:
            spec["replicas"] = str(spec["replicas"])
        else:
            spec["template"]["spec"]["containers"][0]["env"].append({"name": "WORKERS", "value": 4})
    elif obj["kind"] == "Service" and isinstance(spec, dict):
        spec["ports"][0]["port"] = str(spec["ports"][0]["port"])
    else:
        obj.setdefault("metadata", {})["labelz"] = {"a": "b"}


def generate(folder: Path, tenants: int) -> int:
    count = 0
    for index in range(tenants):
        objects = tenant_objects(index)
        for position, obj in enumerate(objects):
            if (index * len(objects) + position) % 19 == 7:
                break_one(obj, index + position)
        out = folder / f"tenant-{index:03d}"
        out.mkdir(parents=True, exist_ok=True)
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for obj in objects:
            by_kind.setdefault(obj["kind"], []).append(obj)
        for kind, items in by_kind.items():
            (out / f"{kind}.yaml").write_text(yaml.safe_dump_all(items, sort_keys=False), encoding="utf-8")
        count += len(objects)
    return count


# ------------------------------------------------------------------ comparison
def kubernetes_validate_verdict(obj: dict[str, Any], k8s_version: str) -> str:
    try:
        kubernetes_validate.validate(obj, k8s_version, strict=True)
    except kubernetes_validate.ValidationError:
        return "invalid"
    except kubernetes_validate.SchemaNotFoundError:
        return "no schema"
    return "valid"


def compare(folder: Path, k8s_version: str) -> int:
    started = time.perf_counter()
    manifests = read_paths([folder])
    read_seconds = time.perf_counter() - started
    if manifests.findings:
        print(f"{len(manifests.findings)} files failed to parse; first: {manifests.findings[0].message}")
    resources = manifests.resources
    target = Target(name=folder.name, k8s_version=k8s_version, resources=resources)

    validator = SchemaValidator(ValidatorOptions(), registry=SchemaRegistry())
    started = time.perf_counter()
    findings = list(validator.validate(target))
    ours_cold = time.perf_counter() - started
    started = time.perf_counter()
    list(validator.validate(target))
    ours_warm = time.perf_counter() - started

    invalid = {(f.file, f.line, f.api_version, f.kind, f.namespace, f.name) for f in findings}
    ours = ["invalid" if (r.file, r.line, *r.signature) in invalid else "valid" for r in resources]

    started = time.perf_counter()
    theirs = [kubernetes_validate_verdict(r.obj, k8s_version) for r in resources]
    theirs_seconds = time.perf_counter() - started

    compared = [(r, a, b) for r, a, b in zip(resources, ours, theirs, strict=True) if b != "no schema"]
    disagreements = [(r, a, b) for r, a, b in compared if a != b]
    n = len(resources)
    print(f"folder:                       {folder} (Kubernetes {k8s_version})")
    print(f"objects:                      {n} ({len(compared)} built-in, compared; "
          f"{n - len(compared)} custom resources, ours only)")
    print(f"verdicts (ours):              {dict(Counter(ours))}")
    print(f"YAML reading:                 {read_seconds:.3f} s ({n / read_seconds:,.0f} resources/s)")
    print(f"schema validator, first run:  {ours_cold:.4f} s ({n / ours_cold:,.0f} resources/s, "
          "includes compiling each schema once)")
    print(f"schema validator, warm:       {ours_warm:.4f} s ({n / ours_warm:,.0f} resources/s)")
    print(f"kubernetes-validate strict:   {theirs_seconds:.3f} s ({n / theirs_seconds:,.0f} resources/s)")
    ratio = theirs_seconds / ours_cold
    print(f"speed ratio (first run):      {ratio:,.0f}x faster (warm: {theirs_seconds / ours_warm:,.0f}x)")
    with_reading = n / (read_seconds + ours_cold)
    print(f"including YAML reading:       {with_reading:,.0f} resources/s (read + first run)")
    ok = True
    if disagreements:
        ok = False
        print(f"VERDICTS DIFFER for {len(disagreements)} objects:")
        for resource, a, b in disagreements[:20]:
            print(f"  {resource.file}:{resource.line} {resource.describe()}: ours={a} kubernetes-validate={b}")
    else:
        print(f"verdicts:                     identical for all {len(compared)} compared objects")
    for label, value, goal in (("speed ratio", ratio, GOAL_RATIO),
                               ("resources/s incl. reading", with_reading, GOAL_RATE_WITH_READING)):
        if value < goal:
            print(f"below goal: {label} {value:,.0f} < {goal:,.0f}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--k8s-version", default="1.30")
    parser.add_argument("--generate", action="store_true", help="write test manifests into FOLDER and stop")
    parser.add_argument("--tenants", type=int, default=40, help="with --generate: tenant namespaces to write")
    args = parser.parse_args(argv)
    if args.generate:
        count = generate(args.folder, args.tenants)
        print(f"wrote {count} objects for {args.tenants} tenants under {args.folder}")
        return 0
    return compare(args.folder, args.k8s_version)


if __name__ == "__main__":
    sys.exit(main())

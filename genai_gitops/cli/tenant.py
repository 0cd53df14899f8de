"""`genai-gitops tenant new`: onboard a customer with one file."""

from __future__ import annotations

import argparse
from pathlib import Path

from genai_gitops.cli.options import FROM_REPO_ROOT, UsageError, existing_file, usage_error
from genai_gitops.model.errors import ModelError, Problem
from genai_gitops.model.loader import load_inventory, load_tenant_file
from genai_gitops.model.rules import platform_rules
from genai_gitops.model.scaffold import tenant_yaml
from genai_gitops.model.tenant import UsageMode


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tenant", help="manage tenant files")
    tenant_sub = parser.add_subparsers(dest="tenant_command", required=True, metavar="ACTION")
    new = tenant_sub.add_parser("new", help="write a valid, commented tenant file")
    new.add_argument("id", help="tenant id (a DNS label; the namespace is tenant-<id>)")
    new.add_argument("--cluster", required=True, help="target cluster from the inventory")
    new.add_argument("--mode", required=True, choices=[m.value for m in UsageMode], help="usage mode")
    new.add_argument("--tenants", default="tenants", help="tenants folder")
    new.add_argument("--clusters", default="clusters.yaml", help="cluster inventory")
    new.add_argument("--database-endpoint", action="append", default=[], metavar="CIDR",
                     help="the tenant's own database block inside a data subnet (repeatable); Open WebUI's "
                          "database egress opens only these")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    new.set_defaults(handler=run_new)


def run_new(args: argparse.Namespace) -> int:
    try:
        existing_file(Path(args.clusters), "--clusters", FROM_REPO_ROOT)
    except UsageError as exc:
        return usage_error("tenant new", exc)
    inventory = load_inventory(args.clusters)
    path = Path(args.tenants) / f"{args.id}.yaml"
    cluster = inventory.by_name().get(args.cluster)
    if cluster is None:
        return usage_error("tenant new", UsageError(f"--cluster: unknown cluster {args.cluster!r} in "
                                                    f"{args.clusters}; use one of: "
                                                    + ", ".join(sorted(inventory.by_name()))))
    if path.exists() and not args.force:
        return usage_error("tenant new", UsageError(f"{path} exists; pass --force to overwrite"))
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text(tenant_yaml(args.id, cluster, UsageMode(args.mode), args.database_endpoint), encoding="utf-8")
    try:  # the file must load as written; never leave a broken one behind
        tenant = load_tenant_file(path)
        problems = [p for p in platform_rules([(str(path), tenant)], inventory) if p[1] != "id"]
        if problems:
            raise ModelError([Problem(*p) for p in problems])
    except ModelError:
        if previous is None:
            path.unlink()
        else:
            path.write_text(previous, encoding="utf-8")
        raise
    print(f"wrote {path}: edit names, quotas and secret paths, then `make synth` and open a PR")
    return 0

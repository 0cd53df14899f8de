"""`genai-gitops tenant new`: onboard a customer with one file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from genai_gitops.cli.options import FROM_REPO_ROOT, UsageError, existing_file, usage_error
from genai_gitops.model.base import DnsLabel
from genai_gitops.model.errors import ModelError, Problem
from genai_gitops.model.grammar import Cidr
from genai_gitops.model.loader import load_inventory, load_platform, load_tenant_file
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


def _checked(flag: str, value: str, grammar: Any) -> None:
    """A value the scaffold writes into YAML and a path: the model's own grammar, before any file exists
    (an id like `../x` or a CIDR holding a newline must never reach the file system or the YAML)."""
    try:
        TypeAdapter(grammar).validate_python(value)
    except ValidationError as exc:
        reason = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise UsageError(f"{flag}: {reason}") from None


def run_new(args: argparse.Namespace) -> int:
    try:
        existing_file(Path(args.clusters), "--clusters", FROM_REPO_ROOT)
        _checked("id", args.id, DnsLabel)
        for cidr in args.database_endpoint:
            _checked("--database-endpoint", cidr, Cidr)
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
        problems = [Problem(*p) for p in platform_rules([(str(path), tenant)], inventory) if p[1] != "id"]
        # and next to the tenants already there (hosts, database endpoints): what synth would refuse.
        # Problems of other files are theirs, not this command's.
        try:
            load_platform(args.tenants, args.clusters)
        except ModelError as exc:
            problems += [p for p in exc.problems if _same_file(p.file, path) and p not in problems]
        if problems:
            raise ModelError(problems)
    except ModelError:
        if previous is None:
            path.unlink()
        else:
            path.write_text(previous, encoding="utf-8")
        raise
    print(f"wrote {path}: edit names, quotas and secret paths, then `make synth` and open a PR")
    return 0


def _same_file(shown: str, path: Path) -> bool:
    try:
        return Path(shown).resolve() == path.resolve()
    except OSError:
        return False

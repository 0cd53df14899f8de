"""`genai-gitops rules list`: every rule the validators report, what it means and how to fix it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from genai_gitops.report.rules import RuleRegistry, markdown, rows

_HEADERS = ("id", "validator", "severity", "suppress", "what", "how to fix", "docs")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("rules", help="list the rules findings can name",
                            description="List every rule a validator can report: its id (as findings and "
                                        "ignore-check annotations name it), validator, default severity, "
                                        "whether it can be suppressed, what it means, how to fix it and its "
                                        "anchor in docs/rules.md.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list the rules", description="List the rules.")
    listing.add_argument("--output", choices=("text", "json", "markdown"), default="text",
                         help="text (default), json, or markdown (the source of docs/rules.md)")
    listing.add_argument("--policies", type=Path, default=Path("policies"), metavar="DIR",
                         help="list each Gatekeeper constraint under DIR as its own rule (default ./policies)")
    listing.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    registry = RuleRegistry.default(args.policies)
    if args.output == "markdown":
        sys.stdout.write(markdown(registry))
    elif args.output == "json":
        keys = ("id", "validator", "severity", "suppressible", "what", "fix", "docs")
        listed: list[dict[str, str | bool]] = []
        for row in rows(registry):
            item: dict[str, str | bool] = dict(zip(keys, row, strict=True))
            item["suppressible"] = item["suppressible"] == "yes"
            listed.append(item)
        sys.stdout.write(json.dumps(listed, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text(registry))
    return 0


def text(registry: RuleRegistry) -> str:
    """One block per rule: `id  severity  [never suppressed]`, then what, fix and anchor indented."""
    out = []
    for rule_id, _validator, severity, suppress, what, fix, doc in rows(registry):
        flag = "  never suppressed" if suppress == "never" else ""
        out += [f"{rule_id}  {severity}{flag}", f"    {what}", f"    fix: {fix}", f"    docs: {doc}"]
    return "\n".join(out) + "\n"

"""`genai-gitops`: a thin layer that parses options, calls the library and picks the exit code.

Exit codes (one place): 0 clean, 1 findings or invalid input data, 2 usage or internal error.
Each sub-command lives in its own module exposing `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from genai_gitops import __version__
from genai_gitops.model.errors import ModelError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# one module per sub-command, imported in this order (the order of `--help`)
COMMANDS = ("synth", "tenant", "validate", "check", "diff", "policy", "graph", "argocd", "rules")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genai-gitops", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"genai-gitops {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"genai_gitops.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ModelError as exc:
        print(f"error: invalid input data\n{exc}", file=sys.stderr)
        return EXIT_FINDINGS
    except KeyboardInterrupt:  # pragma: no cover
        return EXIT_ERROR

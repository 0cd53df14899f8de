"""`genai-gitops validate PATH...`: validate rendered manifests offline and write one report."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from genai_gitops.cli import EXIT_ERROR
from genai_gitops.report.progress import TerminalProgress
from genai_gitops.report.run import Report
from genai_gitops.report.writers import DEFAULT_WRITER, WRITERS, WriterOptions, get_writer, wants_colour
from genai_gitops.validation import check_validator_names, validate_paths
from genai_gitops.validators import registry
from genai_gitops.validators.registry import ValidatorOptions

DEFAULT_K8S_VERSION = "1.30"
DEFAULT_POLICIES = Path("policies")
CHECKOV_SKIPS = "checkov-skips.yaml"
_K8S_VERSION = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")


class UsageError(Exception):
    """A mistake on the command line: exit 2 with the message, before any validation."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate", help="validate manifest files or folders offline",
        description="Validate Kubernetes manifests (files or folders, e.g. dist/) offline and report the "
                    "findings. Exit 0 clean, 1 error findings, 2 usage or internal error.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="manifest file or folder (read recursively)")
    parser.add_argument("--k8s-version", default=DEFAULT_K8S_VERSION, metavar="X.Y",
                        help=f"Kubernetes version to validate against (default {DEFAULT_K8S_VERSION})")
    parser.add_argument("--policies", type=Path, metavar="DIR",
                        help=f"Gatekeeper policies and {CHECKOV_SKIPS} (default ./{DEFAULT_POLICIES} if it exists)")
    parser.add_argument("--only", metavar="NAMES",
                        help="comma-separated validators to run (default: all registered"
                             + (f": {', '.join(registry.VALIDATORS)})" if registry.VALIDATORS else ")"))
    parser.add_argument("--output", choices=list(WRITERS), default=DEFAULT_WRITER,
                        help=f"report format (default {DEFAULT_WRITER})")
    parser.add_argument("--output-file", type=Path, metavar="FILE", help="write the report here instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        names = _parse_only(args.only)
        options = _validator_options(args.policies)
        k8s_version = _parse_k8s_version(args.k8s_version)
        report = validate_paths(args.paths, k8s_version=k8s_version, validator_names=names, options=options,
                                progress=TerminalProgress(sys.stderr))
    except (UsageError, ValueError, FileNotFoundError) as exc:
        print(f"genai-gitops validate: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        _write(report, args.output, args.output_file)
    except OSError as exc:
        print(f"genai-gitops validate: error: cannot write {args.output_file}: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_ERROR
    return report.exit_code()


def _parse_only(only: str | None) -> tuple[str, ...] | None:
    if only is None:
        return None
    names = [name.strip() for name in only.split(",") if name.strip()]
    if not names:
        raise UsageError("--only needs at least one validator name")
    try:
        return check_validator_names(names)
    except ValueError as exc:
        raise UsageError(f"--only: {exc}") from None


def _parse_k8s_version(value: str) -> str:
    match = _K8S_VERSION.fullmatch(value.strip())
    if not match:
        raise UsageError(f"--k8s-version: {value!r} is not a Kubernetes version; write it like 1.30")
    return match.group(1)


def _validator_options(policies: Path | None) -> ValidatorOptions:
    if policies is None:
        if not DEFAULT_POLICIES.is_dir():
            return ValidatorOptions()
        policies = DEFAULT_POLICIES
    elif not policies.is_dir():
        raise UsageError(f"--policies: {policies} is not a folder")
    skips = policies / CHECKOV_SKIPS
    return ValidatorOptions(policy_paths=(policies,), checkov_skips=skips if skips.is_file() else None)


def _write(report: Report, output: str, output_file: Path | None) -> None:
    if output_file is None:
        writer = get_writer(output, WriterOptions(colour=output == "text" and wants_colour(sys.stdout)))
        sys.stdout.write(writer.render(report))
        sys.stdout.flush()
        return
    text = get_writer(output, WriterOptions()).render(report)
    output_file.parent.mkdir(parents=True, exist_ok=True)
    output_file.write_text(text, encoding="utf-8")
    # the report went to a file: the CI log still says how the run went
    print(report.summary(), file=sys.stderr)

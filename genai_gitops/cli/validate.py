"""`genai-gitops validate PATH...`: validate rendered manifests offline and write one report.

`-` as a PATH reads manifests from stdin (as kubeconform and kube-linter do), e.g.
`helm template ... | genai-gitops validate -`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from genai_gitops import safeyaml
from genai_gitops.cli.options import (
    UsageError,
    add_report_arguments,
    resolve,
    select_validators,
    usage_error,
    write_report,
)
from genai_gitops.report.progress import SilentProgress, progress_for
from genai_gitops.validation import STDIN, validate_paths
from genai_gitops.validators.registry import ValidatorOptions

DEFAULT_K8S_VERSION = "1.30"
DEFAULT_POLICIES = Path("policies")
CHECKOV_SKIPS = "checkov-skips.yaml"
_K8S_VERSION = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate", help="validate manifest files or folders offline ('-' reads stdin)",
        description="Validate Kubernetes manifests (files or folders, e.g. dist/; '-' reads them from stdin) "
                    "offline and report the findings. Exit 0 clean, 1 findings (errors, or warnings with "
                    "--fail-on warning), 2 usage or internal error. Defaults can be set in .genai-gitops.yaml.")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="manifest file or folder (read recursively); - for stdin")
    parser.add_argument("--k8s-version", metavar="X.Y",
                        help=f"Kubernetes version to validate against (default {DEFAULT_K8S_VERSION})")
    parser.add_argument("--policies", type=Path, metavar="DIR",
                        help=f"Gatekeeper policies and {CHECKOV_SKIPS} (default ./{DEFAULT_POLICIES} if it exists)")
    add_report_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = resolve(args, "validate", Path("."))
        names = select_validators(settings["only"], settings["skip"])
        defaults = settings["defaults"]
        policies = args.policies or (Path(defaults["policies"]) if "policies" in defaults else None)
        options = _validator_options(policies)
        k8s_version = _parse_k8s_version(args.k8s_version or defaults.get("k8s_version", DEFAULT_K8S_VERSION))
        if args.paths.count(STDIN) > 1:
            raise UsageError("'-' (stdin) can be given only once")
        stdin_text = _read_stdin() if STDIN in args.paths else None
        progress = SilentProgress() if args.quiet else progress_for(sys.stderr)
        report = validate_paths(args.paths, k8s_version=k8s_version, validator_names=names, options=options,
                                progress=progress, stdin_text=stdin_text)
        write_report(report, settings["output"], settings["output_file"], quiet=args.quiet)
    except (UsageError, FileNotFoundError) as exc:
        return usage_error("validate", UsageError(str(exc)))
    return report.exit_code(fail_on=settings["fail_on"])


def _parse_k8s_version(value: str) -> str:
    """'1.30', 'v1.30.2' -> '1.30...'; a version without bundled schemas is one usage error here, not an
    error on every object later."""
    from genai_gitops.validators.schema.registry import SchemaRegistry, minor_version

    match = _K8S_VERSION.fullmatch(value.strip())
    if not match:
        raise UsageError(f"--k8s-version: {value!r} is not a Kubernetes version; write it like 1.30")
    registry = SchemaRegistry()
    if minor_version(match.group(1)) not in registry.bundled_versions():
        raise UsageError(f"--k8s-version: no schemas are bundled for Kubernetes {value} "
                         f"(bundled: {registry.bundled_range()}); pick one of those")
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


def _read_stdin() -> str | bytes:
    """Bounded as a file is: a stream larger than the limit is refused on its first MiB, never held whole
    (`yes | genai-gitops validate -` ends). Bytes where stdin has them, so encoding is checked as a file's."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read(safeyaml.MAX_BYTES + 1))
    return sys.stdin.read(safeyaml.MAX_BYTES + 1)

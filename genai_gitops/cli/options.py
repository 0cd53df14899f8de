"""Options `check` and `validate` share: validator selection, report format and file, `--fail-on`,
`--quiet`, `--config`; each resolved as flag > `.genai-gitops.yaml` > built-in default.

Every mistake here is a UsageError naming the flag (or the config key) at fault: exit 2, one message,
before any work starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from genai_gitops.config import ConfigError, ProjectConfig, find_config, load_config
from genai_gitops.report.finding import Severity
from genai_gitops.report.run import Report
from genai_gitops.report.writers import DEFAULT_WRITER, WRITERS, WriterOptions, get_writer, wants_colour
from genai_gitops.validation import check_validator_names
from genai_gitops.validators import registry

FAIL_ON = ("error", "warning")


class UsageError(Exception):
    """A mistake on the command line or in the config file: exit 2 with the message, before any validation."""


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags `check` and `validate` share. Defaults are None: the config file fills what is not given."""
    names = ", ".join(registry.VALIDATORS) if registry.VALIDATORS else "see --help"
    parser.add_argument("--only", metavar="NAMES", help=f"comma-separated validators to run ({names})")
    parser.add_argument("--skip", metavar="NAMES", help="comma-separated validators to leave out (e.g. checkov)")
    parser.add_argument("--output", choices=list(WRITERS), metavar="FORMAT",
                        help=f"report format: {', '.join(WRITERS)} (default {DEFAULT_WRITER})")
    parser.add_argument("--output-file", type=Path, metavar="FILE",
                        help="write the report here (always written, also when the input data is invalid)")
    parser.add_argument("--fail-on", choices=FAIL_ON, metavar="SEVERITY",
                        help="exit 1 on findings of this severity or worse: error (default) or warning")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress and no summary on stderr (the report itself is unchanged)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="project config file (default ./.genai-gitops.yaml if present)")


def resolve(args: argparse.Namespace, command: str, folder: Path) -> dict[str, Any]:
    """args + config defaults -> one mapping of settings (config keys use underscores, like the flags' dests)."""
    try:
        config: ProjectConfig = load_config(find_config(args.config, folder))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    defaults = config.defaults(command)
    settings: dict[str, Any] = {}
    for key in ("only", "skip"):
        flag = getattr(args, key)
        if flag is not None:
            settings[key] = (_split(flag, f"--{key}"), f"--{key}")
        elif key in defaults:
            settings[key] = (tuple(defaults[key]), f"{config.path}: {command}.{key}")
        else:
            settings[key] = (None, f"--{key}")
    output = args.output or defaults.get("output", DEFAULT_WRITER)
    if output not in WRITERS:
        raise UsageError(f"{config.path}: {command}.output: unknown format {output!r}; use one of {', '.join(WRITERS)}")
    fail_on = args.fail_on or defaults.get("fail_on", "error")
    if fail_on not in FAIL_ON:
        raise UsageError(f"{config.path}: {command}.fail_on: {fail_on!r} is not error or warning")
    output_file = args.output_file or (Path(defaults["output_file"]) if "output_file" in defaults else None)
    settings.update(output=output, output_file=output_file, fail_on=Severity(fail_on), defaults=defaults,
                    config=config.path)
    return settings


def _split(value: str, flag: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    if not names:
        raise UsageError(f"{flag} needs at least one validator name, e.g. {flag} schema,policy")
    return names


def select_validators(only: tuple[tuple[str, ...] | None, str], skip: tuple[tuple[str, ...] | None, str]
                      ) -> tuple[str, ...]:
    """`--only` (default: all) minus `--skip`; an unknown name is blamed on the flag that gave it, and a
    selection that leaves nothing to run is an error rather than a silent, clean exit 0."""
    (chosen, only_source), (skipped, skip_source) = only, skip
    for names, source in ((chosen, only_source), (skipped, skip_source)):
        if names is not None:
            try:
                check_validator_names(names)
            except ValueError as exc:
                raise UsageError(f"{source}: {exc}") from None
    selected = check_validator_names(chosen)
    remaining = tuple(n for n in selected if n not in set(skipped or ()))
    if not remaining:
        raise UsageError(f"{skip_source} leaves no validator to run (it removes every one "
                         f"{only_source if chosen is not None else 'there is'} chose: {', '.join(selected)})")
    return remaining


def write_report(report: Report, output: str, output_file: Path | None, *, quiet: bool) -> None:
    """The report to stdout, or to `output_file` (always written). The one-line summary goes to stderr
    when the report went to a file or is not text: a CI log then still says how the run went."""
    if output_file is None:
        writer = get_writer(output, WriterOptions(colour=output == "text" and wants_colour(sys.stdout)))
        sys.stdout.write(writer.render(report))
        sys.stdout.flush()
    else:
        text = get_writer(output, WriterOptions()).render(report)
        try:
            output_file.parent.mkdir(parents=True, exist_ok=True)
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output-file: cannot write {output_file}: {exc.strerror or exc}") from None
    if not quiet and (output_file is not None or output != "text"):
        print(report.summary(), file=sys.stderr)


def existing_folder(path: Path, flag: str, hint: str = "") -> Path:
    if not path.is_dir():
        what = "does not exist" if not os.path.lexists(path) else "is not a folder"
        raise UsageError(f"{flag}: {path} {what}{hint}")
    return path


def existing_file(path: Path, flag: str, hint: str = "") -> Path:
    if not path.is_file():
        what = "does not exist" if not os.path.lexists(path) else "is not a file"
        raise UsageError(f"{flag}: {path} {what}{hint}")
    return path


#: where a missing default data location most likely comes from
FROM_REPO_ROOT = " (run from the repository root, or pass the flag)"


def usage_error(command: str, exc: UsageError) -> int:
    for line in str(exc).splitlines():
        print(f"genai-gitops {command}: error: {line}", file=sys.stderr)
    return 2


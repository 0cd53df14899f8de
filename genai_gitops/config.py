"""The project config file, `.genai-gitops.yaml`: defaults for `check` and `validate`, flags win.

    # .genai-gitops.yaml
    check:
      fail_on: warning       # error | warning
      output: sarif
    validate:
      k8s_version: "1.30"
      only: [schema, policy]
      output: sarif

Like kube-linter's `.kube-linter.yaml`, it is read from the working folder (`check` reads it from
`--repo`), or from `--config FILE`. A typo must not silently fall back to a default: unknown
sections and keys are errors that name the file, the key and what is allowed.

The file lives in the repository a pull request changes, so it can never narrow the PR check: the
`check` section accepts no `only`/`skip` (validators are chosen on the command line only) and
`fail_on` may only tighten the verdict. `validate` is not a gate and takes both.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_gitops import safeyaml

CONFIG_FILE = ".genai-gitops.yaml"

#: section -> key -> (type check, what to write): every key a command accepts from the file
_LIST = "a list of validator names, e.g. [schema, policy]"
SCHEMA: dict[str, dict[str, str]] = {
    "check": {"output": "an output format", "output_file": "a file path",
              "fail_on": "error or warning", "workers": "a number of processes, e.g. 2", "cache": "true or false"},
    "validate": {"only": _LIST, "skip": _LIST, "output": "an output format", "output_file": "a file path",
                 "fail_on": "error or warning", "k8s_version": 'a Kubernetes version in quotes, e.g. "1.30"',
                 "policies": "a folder path"},
}
_LIST_KEYS = {"only", "skip"}
_INT_KEYS = {"workers"}
_BOOL_KEYS = {"cache"}


class ConfigError(Exception):
    """The config file is unreadable or has an unknown or mistyped key: a usage error (exit 2)."""


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None = None
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def defaults(self, command: str) -> dict[str, Any]:
        return dict(self.sections.get(command, {}))


def find_config(explicit: Path | None, folder: Path) -> Path | None:
    """`--config FILE` when given (it must exist), else `folder/.genai-gitops.yaml` when present."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"--config: {explicit} is not a file")
        return explicit
    candidate = folder / CONFIG_FILE
    return candidate if candidate.is_file() else None


def load_config(path: Path | None) -> ProjectConfig:
    if path is None:
        return ProjectConfig()
    try:
        data = safeyaml.load_yaml(safeyaml.read_file(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except safeyaml.InputError as exc:
        where = f"line {exc.line}: " if exc.line is not None else ""
        raise ConfigError(f"{path}: {where}{exc.message}") from None
    if data is None:
        return ProjectConfig(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected sections {', '.join(SCHEMA)}, got a {type(data).__name__}")
    problems: list[str] = []
    sections: dict[str, dict[str, Any]] = {}
    for name, body in data.items():
        if name not in SCHEMA:
            problems.append(f"{path}: {name}: unknown section{_hint(str(name), SCHEMA)}; "
                            f"allowed: {', '.join(SCHEMA)}")
            continue
        if not isinstance(body, dict):
            problems.append(f"{path}: {name}: expected a mapping of options, e.g. {name}: {{output: json}}")
            continue
        sections[name] = {}
        for key, value in body.items():
            allowed = SCHEMA[name]
            if name == "check" and key in _LIST_KEYS:
                problems.append(f"{path}: check.{key}: not allowed here: a change to the repository must not "
                                "narrow its own PR check; choose validators on the command line (--only, --skip)")
            elif key not in allowed:
                problems.append(f"{path}: {name}.{key}: unknown key{_hint(str(key), allowed)}; "
                                f"allowed: {', '.join(allowed)}")
            elif (error := _type_error(key, value)) is not None:
                problems.append(f"{path}: {name}.{key}: {error}; write {allowed[key]}")
            else:
                sections[name][key] = value
    if problems:
        raise ConfigError("\n".join(problems))
    return ProjectConfig(path, sections)


def _type_error(key: str, value: Any) -> str | None:
    if key in _LIST_KEYS:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif key in _INT_KEYS:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    elif key in _BOOL_KEYS:
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    return None if ok else f"got {value!r}"


def _hint(word: str, allowed: dict[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""

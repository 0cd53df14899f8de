"""Output writers, one module per format, chosen by name (`--output`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from genai_gitops.report.writers.base import ReportWriter, WriterOptions
from genai_gitops.report.writers.json import JsonWriter
from genai_gitops.report.writers.junit import JUnitWriter
from genai_gitops.report.writers.markdown import MarkdownWriter
from genai_gitops.report.writers.sarif import SarifWriter
from genai_gitops.report.writers.text import TextWriter

#: `--output` name -> writer class; the first one is the default
WRITERS: dict[str, type[ReportWriter]] = {
    "text": TextWriter,
    "json": JsonWriter,
    "junit": JUnitWriter,
    "sarif": SarifWriter,
    "markdown": MarkdownWriter,
}
DEFAULT_WRITER = "text"


def get_writer(name: str, options: WriterOptions | None = None) -> ReportWriter:
    try:
        cls = WRITERS[name]
    except KeyError:
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(WRITERS)}") from None
    return cls(options if options is not None else WriterOptions())


def wants_colour(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour only for a person at a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if environ.get("NO_COLOR"):  # no-color.org: present and non-empty
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


__all__ = ["DEFAULT_WRITER", "WRITERS", "ReportWriter", "WriterOptions", "get_writer", "wants_colour"]

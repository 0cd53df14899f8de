"""A one-line progress indicator for long runs, on an interactive stderr only.

Progress is never part of the report: CI logs and piped output stay byte-for-byte deterministic.
"""

from __future__ import annotations

from typing import Protocol, TextIO


class Progress(Protocol):
    def update(self, done: int, total: int, label: str) -> None:
        """`done` of `total` steps are finished; `label` names the step starting now."""

    def close(self) -> None:
        """The run is over: clear whatever was drawn."""


class SilentProgress:
    def update(self, done: int, total: int, label: str) -> None:
        pass

    def close(self) -> None:
        pass


class TerminalProgress:
    """Redraws `validating 3/12: policy on eu-1` in place; draws nothing unless `stream` is a TTY."""

    _CLEAR_LINE = "\r\x1b[K"

    def __init__(self, stream: TextIO, *, noun: str = "validating") -> None:
        self._stream = stream
        self._noun = noun
        self._enabled = _is_tty(stream)
        self._drawn = False

    def update(self, done: int, total: int, label: str) -> None:
        if not self._enabled:
            return
        text = f"{self._noun} {done}/{total}"
        self._stream.write(f"{self._CLEAR_LINE}{text}: {label}" if label else f"{self._CLEAR_LINE}{text}")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._stream.write(self._CLEAR_LINE)
            self._stream.flush()
            self._drawn = False


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False

"""Progress for long runs (phases, a bar), on an interactive stderr only.

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


class RichProgress:
    """Phases and a progress bar on an interactive stderr, drawn by rich; cleared when the run ends.

    `update(0, 0, label)` announces a phase of unknown length (loading data, the drift synth): a
    spinner with the label. `update(done, total, label)` with a total draws a bar.
    """

    def __init__(self, stream: TextIO, *, noun: str = "validating") -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                                  console=Console(file=stream, stderr=True), transient=True)
        self._noun = noun
        self._task = self._progress.add_task(noun, total=None)
        self._started = False

    def update(self, done: int, total: int, label: str) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        counted = f"{self._noun} {done}/{total}" if total else self._noun
        description = f"{counted}: {label}" if label else counted
        self._progress.update(self._task, description=description, completed=done, total=total or None)

    def close(self) -> None:
        if self._started:
            self._progress.stop()
            self._started = False


def progress_for(stream: TextIO, *, noun: str = "validating") -> Progress:
    """Rich progress when `stream` is a terminal, nothing otherwise (CI logs stay deterministic)."""
    return RichProgress(stream, noun=noun) if _is_tty(stream) else SilentProgress()

"""Progress draws on an interactive stderr only."""

from __future__ import annotations

import io

from genai_gitops.report.progress import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress.update(120, 1000, "schema")
    progress.close()
    assert stream.getvalue() == ""


def test_redraws_one_line_and_clears_it_at_the_end():
    stream = Terminal()
    progress = TerminalProgress(stream)
    progress.update(120, 1000, "schema on eu-1")
    progress.update(121, 1000, "")
    progress.close()
    assert stream.getvalue() == ("\r\x1b[Kvalidating 120/1000: schema on eu-1"
                                 "\r\x1b[Kvalidating 121/1000"
                                 "\r\x1b[K")


def test_close_without_updates_writes_nothing():
    stream = Terminal()
    TerminalProgress(stream).close()
    assert stream.getvalue() == ""

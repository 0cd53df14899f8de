"""safeyaml.read_bytes: a file's bytes up to MAX_BYTES + 1, whatever its size says."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_gitops import safeyaml


@pytest.mark.parametrize("size", [0, 1, 4095, 65536 * 3 + 7, safeyaml.MAX_BYTES, safeyaml.MAX_BYTES + 1,
                                  safeyaml.MAX_BYTES + 100])
def test_reads_the_whole_file_or_one_byte_past_the_limit(tmp_path: Path, size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    (tmp_path / "f.yaml").write_bytes(data)
    assert safeyaml.read_bytes(tmp_path / "f.yaml") == data[:safeyaml.MAX_BYTES + 1]


def test_reads_past_a_size_that_says_less() -> None:
    """A file whose size says 0 but holds text (as /proc files do) is read to its end, not to its size."""
    status = Path("/proc/self/status")
    if not status.exists() or status.stat().st_size != 0:
        pytest.skip("needs Linux /proc")
    assert safeyaml.read_bytes(status).startswith(b"Name:") and len(safeyaml.read_bytes(status)) > 100

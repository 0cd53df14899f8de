"""cache.digest hashes text parts in one update: the same digest as one update per part and NUL."""

from __future__ import annotations

import hashlib
import random

from genai_gitops.cache import digest


def streamed(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def test_same_digest_as_one_update_per_part() -> None:
    rng = random.Random(15)
    alphabet = "ab:/\0é€\n"
    cases = [(), ("",), ("", ""), ("a\0", "b"), ("a", "\0b"), (b"x", "y"), (b"",), ("ümlaut", b"\xff")]
    cases += [tuple("".join(rng.choice(alphabet) for _ in range(rng.randrange(6))) for _ in range(rng.randrange(5)))
              for _ in range(500)]
    # sample size: 508 part lists, text, bytes and mixed
    for parts in cases:
        assert digest(*parts) == streamed(*parts), parts

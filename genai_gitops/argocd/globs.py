"""Globs as Argo CD matches them (gobwas/glob): AppProject destinations and source repositories, and the
include/exclude of a directory source."""

from __future__ import annotations

import re
from functools import lru_cache

#: characters _glob_regex gives a meaning (`}` and `,` only inside `{...}`)
_GLOB_SPECIAL = re.compile(r"[*?\[{\\]")


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str, separators: str) -> re.Pattern[str]:
    """gobwas/glob: `*` (not across separators), `**`, `?`, `[a-z]`/`[!a-z]`, `{a,b}`, `\\` escapes."""
    sep = re.escape(separators)
    any_char = f"[^{sep}]" if separators else "."
    out, i, depth = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 1
            else:
                out.append(f"{any_char}*")
        elif c == "?":
            out.append(any_char)
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:end]
                negate = body.startswith("!")
                chars = re.escape(body[1:] if negate else body).replace("\\-", "-")
                out.append(f"[{'^' if negate else ''}{chars}]")
                i = end
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def glob_match(pattern: str, value: str, *, negation: bool = True, separators: str = "") -> bool:
    """Argo CD's globMatch: a leading `!` inverts the match; `*` alone matches anything."""
    if negation and pattern.startswith("!"):
        return not glob_match(pattern[1:], value, negation=False, separators=separators)
    if pattern == "*":
        return True
    if not _GLOB_SPECIAL.search(pattern):
        return pattern == value  # what the regex of a pattern without special characters matches
    return _glob_regex(pattern, separators).match(value) is not None

"""Globs: one matcher per dialect, each named for the upstream function it mirrors.

The same pattern means different things to different tools, and each check must read a pattern the
way the tool it predicts will. Every matcher takes (pattern, value).

go_path_match              Go `path.Match` (`filepath.Match` on Linux): `*` and `?` stay within a `/` segment,
                           `**` is two `*`, `[a-z]` and `[^a]` classes, `\\` escapes, no `{a,b}`. Argo CD's git
                           directory generator (`path.Match`) and AppProject kind/group/name lists
                           (`isResourceInList`: `filepath.Match`).
git_pathspec_match         `git ls-files -- <pathspec>` (git's wildmatch without WM_PATHNAME): `*` and `?` cross
                           `/`, `[a-z]`, `[!a]` and `[^a]`, `\\` escapes, no `{a,b}`. Argo CD's git files
                           generator, whose default globbing is `git ls-files --full-name -z -- <path>`.
argocd_glob_match          Argo CD `util/glob.Match` (gobwas/glob) behind AppProject's `globMatch`: `*` stops at
                           the given separators only, `**` crosses them, `[a-z]` and `[!a]`, `{a,b}`, `\\`
                           escapes, a leading `!` negates. AppProject destinations and sourceRepos, a directory
                           source's include/exclude.
gatekeeper_wildcard_match  Gatekeeper `wildcard.Wildcard.Matches`: `x*` prefix, `*x` suffix, `*x*` contains, else
                           equality (no `?`, no classes, no `*` inside). Config `excludedNamespaces`, a
                           constraint's `namespaces`/`excludedNamespaces`.
shell_match                Python `fnmatch.fnmatchcase`: `*` crosses `/`, `[!a]`, no escapes. This project's own
                           patterns: rule-id families (`checkov/CKV*`), checkov skip resources.
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache


class GlobSyntaxError(ValueError):
    """A malformed pattern (Go's ErrBadPattern)."""


# -- Go path.Match --------------------------------------------------------------------------------

@lru_cache(maxsize=512)
def go_path_regex(pattern: str) -> re.Pattern[str]:
    """Go's path.Match as a regex: `*`/`?` stay within a segment, `[...]` classes (`^` negates) may match
    `/`, `\\` escapes. GlobSyntaxError for what Go calls a bad pattern."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            if i + 1 >= len(pattern):
                raise GlobSyntaxError(f"syntax error in pattern {pattern!r}")
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif c == "[":
            end = i + 1
            if end < len(pattern) and pattern[end] == "^":
                end += 1
            if end < len(pattern) and pattern[end] == "]":
                raise GlobSyntaxError(f"syntax error in pattern {pattern!r}")
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            if end >= len(pattern):
                raise GlobSyntaxError(f"syntax error in pattern {pattern!r}")
            body = pattern[i + 1:end]
            negate = body.startswith("^")
            chars = re.sub(r"\\(.)", lambda m: re.escape(m.group(1)), body[1:] if negate else body)
            out.append(f"[{'^' if negate else ''}{chars}]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def go_path_match(pattern: str, name: str) -> bool:
    """Go's path.Match(pattern, name); GlobSyntaxError for a malformed pattern."""
    return go_path_regex(pattern).match(name) is not None


# -- git pathspec ---------------------------------------------------------------------------------

@lru_cache(maxsize=512)
def _pathspec_regex(pattern: str) -> re.Pattern[str] | None:
    """git's wildmatch without WM_PATHNAME (a pathspec's default): `*` and `?` cross `/`, `[...]` (`!` or
    `^` negates) and `\\` escapes. None for what wildmatch aborts on (an unclosed `[`, a trailing `\\`):
    such a pattern matches nothing."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "\\":
            if i + 1 >= len(pattern):
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif c == "[":
            end = i + 1
            negate = end < len(pattern) and pattern[end] in "!^"
            end += negate
            start = end
            chars = []
            while end < len(pattern) and (pattern[end] != "]" or end == start):
                if pattern[end] == "\\" and end + 1 < len(pattern):
                    end += 1
                chars.append(re.escape(pattern[end]) if pattern[end] != "-" else "-")
                end += 1
            if end >= len(pattern):
                return None
            out.append(f"[{'^' if negate else ''}{''.join(chars)}]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def git_pathspec_match(pattern: str, path: str) -> bool:
    """Whether `git ls-files -- <pattern>` lists `path` by glob (a literal pathspec also lists every
    file below a folder it names: the caller's part)."""
    regex = _pathspec_regex(pattern)
    return regex is not None and regex.match(path) is not None


# -- Argo CD (gobwas/glob) ------------------------------------------------------------------------

#: characters _argocd_regex gives a meaning (`}` and `,` only inside `{...}`)
_GOBWAS_SPECIAL = re.compile(r"[*?\[{\\]")


@lru_cache(maxsize=1024)
def _argocd_regex(pattern: str, separators: str) -> re.Pattern[str]:
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


def argocd_glob_match(pattern: str, value: str, *, negation: bool = True, separators: str = "") -> bool:
    """Argo CD's globMatch: with `negation` a leading `!` inverts the match; `*` alone matches anything;
    else gobwas/glob compiled with `separators` (util/glob.Match)."""
    if negation and pattern.startswith("!"):
        return not argocd_glob_match(pattern[1:], value, negation=False, separators=separators)
    if pattern == "*":
        return True
    if not _GOBWAS_SPECIAL.search(pattern):
        return pattern == value  # what the regex of a pattern without special characters matches
    return _argocd_regex(pattern, separators).match(value) is not None


# -- Gatekeeper -----------------------------------------------------------------------------------

def gatekeeper_wildcard_match(pattern: str, candidate: str) -> bool:
    """Gatekeeper's Wildcard.Matches: `*x*` contains, `*x` suffix, `x*` prefix, else equality."""
    if pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in candidate if len(pattern) > 1 else True
    if pattern.startswith("*"):
        return candidate.endswith(pattern[1:])
    if pattern.endswith("*"):
        return candidate.startswith(pattern[:-1])
    return pattern == candidate


def gatekeeper_generate_name_match(pattern: str, candidate: str) -> bool:
    """Gatekeeper's Wildcard.MatchesGenerateName: only `*x*` and `x*` can match a generateName."""
    if pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in candidate if len(pattern) > 1 else True
    if pattern.endswith("*"):
        return candidate.startswith(pattern[:-1])
    return False


# -- this project's own patterns ------------------------------------------------------------------

def shell_match(pattern: str, value: str) -> bool:
    """Shell-style (Python's fnmatch, case-sensitive): the project's own patterns, e.g. `checkov/CKV*`."""
    return fnmatch.fnmatchcase(value, pattern)

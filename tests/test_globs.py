"""One matcher per glob dialect (genai_gitops/globs.py), on cases where the dialects differ."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from genai_gitops.globs import (
    GlobSyntaxError,
    argocd_glob_match,
    gatekeeper_generate_name_match,
    gatekeeper_wildcard_match,
    git_pathspec_match,
    go_path_match,
    shell_match,
)

DIALECTS: dict[str, Callable[[str, str], bool]] = {
    "go": go_path_match,
    "git": git_pathspec_match,
    "argocd": argocd_glob_match,
    "argocd/": lambda pattern, value: argocd_glob_match(pattern, value, separators="/"),
    "gatekeeper": gatekeeper_wildcard_match,
    "shell": shell_match,
}


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    # `*` crossing `/`: Go and gobwas with "/" as separator stop there; git pathspecs and fnmatch do not
    ("dist/*", "dist/eu/x", {"go": False, "git": True, "argocd": True, "argocd/": False, "gatekeeper": True,
                             "shell": True}),
    # `**`: only gobwas gives it a meaning of its own (across separators); Gatekeeper reads prefix `dist/*`
    ("dist/**", "dist/eu/x", {"go": False, "git": True, "argocd": True, "argocd/": True, "gatekeeper": False,
                              "shell": True}),
    # `?`: one character everywhere but in Gatekeeper, where it is itself
    ("tenant-?", "tenant-a", {"go": True, "git": True, "argocd": True, "argocd/": True, "gatekeeper": False,
                              "shell": True}),
    # `[^a-c]` negates in Go and git; gobwas and fnmatch negate with `!` only
    ("[^a-c]eta", "zeta", {"go": True, "git": True, "argocd": False, "argocd/": False, "gatekeeper": False,
                           "shell": False}),
    ("[!a-c]eta", "zeta", {"go": False, "git": True, "argocd": True, "argocd/": True, "gatekeeper": False,
                           "shell": True}),
    # `{a,b}` alternatives: gobwas only
    ("*.{yaml,json}", "app.json", {"go": False, "git": False, "argocd": True, "argocd/": True, "gatekeeper": False,
                                   "shell": False}),
    # `\\*` is a literal star where `\\` escapes (not in fnmatch, nor Gatekeeper whose `*` ends the pattern)
    ("dist/\\*", "dist/*", {"go": True, "git": True, "argocd": True, "argocd/": True, "gatekeeper": False,
                            "shell": False}),
    # a `*` inside: a glob everywhere but in Gatekeeper (a prefix, a suffix or a substring only)
    ("ten*ant", "tenXant", {"go": True, "git": True, "argocd": True, "argocd/": True, "gatekeeper": False,
                            "shell": True}),
    ("*-system", "kube-system", {"go": True, "git": True, "argocd": True, "argocd/": True, "gatekeeper": True,
                                 "shell": True}),
])
def test_each_dialect_reads_a_pattern_as_its_tool_does(pattern: str, value: str, expected: dict[str, bool]) -> None:
    assert {name: match(pattern, value) for name, match in DIALECTS.items()} == expected


def test_go_path_match_refuses_what_go_calls_a_bad_pattern() -> None:
    assert go_path_match("dist/*/tenant-?", "dist/eu/tenant-a")
    assert go_path_match("dist/[a-c]*", "dist/beta") and not go_path_match("dist/[^a-c]*", "dist/beta")
    for bad in ("dist/[a", "dist/[]a]", "dist\\"):
        with pytest.raises(GlobSyntaxError, match="syntax error in pattern"):
            go_path_match(bad, "dist/a")


def test_a_git_pathspec_wildmatch_aborts_on_matches_nothing() -> None:
    assert not git_pathspec_match("config/[a", "config/[a")
    assert not git_pathspec_match("config\\", "config\\")
    assert git_pathspec_match("config/[]x]", "config/]")  # `]` first in a class is itself


@pytest.mark.parametrize(("pattern", "value", "separators", "expected"), [
    ("*", "anything/at/all", "", True),
    ("tenant-*", "tenant-acme", "", True),
    ("!tenant-*", "tenant-acme", "", False),
    ("https://github.com/example-org/*", "https://github.com/example-org/repo", "/", True),
    ("https://github.com/example-org/*", "https://github.com/example-org/a/b", "/", False),
    ("https://github.com/**", "https://github.com/example-org/a/b", "/", True),
    ("customer-{eu,us}-?", "customer-us-1", "", True),
])
def test_argocd_globs_match_like_argo_cd(pattern: str, value: str, separators: str, expected: bool) -> None:
    assert argocd_glob_match(pattern, value, separators=separators) is expected


def test_a_directory_include_has_no_negation() -> None:
    assert argocd_glob_match("!x", "y") and not argocd_glob_match("!x", "y", negation=False)


@pytest.mark.parametrize(("pattern", "candidate", "expected"), [
    ("kube-*", "kube-system", True), ("kube-*", "tenant-kube", False), ("*-system", "kube-system", True),
    ("*mid*", "a-mid-b", True), ("*", "anything", True), ("exact", "exact", True), ("exact", "exact2", False),
])
def test_gatekeeper_wildcards(pattern: str, candidate: str, expected: bool) -> None:
    assert gatekeeper_wildcard_match(pattern, candidate) is expected


def test_a_gatekeeper_generate_name_matches_by_prefix_or_substring_only() -> None:
    assert gatekeeper_generate_name_match("web-*", "web-")
    assert gatekeeper_generate_name_match("*eb*", "web-")
    assert not gatekeeper_generate_name_match("*-", "web-")  # a suffix cannot be known before the name is
    assert not gatekeeper_generate_name_match("web-", "web-")

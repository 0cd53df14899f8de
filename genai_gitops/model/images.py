"""Image references and repository prefixes, read the way a container runtime reads them.

Trust is per repository, never per registry host: a tenant declares the repository prefixes its own
images come from (`ghcr.io/acme-corp/`), and the trusted-images policy admits a tenant image only
under one of them, in that tenant's namespace.
"""

from __future__ import annotations

import re

#: one path component of a repository (the distribution spec's grammar, lower-case only)
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
#: a registry host: a DNS name with a dot, or with a port, or localhost
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})+(?::[0-9]+)?|localhost(?::[0-9]+)?|{_LABEL}:[0-9]+)"
_PREFIX = re.compile(rf"^{_HOST}/(?:{_COMPONENT}/)+$")


def _is_host(part: str) -> bool:
    return "." in part or ":" in part or part == "localhost"


def full_repository(image: str) -> str:
    """`<registry>/<path>` of an image reference, without tag or digest: Docker Hub's `docker.io` for
    a name without a registry, and `library/` for its official images (`postgres` ->
    `docker.io/library/postgres`)."""
    name = image.partition("@")[0]
    head, _, last = name.rpartition("/")
    if ":" in last:
        last = last.partition(":")[0]
    name = f"{head}/{last}" if head else last
    first, _, rest = name.partition("/")
    if rest and _is_host(first):
        return f"{first.lower()}/{rest}"
    if "/" not in name:
        return f"docker.io/library/{name}"
    return f"docker.io/{name}"


def repository_prefix(value: str) -> str:
    """A tenant's repository prefix: `<registry host>/<organisation>/[...]/`, no wildcard."""
    if any(c in value for c in "*?[]{}"):
        raise ValueError(f"{value!r} has a wildcard; list each repository prefix literally, e.g. 'ghcr.io/acme-corp/'")
    if not value.endswith("/"):
        raise ValueError(f"{value!r} must end with '/' (a prefix: every image under it is trusted), "
                         f"e.g. '{value}/'")
    if not _PREFIX.match(value):
        raise ValueError(f"{value!r} is not a repository prefix; write the registry host and at least one "
                         "lower-case path component, e.g. 'ghcr.io/acme-corp/' or 'docker.io/acme/' "
                         "(a whole registry host is never trusted)")
    return value


def under_prefix(image: str, prefixes: list[str] | tuple[str, ...]) -> bool:
    repository = full_repository(image)
    return any(repository.startswith(prefix) for prefix in prefixes)

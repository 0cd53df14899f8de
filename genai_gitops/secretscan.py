"""Does a string look like a credential? One answer for tenant files, clusters.yaml and dist/.

The detection is detect-secrets' (its maintained plugins and its entropy limits, called in
process, never with verification: nothing leaves the machine), plus a thin layer for shapes it
misses in data files:

- provider formats it does not know or knows only partly (OpenAI project keys, Langfuse, Stripe
  test/webhook keys, Google API keys and OAuth secrets, Hugging Face tokens, GitHub fine-grained
  tokens, AWS secret access keys);
- credentials inside connection strings: `user:pass@` without a scheme, `?password=` queries,
  `Password=` in ADO/JDBC strings;
- base64 that decodes to any of the above (a `!!binary` or hand-encoded key), twice at most;
- high-entropy hex (32+ characters) outside digests and commit ids.

What it must not flag is as important: image digests (`sha256:...`), URLs without credentials,
OIDC client ids, AWS account ids, ARNs, hostnames, Kubernetes names and certificates (a base64
PEM certificate decodes to text without a key in it). Results are cached per (value, field).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

#: detect-secrets' secret types in the words of this project's messages (the rest: "a <type>")
_LABELS = {
    "AWS Access Key": "an AWS access key id",
    "Basic Auth Credentials": "a password in a URL",
    "OpenAI Token": "an OpenAI/LiteLLM key",
    "Private Key": "a private key",
    "JSON Web Token": "a JWT",
    "Slack Token": "a Slack token",
    "GitHub Token": "a GitHub token",
    "GitLab Token": "a GitLab token",
    "Stripe Access Key": "a Stripe key",
    "Secret Keyword": "a password or key",
}

_I = re.IGNORECASE
#: shapes detect-secrets 1.5 misses; (label, pattern), first match wins
_EXTRA: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY")),
    ("a Langfuse key", re.compile(r"(?<![A-Za-z0-9])[ps]k-lf-[A-Za-z0-9-]{8,}")),
    ("an OpenAI/LiteLLM key", re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{12,}")),
    ("a Stripe key", re.compile(r"(?<![A-Za-z0-9])(?:[sr]k_(?:live|test)_[0-9A-Za-z]{16,}|whsec_[A-Za-z0-9]{24,})")),
    ("a Google API key", re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_\-]{35}")),
    ("a Google OAuth secret", re.compile(r"(?<![A-Za-z0-9])(?:GOCSPX-[A-Za-z0-9_\-]{20,}|ya29\.[0-9A-Za-z_\-]{20,})")),
    ("a Hugging Face token", re.compile(r"(?<![A-Za-z0-9])(?:hf_|api_org_)[A-Za-z0-9]{30,}")),
    ("a GitHub token", re.compile(r"(?<![A-Za-z0-9])(?:github_pat_[A-Za-z0-9_]{40,}|gh[pousr]_[A-Za-z0-9]{30,})")),
    ("a Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abeprs]-[A-Za-z0-9-]{10,}")),
    ("a JWT", re.compile(r"(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")),
    ("a password in a URL", re.compile(r"://[^/\s:@]+:[^/\s@]+@|^[^\s:/@]+:[^\s/@]+@[A-Za-z0-9.-]+")),
    ("a password in a connection string", re.compile(
        r"(?:^|[;\s])(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*(?![$<{%;\s])[^;\s]", _I)),
    ("a password in a URL query", re.compile(
        r"[?&](?:password|passwd|pwd|pass|secret|token|access_token|api[_-]?key|client_secret|sig|signature|"
        r"x-amz-signature|x-goog-signature|x-amz-security-token)=(?![$<{%*&#\s])[^&#\s]+", _I)),
)
#: upstream plugins not used: public IP addresses are data here (ingress CIDRs), and the
#: entropy and keyword plugins are applied below with this module's own filters
_SKIPPED = {"IPPublicDetector", "Base64HighEntropyString", "HexHighEntropyString", "KeywordDetector"}


@dataclass(frozen=True)
class _Upstream:
    #: every pattern with its label, detect-secrets' first; searched one by one (an alternation
    #: of them all is three times slower: it defeats the regex engine's literal-prefix scans)
    shapes: tuple[tuple[str, re.Pattern[str]], ...]
    base64: Any  # Base64HighEntropyString, upstream default limit 4.5 bits per character
    hex: Any  # HexHighEntropyString, upstream default limit 3.0
    keyword: Any
    is_potential_uuid: Any
    is_sequential_string: Any


@lru_cache(maxsize=1)
def _upstream() -> _Upstream:
    """detect-secrets, imported on first use: it (and requests) cost ~0.3 s to import, which
    commands that never scan a value should not pay."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.filters.heuristic import is_potential_uuid, is_sequential_string
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString
    from detect_secrets.plugins.keyword import KeywordDetector

    by_type: dict[str, Any] = get_mapping_from_secret_type_to_class()
    classes: list[Any] = [by_type[secret_type] for secret_type in sorted(by_type)]
    plugins = [plugin() for plugin in classes
               if plugin.__name__ not in _SKIPPED and issubclass(plugin, RegexBasedDetector)]
    shapes = tuple((_LABELS.get(plugin.secret_type, "a " + plugin.secret_type), pattern)
                   for plugin in plugins for pattern in plugin.denylist)
    return _Upstream(shapes=(*shapes, *_EXTRA), base64=Base64HighEntropyString(), hex=HexHighEntropyString(),
                     keyword=KeywordDetector(), is_potential_uuid=is_potential_uuid,
                     is_sequential_string=is_sequential_string)
#: how the keys that are worth splitting start: a join without one is not scanned (most
#: mappings hold several short strings, and a full scan of each join would double the cost)
_JOIN_GATE = re.compile(r"sk-|[sr]k_|AKIA|ASIA|gh[pousr]_|github_pat_|xox|hf_|AIza|GOCSPX|glpat-|eyJ|-----BEGIN|://|@")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{16,}")
_HEX_ONLY = re.compile(r"[0-9a-fA-F]+")
_DIGEST_BEFORE = re.compile(r"(?:sha1|sha256|sha384|sha512|md5|blake2b?):$", _I)
#: fields whose hex is a content hash or a commit, not a secret
_HASH_FIELD = re.compile(r"(digest|checksum|hash|sha|revision|commit|etag|fingerprint)", _I)
#: values a keyword match may point at without being a secret
_REFERENCE = re.compile(r"^(?:\$|\{\{|<|os\.environ/|secretKeyRef|[a-z0-9]+(?:[-.][a-z0-9]+)+$)")
#: what HTTP Basic authentication base64-encodes: `user:password`
_USER_PASSWORD = re.compile(r"^[A-Za-z0-9._@+-]{1,64}:[^\s:]{6,}$")
#: fields holding identifiers: random-looking mixed-case ids are normal there (OIDC client ids),
#: hex of 32+ characters is not (a pasted secret)
_ID_FIELD = re.compile(r"(?:^|_)id$|Id$|(?:^|_)ids$", _I)
#: values up to this length are searched whole; longer ones (files in ConfigMaps, dashboards)
#: line by line, and a line longer than this piece by piece: every pattern costs a fixed time per
#: character, so 40 patterns over an 8 KiB dashboard would take 80 ms, its distinct lines 2 ms
_WHOLE = 512
_MAX_SCANNED = 256 * 1024  # of a longer value, the first 256 KiB are scanned
_SEPARATORS = re.compile(r"[\s\"',;{}\[\]()<>|`]+")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY")


def _aws_secret(token: str) -> bool:
    """40 characters of base64 with upper, lower case and digits: the shape of an AWS secret key."""
    return _mixed(token) and not _upstream().is_sequential_string(token)


def _mixed(token: str) -> bool:
    """Upper and lower case letters and digits: random keys have all three; names with numbers
    (`central-prod-langfuse-210987654321`) do not."""
    return any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)


def _hex_text(token: str) -> str | None:
    """The text a hex token encodes (`736b2d...` for `sk-...`), when it is printable text."""
    if len(token) < 16 or len(token) % 2 or not _HEX_ONLY.fullmatch(token):
        return None
    try:
        text = bytes.fromhex(token).decode("utf-8")
    except ValueError:
        return None
    return text if text.isprintable() else None


def _decoded(token: str) -> str | None:
    """The text a base64 token encodes, when it encodes printable UTF-8 text."""
    body = token.rstrip("=")
    if len(body) < 16 or len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(padded)
            text = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        if text and sum(c.isprintable() or c in "\n\r\t" for c in text) >= 0.95 * len(text):
            return text
    return None


def _shape(value: str, depth: int) -> str | None:
    """Provider and connection-string shapes: detect-secrets' plugins, then the thin layer."""
    for label, pattern in _upstream().shapes:
        if pattern.search(value):
            return label
    for match in _AWS_SECRET.finditer(value):
        if _aws_secret(match.group()):
            return "an AWS secret access key"
    if depth < 2:
        if "%" in value and (unquoted := unquote(value)) != value and (inner := _shape(unquoted, depth + 1)):
            return "a URL-encoded " + inner.split(" ", 1)[1]
        for match in _TOKEN.finditer(value):
            token = match.group()
            for how, text in (("base64", _decoded(token)), ("hex", _hex_text(token))):
                if text is None:
                    continue
                if _USER_PASSWORD.match(text):
                    return f"a {how}-encoded user:password pair"
                if inner := _shape(text, depth + 1) or _entropy(text, "", depth + 1):
                    return f"a {how}-encoded " + inner.split(" ", 1)[1]
    return None


def _entropy(value: str, field: str, depth: int = 0) -> str | None:
    """High-entropy tokens (detect-secrets' limits) that are not hashes, ids, host names or
    encoded text (which `_shape` decodes and scans)."""
    upstream = _upstream()
    for match in _TOKEN.finditer(value):
        token = match.group()
        start, end = match.span()
        if len(token) < 20 or upstream.is_potential_uuid(token) or upstream.is_sequential_string(token):
            continue
        if value[start - 1:start] == "." or value[end:end + 1] == ".":  # a label of a host name
            continue
        if _HEX_ONLY.fullmatch(token):
            if (len(token) >= 32 and not _DIGEST_BEFORE.search(value, 0, match.start())
                    and not _HASH_FIELD.search(field)
                    and upstream.hex.calculate_shannon_entropy(token) > upstream.hex.entropy_limit):
                return "a high-entropy hex string (a key or token?)"
            continue
        # cheap tests first: most tokens are lower-case names
        if (_mixed(token) and not _ID_FIELD.search(field)
                and upstream.base64.calculate_shannon_entropy(token) > upstream.base64.entropy_limit
                and (depth > 0 or _decoded(token) is None)):
            return "a high-entropy string (a key or token?)"
    return None


@lru_cache(maxsize=16384)
def keyword_kind(name: str, value: str) -> str | None:
    """detect-secrets' keyword plugin on `NAME: "value"`, for name/value pairs such as container
    environment variables (`DB_PASSWORD: hunter2`). Not used on every field: Kubernetes is full of
    `secretKey: password`, which names a secret without holding one."""
    if len(value) < 6 or _REFERENCE.match(value) or value.isdigit() or value.lower() in ("true", "false"):
        return None
    if any(True for _ in _upstream().keyword.analyze_line(filename="data.yaml", line=f'{name}: "{value}"')):
        return "a password or key"
    return None


@lru_cache(maxsize=65536)
def secret_kind(value: str, field: str = "") -> str | None:
    """What the value looks like ("an OpenAI/LiteLLM key", ...) or None. `field` is the name the
    value is stored under (its last path element), which the keyword and hex rules read."""
    if len(value) < 8:
        return None
    if len(value) <= _WHOLE:
        return _shape(value, 0) or _entropy(value, field)
    return _long(value[:_MAX_SCANNED], field, 0)


@dataclass
class CleanLines:
    """Lines of long values (`_long`) known to hold nothing `secret_kind` flags, by `line_key`: `known` as an
    earlier run of the same code found them (the trusted result cache, whose entries carry the tool
    fingerprint), `found` the ones this run found or confirmed clean (what the next run is given). A known
    line is skipped: `secret_kind` is a pure function of (line, field) and its answer there was None, so
    the value's answer is the same; a 400 KiB ConfigMap with one line edited scans one line, not 8,000."""

    known: frozenset[str] = frozenset()
    found: set[str] = field(default_factory=set)


def line_key(field: str, line: str) -> str:
    return hashlib.blake2b(f"{field}\0{line}".encode(), digest_size=16).hexdigest()


def secret_kind_in(value: str, field: str, clean: CleanLines | None) -> str | None:
    """`secret_kind(value, field)`; a long value skips the lines `clean` knows and records the clean ones, and a
    short value is one such line (the same function of the same (line, field)): known, it is not scanned again."""
    if clean is None or len(value) < 8:  # secret_kind's own floor: nothing to remember
        return secret_kind(value, field)
    if len(value) <= _WHOLE:
        return _known_or(clean, line_key(field, value), lambda: secret_kind(value, field))
    return _long(value[:_MAX_SCANNED], field, 0, clean)


def keyword_kind_in(name: str, value: str, clean: CleanLines | None) -> str | None:
    """`keyword_kind(name, value)`, remembered in `clean` as secret_kind_in's lines are (under a field name no
    YAML key can have: the reader refuses NUL)."""
    if clean is None or len(value) < 6:
        return keyword_kind(name, value)
    return _known_or(clean, line_key(f"\0keyword\0{name}", value), lambda: keyword_kind(name, value))


def _known_or(clean: CleanLines, key: str, scan: Callable[[], str | None]) -> str | None:
    if key in clean.known:
        clean.found.add(key)
        return None
    what = scan()
    if what is None:
        clean.found.add(key)
    return what


def _long(value: str, field: str, depth: int, clean: CleanLines | None = None) -> str | None:
    """A long value, line by line (cached: config files share many lines)."""
    if "PRIVATE KEY" in value and _PRIVATE_KEY.search(value):
        return "a private key"
    for line in dict.fromkeys(value.splitlines()):
        if len(line) <= _WHOLE:
            if clean is None:
                if what := secret_kind(line, field):
                    return what
                continue
            key = line_key(field, line)
            if key not in clean.known and (what := secret_kind(line, field)):
                return what
            clean.found.add(key)
            continue
        for part in dict.fromkeys(_SEPARATORS.split(line)):
            if len(part) <= _WHOLE:
                if what := secret_kind(part, field):
                    return what
            elif depth < 2 and (text := _decoded(part)) is not None and (what := _long(text, "", depth + 1)):
                return "a base64-encoded " + what.split(" ", 1)[1]  # a base64 blob
    return None


def joined_kind(values: list[str]) -> str | None:
    """A key split across sibling fields or list items: what their concatenation looks like, when
    no single value gives it away (provider shapes only: entropy of a join means nothing)."""
    if len(values) < 2:
        return None
    joined = "".join(values)
    if len(joined) < 16 or not _JOIN_GATE.search(joined):
        return None
    return _shape(joined, 0)

"""Strict grammars for data values that end up in a policy, a URL, a command line or a config file.

Every value a tenant or cluster file supplies is rendered somewhere that has its own syntax: Argo CD
turns `oidc.argocd_groups` into Casbin policy lines, MCP paths are appended to a URL, model names reach
`ollama pull`, names land in annotations, environment variables and LiteLLM's config. Quoting at each
of those places is easy to forget, so the values are refused at the door instead: each type below
admits only what its purpose needs, and says what it accepts.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

# -- free text ---------------------------------------------------------------------------------------


def _hidden_characters(value: str) -> list[str]:
    """Control, format (bidi overrides, zero-width) and line/paragraph separator characters."""
    return sorted({f"U+{ord(c):04X}" for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")})


def _one_line(value: str) -> None:
    hidden = _hidden_characters(value)
    if hidden:
        raise ValueError(f"{value!r} contains control or invisible characters ({', '.join(hidden)}); "
                         "use one line of plain text")


def _text(min_length: int, max_length: int) -> AfterValidator:
    def check(value: str) -> str:
        _one_line(value)
        if value != value.strip():
            raise ValueError(f"{value!r} starts or ends with whitespace; remove it")
        if not min_length <= len(value) <= max_length:
            raise ValueError(f"{value!r} has {len(value)} characters; use {min_length} to {max_length}")
        return value

    return AfterValidator(check)


#: a person's or company's name: one line, shown in UIs, annotations and LiteLLM team aliases
Name = Annotated[str, _text(1, 100)]
#: a short label (Open WebUI's name, the login button)
Label = Annotated[str, _text(1, 64)]
#: why an exception to a rule is made: a real sentence, not a placeholder
Reason = Annotated[str, _text(10, 500)]
#: a sentence describing something (may be empty)
Description = Annotated[str, _text(0, 300)]

# -- identifiers -------------------------------------------------------------------------------------


def _pattern(regex: str, what: str, example: str) -> AfterValidator:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}; {example}")
        return value

    return AfterValidator(check)


#: an OIDC group name as Argo CD writes it into Casbin lines (`g, <group>, proj:<p>:<role>`): no comma,
#: quote, whitespace, glob or control character can ever reach the policy
_GROUP = r"[A-Za-z0-9/][A-Za-z0-9._@:/-]{0,127}"  # a leading '/': Keycloak's full group paths
#: Argo CD's own subjects: a group named like them would be confused with a role
_RESERVED_SUBJECTS = ("role:", "proj:")


def argo_group(value: str) -> str:
    """`value` if it is a safe OIDC group name for an Argo CD role, else ValueError saying why."""
    if not re.fullmatch(_GROUP, value):
        raise ValueError(f"{value!r} is not an OIDC group name; use 1-128 letters, digits and '._@:/-', starting "
                         "with a letter, digit or '/' (no spaces, commas, quotes or wildcards)")
    if value.lower().startswith(_RESERVED_SUBJECTS):
        raise ValueError(f"{value!r} starts like an Argo CD role ('role:', 'proj:'); name the OIDC group itself")
    return value


ArgoGroup = Annotated[str, AfterValidator(argo_group)]

#: a model as Ollama names it: [host/][namespace/]name[:tag], lowercase
OllamaModel = Annotated[str, _pattern(
    r"[a-z0-9][a-z0-9._-]{0,79}(/[a-z0-9][a-z0-9._-]{0,79}){0,2}(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?",
    "an Ollama model name", "use [namespace/]name[:tag] in lowercase letters, digits and '._-', e.g. 'qwen3:8b'")]
#: a model name the central LiteLLM serves (its config's model_name)
GatewayModel = Annotated[str, _pattern(
    r"[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}",
    "a model name", "use 1-128 letters, digits and '._:/@-', starting with a letter or digit, e.g. 'gpt-4o-mini'")]
#: Lago's customer and plan codes
BillingId = Annotated[str, _pattern(
    r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}",
    "a billing id", "use 1-100 letters, digits and '._-', starting with a letter or digit, e.g. 'acme'")]
#: an AWS region (eu-central-1, us-gov-west-1, ap-southeast-4)
AwsRegion = Annotated[str, _pattern(
    r"[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}", "an AWS region", "write it as AWS does, e.g. 'eu-central-1'")]
def _s3_bucket(value: str) -> str:
    # S3's naming rules: the name lands in IAM policy ARNs and Open WebUI's configuration
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", value) or ".." in value or ".-" in value \
            or "-." in value or re.fullmatch(r"[0-9.]+", value) or value.startswith(("xn--", "sthree-")):
        raise ValueError(f"{value!r} is not an S3 bucket name; use 3-63 lowercase letters, digits, '-' and '.' "
                         "(no '..', not an IP address), e.g. 'acme-genai-data'")
    return value


S3Bucket = Annotated[str, AfterValidator(_s3_bucket)]
#: the CronJob schedules Kubernetes accepts (robfig/cron's standard parser): five fields or a descriptor
_CRON_FIELDS = (("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day of month", 1, 31, ()),
                ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
                ("day of week", 0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")))
_CRON_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_CRON_ITEM = re.compile(r"(?P<range>\*|\?|(?P<low>[0-9a-z]{1,3})(?:-(?P<high>[0-9a-z]{1,3}))?)"
                        r"(?:/(?P<step>[0-9]{1,2}))?")


def _cron_value(text: str, low: int, high: int, names: tuple[str, ...]) -> int | None:
    value = names.index(text) + low if text in names else int(text) if text.isdigit() else None
    return value if value is not None and low <= value <= high else None


def _cron_field(text: str, low: int, high: int, names: tuple[str, ...], question: bool) -> bool:
    for item in text.lower().split(","):
        match = _CRON_ITEM.fullmatch(item)
        if match is None or (match["range"] == "?" and not question):
            return False
        if match["step"] is not None and not 1 <= int(match["step"]) <= high:
            return False
        if match["low"] is not None:
            first = _cron_value(match["low"], low, high, names)
            last = _cron_value(match["high"], low, high, names) if match["high"] else first
            if first is None or last is None or first > last:
                return False
    return True


def _cron(value: str) -> str:
    fields = value.split(" ")
    ok = value in _CRON_DESCRIPTORS or (len(fields) == 5 and all(
        _cron_field(text, low, high, names, question=index in (2, 4))
        for index, (text, (_, low, high, names)) in enumerate(zip(fields, _CRON_FIELDS, strict=True))))
    if not ok:
        raise ValueError(f"{value!r} is not a CronJob schedule; use five fields (minute hour day-of-month month "
                         "day-of-week, single spaces) or a descriptor such as '@daily', e.g. '17 2 * * *'")
    return value


CronSchedule = Annotated[str, AfterValidator(_cron)]
#: a Slack channel (`#name`, as Slack allows names) or a channel id
SlackChannel = Annotated[str, _pattern(
    r"#[a-z0-9_-]{1,80}|[CGD][A-Z0-9]{8,12}", "a Slack channel",
    "write '#' and the channel's name (lowercase letters, digits, '-' and '_'), or its id, e.g. '#genai-alerts'")]
#: a rule id or family as `genai-gitops rules list` prints it
RuleId = Annotated[str, _pattern(
    r"[a-z0-9-]{1,40}(/[A-Za-z0-9*._-]{1,100}){1,2}", "a rule id",
    "use an id `genai-gitops rules list` prints, e.g. 'capacity/quota-exceeded' or 'policy/*'")]
#: a tenant field path as findings name it (quotas.cpu, mcp_servers[0].image)
#: (segments are separated by a required '.', so the pattern has one way to match: no backtracking blow-up)
FieldPath = Annotated[str, _pattern(
    r"|[a-z0-9_]{1,64}(\[[0-9]{1,4}\])?(\.[a-z0-9_]{1,64}(\[[0-9]{1,4}\])?){0,9}", "a tenant field path",
    "write it as findings name it, e.g. 'quotas.cpu' or 'mcp_servers[0].image', or leave it empty")]


def _optional_reason(value: str) -> str:
    _one_line(value)
    if len(value) > 500:
        raise ValueError(f"{value!r} has {len(value)} characters; use at most 500")
    return value


#: free text explaining a decision; empty or blank passes here and is reported by the check (missing-reason)
OptionalReason = Annotated[str, AfterValidator(_optional_reason)]
#: a Git branch or tag Argo CD follows
GitRevision = Annotated[str, _pattern(
    r"[A-Za-z0-9]([A-Za-z0-9_-]|[./](?![./]))*", "a Git branch, tag or commit",
    "use letters, digits and '._/-' (no '..' or '//'), e.g. 'main'")]
#: an OAuth client id (Okta, Entra ID GUIDs, Keycloak client names)
ClientId = Annotated[str, _pattern(
    r"[A-Za-z0-9][A-Za-z0-9._~:@/+=-]{0,254}", "an OAuth client id",
    "use 1-255 letters, digits and '._~:@/+=-', starting with a letter or digit")]


def _scopes(value: str) -> str:
    tokens = value.split(" ")
    if not all(re.fullmatch(r"[A-Za-z0-9._:/-]{1,128}", t) for t in tokens) or len(tokens) > 20:
        raise ValueError(f"{value!r} is not a list of OAuth scopes; separate up to 20 scopes of letters, digits and "
                         "'._:/-' by single spaces, e.g. 'openid email profile'")
    if "openid" not in tokens:
        raise ValueError(f"{value!r} lacks the 'openid' scope OIDC login needs; add it, e.g. 'openid email profile'")
    return value


Scopes = Annotated[str, AfterValidator(_scopes)]

# -- names Kubernetes and DNS define -----------------------------------------------------------------

#: at least two labels, the last one (a top-level domain or `svc`) starting with a letter
_DNS_NAME = r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?"


def _dns_name(value: str) -> str:
    if not re.fullmatch(_DNS_NAME, value) or len(value) > 253:
        raise ValueError(f"{value!r} is not a DNS name; use lowercase labels separated by dots, "
                         "e.g. 'genai.example.com'")
    return value


DnsName = Annotated[str, AfterValidator(_dns_name)]

_LABEL_NAME = r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?"
_QUALIFIED = rf"({_DNS_NAME}/)?{_LABEL_NAME}"
#: a Kubernetes label (or taint) key: [DNS-subdomain prefix/]name
LabelKey = Annotated[str, _pattern(
    _QUALIFIED, "a Kubernetes label key",
    "use [prefix/]name: a DNS-subdomain prefix and a 1-63 character name of letters, digits and '-_.', "
    "e.g. 'nvidia.com/gpu.present'")]
#: a Kubernetes label (or taint) value: empty, or up to 63 letters, digits and '-_.'
LabelValue = Annotated[str, _pattern(
    rf"({_LABEL_NAME})?", "a Kubernetes label value",
    "use up to 63 letters, digits and '-_.', starting and ending with a letter or digit, e.g. 'true'")]
#: an extended resource name such as nvidia.com/gpu
ResourceName = Annotated[str, _pattern(
    rf"{_DNS_NAME}/{_LABEL_NAME}", "an extended resource name", "use <vendor domain>/<name>, e.g. 'nvidia.com/gpu'")]

# -- URLs and paths ----------------------------------------------------------------------------------

#: RFC 3986 path characters without '%' (no encoded tricks), as one or more '/'-separated segments
_SEGMENT = r"[A-Za-z0-9._~!$&'()*+,;=:@-]+"
_PORT = r"(:[0-9]{1,5})?"


def _https_url(*, query: bool, what: str, example: str) -> AfterValidator:
    path = rf"(/{_SEGMENT})*/?"  # one way only to split a path (no backtracking blow-up on long input)
    tail = r"(\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?" if query else ""
    regex = re.compile(rf"https://(?P<host>{_DNS_NAME}){_PORT}{path}{tail}")

    def check(value: str) -> str:
        match = regex.fullmatch(value)
        if match is None or not _keeps_host(value, match.group("host")) or _traverses(urlsplit(value).path):
            extra = "an optional query, " if query else ""
            raise ValueError(f"{value!r} is not {what}; use https://<host name>[:port][/path] with {extra}no "
                             f"user name, fragment, spaces or '..', e.g. '{example}'")
        return value

    return AfterValidator(check)


def _keeps_host(url: str, host: str) -> bool:
    """The host a URL library reads is the host the grammar read (no userinfo or backslash tricks)."""
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or 1 <= parts.port <= 65535
    except ValueError:
        return False
    return parts.hostname == host and not parts.username and port_ok


def _traverses(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.split("/"))


#: an OIDC issuer (no query or fragment, as OpenID Connect Discovery requires)
IssuerUrl = Annotated[str, _https_url(query=False, what="an OIDC issuer URL",
                                      example="https://login.example.com/realms/staff")]
#: an image URL shown by a browser
PublicUrl = Annotated[str, _https_url(query=True, what="an https URL", example="https://cdn.example.com/logo.png")]
#: a Kubernetes API server as Argo CD's cluster secret names it
ServerUrl = Annotated[str, _https_url(query=False, what="an API server URL",
                                      example="https://ABC123.gr7.eu-west-1.eks.amazonaws.com")]


_PATH_SEGMENT = r"[A-Za-z0-9._~-]+"


def _http_path(value: str) -> str:
    # narrower than RFC 3986 allows: '@', ':', '%' and the sub-delimiters are legal in a path but are what
    # turns "/x" into "@evil.example/x" or an encoded traversal once appended to a URL; a tool endpoint needs none
    if not re.fullmatch(rf"/({_PATH_SEGMENT}(/{_PATH_SEGMENT})*/?)?", value) or _traverses(value) or len(value) > 200:
        raise ValueError(f"{value!r} is not an absolute URL path; use '/' followed by segments of letters, digits "
                         "and '._~-' (no '//', '?', '#', '..', '@' or spaces), e.g. '/mcp'")
    return value


#: the path of an HTTP endpoint on a host the platform chooses (it is appended to http://<service>:<port>)
UrlPath = Annotated[str, AfterValidator(_http_path)]


_USER = r"[a-z_][a-z0-9_-]{0,31}"
_REPO_PATH = rf"{_PATH_SEGMENT}(/{_PATH_SEGMENT})*"
_HTTPS_REPO = re.compile(rf"https://(?P<host>{_DNS_NAME}){_PORT}/(?P<path>{_REPO_PATH})")
_SSH_REPO = re.compile(rf"ssh://{_USER}@(?P<host>{_DNS_NAME}){_PORT}/(?P<path>{_REPO_PATH})")
_SCP_REPO = re.compile(rf"{_USER}@(?P<host>{_DNS_NAME}):(?P<path>{_REPO_PATH})")


def _repo_url(value: str) -> str:
    url = _HTTPS_REPO.fullmatch(value) or _SSH_REPO.fullmatch(value)
    match = url or _SCP_REPO.fullmatch(value)
    ok = match is not None and not _traverses(match.group("path"))
    if ok and url is not None:
        parts = urlsplit(value)
        ok = parts.hostname == url.group("host") and parts.password is None
    if not ok:
        raise ValueError(f"{value!r} is not a Git repository URL; use https://<host>/<path>, ssh://git@<host>/<path> "
                         "or git@<host>:<path> (no password, query, spaces or '..')")
    return value


RepoUrl = Annotated[str, AfterValidator(_repo_url)]

# -- networks ----------------------------------------------------------------------------------------


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"{value!r} is not an IPv4 network; write it as address/prefix with the host bits zero, "
                         f"e.g. '10.20.240.0/24' ({error})") from None
    if network.version != 4 or "/" not in value or str(network) != value:
        raise ValueError(f"{value!r} is not an IPv4 network; write it as address/prefix with the host bits zero, "
                         "e.g. '10.20.240.0/24'")
    return value


#: an IPv4 network in canonical form (what NetworkPolicy ipBlocks take)
Cidr = Annotated[str, AfterValidator(_cidr)]

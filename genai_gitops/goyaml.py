"""How Argo CD reads a plain (unquoted) YAML scalar: go-yaml v2's resolution, as sigs.k8s.io/yaml
v1.4.0 vendors it (`goyaml.v2/resolve.go`, function `resolve`).

The checker reads YAML 1.1 with PyYAML's resolver; go-yaml v2 differs on a few plain scalars (`y`/`n`
are booleans, `1:20` is no base-60 number, `1e3`, `0o7` and `09` are numbers, an integer past 64 bits is
a float or a string). A value read one way by the check and another by Argo CD would let a change show
the check one object and deploy another, so safeyaml refuses every plain scalar on which the two differ.
This module is the Go side of that comparison; `differs` gives the reason to refuse, or None.

Only what decides a value is modelled, in go-yaml's order: the lookup table (booleans, nulls, .inf,
.nan, `<<`), then for text starting with a digit or a sign: strconv.ParseInt (base 0, underscores
removed), ParseUint, a float pattern with ParseFloat, `0b`/`-0b`; text starting with `.` goes to
ParseFloat as it is. A timestamp-shaped value stays a string when decoded into interface{} (as
sigs.k8s.io/yaml does), so it is not modelled: it could never be a number either.
"""

from __future__ import annotations

import math
import re
from typing import Any

_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2 ** 63), 2 ** 63 - 1, 2 ** 64 - 1

#: resolveMap of resolve.go (`<<` left out: both readers treat it as a merge key)
_TABLE: dict[str, Any] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
#: resolveTable: the first characters for which go-yaml looks further than "a string"
_DIGIT_OR_SIGN = frozenset("+-0123456789")
_IN_TABLE = frozenset("yYnNtTfFoO~")
#: yamlStyleFloat of resolve.go
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
#: what strconv.ParseFloat accepts of a text starting with `.` (no sign, no underscore: Go allows those
#: only after a base prefix, and `inf`/`nan` cannot start with a dot)
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_BASES = {"b": 2, "o": 8, "x": 16}
_DIGITS = "0123456789abcdef"


class _Str:
    """go-yaml's answer "a string" (distinct from every value a scalar can have)."""


STR = _Str()


def _parse_uint(text: str, base: int) -> int | None:
    """strconv.ParseUint(text, base, 64) for base 0 or 2, without underscores; None on an error."""
    if base == 0:
        base = 10
        if text[:1] == "0":
            prefix = _BASES.get(text[1:2].lower()) if len(text) >= 3 else None
            base, text = (prefix, text[2:]) if prefix else (8, text[1:])
    if not text and base != 8:  # `0` alone leaves nothing after the octal `0`: zero
        return None
    allowed = _DIGITS[:base]
    if any(char.lower() not in allowed for char in text):
        return None
    if len(text.lstrip("0")) > 64:  # past 64 bits in any base (and past what int() converts, unbounded)
        return None
    value = int(text, base) if text else 0
    return value if value <= _UINT64_MAX else None


def _parse_int(text: str, base: int) -> int | None:
    """strconv.ParseInt(text, base, 64): one optional sign, then ParseUint; None on an error."""
    sign, body = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    if not body:
        return None
    magnitude = _parse_uint(body, base)
    if magnitude is None:
        return None
    value = -magnitude if sign == "-" else magnitude
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def _parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64) of a decimal text: an error past float64's range (±Inf)."""
    value = float(text)
    return None if math.isinf(value) else value


def resolve(text: str) -> Any:
    """The value go-yaml v2 gives the plain scalar `text` decoded into interface{}: None, a bool, an int
    (int64 or uint64 range), a float, or STR when it stays the string `text`."""
    if text in _TABLE:
        return _TABLE[text]
    first = text[:1]
    if first == ".":
        return _parse_float(text) if _DOT_FLOAT.fullmatch(text) else STR
    if first not in _DIGIT_OR_SIGN:  # `M` hints (y, n, t, f, o, ~) only look in the table
        return STR
    plain = text.replace("_", "")
    value = _parse_int(plain, 0)
    if value is None:
        value = _parse_uint(plain, 0) if plain[:1] not in ("+", "-") else None
    if value is not None:
        return value
    if _YAML_FLOAT.fullmatch(plain):
        number = _parse_float(plain)
        if number is not None:
            return number
    if plain.startswith("0b"):
        value = _parse_int(plain[2:], 2)
        if value is None and plain[2:3] not in ("+", "-"):
            value = _parse_uint(plain[2:], 2)
        return STR if value is None else value
    if plain.startswith("-0b"):
        value = _parse_int("-" + plain[3:], 2)
        return STR if value is None else value
    return STR


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _show(value: Any, text: str) -> str:
    if value is STR:
        return f"the string {text!r}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return f"the number {int(value)}"
    return f"the number {value}"


def differs(text: str, checked: Any, *, key: bool) -> str | None:
    """Why the plain scalar `text`, which the checker reads as `checked` (a `str` when a string), is
    read otherwise by Argo CD (message without the quoting advice), or None when both read it alike.
    As a mapping key, sigs.k8s.io/yaml also refuses null and 64-bit unsigned keys, and writes a float
    key with 32-bit precision: each is refused too."""
    argo = resolve(text)
    if isinstance(checked, str) and argo is STR:
        return None
    if isinstance(checked, float) and not math.isfinite(checked):
        return None  # the checker refuses `.inf`/`.nan` itself, as no JSON number
    if argo is not STR and not isinstance(checked, str) and _kind(argo) == _kind(checked) and argo == checked:
        if not key or (argo is not None and _kind(argo) in ("boolean", "integer") and argo <= _INT64_MAX):
            return None
        if argo is None:
            return f"the key {text!r} is null to Argo CD, which refuses a null mapping key"
        if isinstance(argo, int) and not isinstance(argo, bool):
            return f"the key {text!r} is an unsigned 64-bit integer to Argo CD, which refuses it as a mapping key"
        return f"the key {text!r} is a floating-point number, which Argo CD writes as a string with 32-bit precision"
    mine = _show(STR if isinstance(checked, str) else checked, text)
    return f"{text!r} is {mine} to the check but {_show(argo, text)} to Argo CD (go-yaml v2)"

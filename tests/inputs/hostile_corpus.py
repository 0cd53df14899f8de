"""A hostile-input corpus, made on the fly (nothing large is committed): each file is at most
1 MiB and aims at one way a YAML reader can be made to hang, blow up or lie."""

from __future__ import annotations

import base64

MIB = 1024 * 1024


def billion_laughs() -> bytes:
    """The classic: nine levels of nine aliases, 1.6 KB that expands to 10^9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    return ("\n".join(lines) + "\n").encode()


def wide_aliases() -> bytes:
    """One anchored list of 1,000 items aliased 100,000 times: no nesting, 10^8 nodes."""
    anchor = "a: &a [" + ",".join(["1"] * 1000) + "]\n"
    return (anchor + "b: [" + ",".join(["*a"] * 100_000) + "]\n").encode()


def merge_bomb() -> bytes:
    """Merge keys copy a 2,000-key mapping into 400 others."""
    anchor = "base: &base {" + ", ".join(f"k{i}: {i}" for i in range(2000)) + "}\n"
    return (anchor + "".join(f"m{i}: {{<<: *base}}\n" for i in range(400))).encode()


def deep_flow() -> bytes:
    return b"[" * (MIB // 2 - 1) + b"]" * (MIB // 2 - 1)


def deep_block() -> bytes:
    return b"- " * (MIB // 2 - 8) + b"x\n"


def deep_mapping() -> bytes:
    return b"".join(b"  " * i + b"k:\n" for i in range(150))


def flat_mapping() -> bytes:
    body = b"".join(b"k%07d: %d\n" % (i, i) for i in range(60_000))
    assert len(body) < MIB
    return body


def many_documents() -> bytes:
    return b"---\nkind: ConfigMap\n" * 40_000


def long_scalar() -> bytes:
    return b"id: " + b"x" * (MIB - 16) + b"\n"


def long_integer() -> bytes:
    return b"id: " + b"7" * 100_000 + b"\n"


def binary_key() -> bytes:
    key = base64.b64encode(b"sk-proj-" + b"A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6").decode()
    return f"id: acme\nbilling:\n  plan: !!binary {key}\n".encode()


def python_tag() -> bytes:
    return b"id: acme\nname: !!python/object/apply:os.system ['touch /tmp/pwned']\n"


def set_tag() -> bytes:
    return b"id: acme\nmodels: !!set {a, b}\n"


def custom_tag() -> bytes:
    return b"id: acme\nname: !vault secret/acme\n"


def duplicate_secrets() -> bytes:
    return (b"id: acme\nsecrets:\n  litellm_api_key: {key: genai/tenants/acme/litellm, property: api_key}\n"
            b"secrets:\n  litellm_api_key: {key: genai/platform/central-prod/litellm, property: master_key}\n")


def invalid_utf8() -> bytes:
    return b"id: acme\nname: caf\xe9\n"


def nul_byte() -> bytes:
    return b"id: acme\nname: a\x00b\n"


def utf16() -> bytes:
    return "id: acme\n".encode("utf-16")


def too_large() -> bytes:
    return b"# " + b"x" * MIB + b"\n"


def infinity() -> bytes:
    return b"id: acme\nquotas: {cpu: .inf}\n"


CORPUS = {
    "billion-laughs.yaml": billion_laughs,
    "wide-aliases.yaml": wide_aliases,
    "merge-bomb.yaml": merge_bomb,
    "deep-flow.yaml": deep_flow,
    "deep-block.yaml": deep_block,
    "deep-mapping.yaml": deep_mapping,
    "flat-mapping.yaml": flat_mapping,
    "many-documents.yaml": many_documents,
    "long-scalar.yaml": long_scalar,
    "long-integer.yaml": long_integer,
    "binary-key.yaml": binary_key,
    "python-tag.yaml": python_tag,
    "set-tag.yaml": set_tag,
    "custom-tag.yaml": custom_tag,
    "duplicate-secrets.yaml": duplicate_secrets,
    "invalid-utf8.yaml": invalid_utf8,
    "nul-byte.yaml": nul_byte,
    "utf16.yaml": utf16,
    "too-large.yaml": too_large,
    "infinity.yaml": infinity,
}


def write(folder) -> list[str]:
    paths = []
    for name, make in CORPUS.items():
        path = folder / name
        path.write_bytes(make())
        paths.append(str(path))
    return paths

"""A content-hash cache for results that are expensive to recompute (parsed app folders, validator
work units, synth output digests): one interface (`ResultCache`: get/put and hit/miss counters) with a
disk, a memory and a null implementation. How each key is made is `cache_keys`' job.

Entries are JSON (never pickle: the cache folder is not trusted code), keyed by a digest of
everything the result depends on plus the tool fingerprint. Each entry carries the fingerprint,
its key and a checksum of its payload: a stale, corrupted or foreign entry is detected on read
and ignored, never trusted.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import sys
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_DIR = ".genai-gitops-cache"
#: detect-secrets: whether a value looks like a secret decides which tenant files and inventories are cached clean
_DEPENDENCIES = ("cdk8s", "cdk8s-plus-28", "detect-secrets", "gordon-to-regorus", "jsonschema-rs",
                 "kubernetes-validate", "network-config-analyzer", "pydantic", "PyYAML")


def digest(*parts: str | bytes) -> str:
    """Each part followed by a NUL, hashed. Text parts are joined and hashed in one update (the same
    bytes: a folder's digest has one part per file, and an update per part was most of its cost)."""
    if parts and all(isinstance(part, str) for part in parts):
        return hashlib.blake2b(("\0".join(parts) + "\0").encode(), digest_size=20).hexdigest()  # type: ignore[arg-type]
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def digest_json(value: Any) -> str:
    return digest(json.dumps(value, sort_keys=True, separators=(",", ":"), default=str))


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """Changes whenever the code, its bundled schemas or a dependency that shapes results changes."""
    h = hashlib.blake2b(digest_size=20)
    h.update(sys.version.encode())
    for package in ("genai_gitops", "genai_gitops_constructs"):
        # located, not imported: importing the construct library would set up cdk8s's Node
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"package {package} is not installed; install the project (make install)")
        root = Path(spec.origin).parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    for name in _DEPENDENCIES:
        try:
            h.update(f"{name}=={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{name}==none".encode())
    return h.hexdigest()


class ResultCache(ABC):
    """The cache interface: get/put JSON values by (namespace, key), with hit and miss counters.

    Three implementations: `DiskCache` (a folder, shared between runs), `MemoryCache` (one run only) and
    `NullCache` (stores nothing). A value read back is always a fresh copy, never the object put, and a
    value that JSON cannot hold raises TypeError or ValueError from `put` of a cache that stores.
    """

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        """False when nothing put is ever returned (NullCache): callers may skip work done only to fill it."""
        return True

    @property
    def persistent(self) -> bool:
        """Whether what is put outlives this run (DiskCache): work done only for a later run is wasted otherwise."""
        return False

    def get(self, namespace: str, key: str) -> Any | None:
        """The value stored under (namespace, key), or None (then counted as a miss)."""
        value = self._read(namespace, key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def has(self, namespace: str, key: str) -> bool:
        """Whether an entry is probably there (not verified, not counted): for deciding on a head start only,
        never for using a value."""
        return self._exists(namespace, key)

    def holds_none(self, namespace: str) -> bool:
        """Whether no entry of `namespace` is there (not verified): like `has`, a hint for a head start only."""
        return not self._any(namespace)

    def put(self, namespace: str, key: str, value: Any) -> None:
        self._write(namespace, key, json.dumps(value, separators=(",", ":")).encode())

    @abstractmethod
    def _read(self, namespace: str, key: str) -> Any | None: ...

    @abstractmethod
    def _write(self, namespace: str, key: str, payload: bytes) -> None: ...

    @abstractmethod
    def _exists(self, namespace: str, key: str) -> bool: ...

    @abstractmethod
    def _any(self, namespace: str) -> bool: ...


class DiskCache(ResultCache):
    """Entries under `root`, one file each: a header line (tool fingerprint, key, checksum) and the JSON.

    An entry of another tool version, copied under another key, truncated or edited is ignored (a
    miss), never trusted; a write goes to a temporary file renamed into place, so a reader never sees
    half an entry, and a read-only or full disk only costs speed. Whether the folder itself may be
    trusted is decided before (cache_trust), by who can write it.
    """

    def __init__(self, root: Path, fingerprint: str | None = None) -> None:
        super().__init__()
        self.root = root
        self.fingerprint = fingerprint or tool_fingerprint()

    @property
    def persistent(self) -> bool:
        return True

    def _path(self, namespace: str, key: str) -> Path:
        return self.root / namespace / key[:2] / f"{key}.json"

    def _read(self, namespace: str, key: str) -> Any | None:
        try:
            raw = self._path(namespace, key).read_bytes()
            header_end = raw.index(b"\n")
            header = json.loads(raw[:header_end])
            payload = raw[header_end + 1:]
            if (header.get("tool") == self.fingerprint and header.get("key") == key
                    and header.get("sum") == digest(payload)):
                return json.loads(payload)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        return None

    def _exists(self, namespace: str, key: str) -> bool:
        return self._path(namespace, key).is_file()

    def _any(self, namespace: str) -> bool:
        try:
            with os.scandir(self.root / namespace) as entries:
                return any(True for _ in entries)
        except OSError:
            return False

    def _write(self, namespace: str, key: str, payload: bytes) -> None:
        header = json.dumps({"tool": self.fingerprint, "key": key, "sum": digest(payload)}).encode()
        path = self._path(namespace, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # write then rename: a reader never sees half an entry
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(header + b"\n" + payload)
            os.replace(tmp, path)
        except OSError:
            return  # a read-only or full disk only costs speed


class MemoryCache(ResultCache):
    """A cache for one run only (`--no-cache`, or a cache folder that is not trusted): nothing is read
    from or written to disk, but what one step parsed or computed is still shared with the next (e.g.
    delivery reuses the check's parse)."""

    def __init__(self) -> None:
        super().__init__()
        # stored as JSON, so a hit returns a fresh copy exactly as a disk entry would
        self._entries: dict[tuple[str, str], bytes] = {}

    def _read(self, namespace: str, key: str) -> Any | None:
        raw = self._entries.get((namespace, key))
        return None if raw is None else json.loads(raw)

    def _write(self, namespace: str, key: str, payload: bytes) -> None:
        self._entries[(namespace, key)] = payload

    def _exists(self, namespace: str, key: str) -> bool:
        return (namespace, key) in self._entries

    def _any(self, namespace: str) -> bool:
        return any(space == namespace for space, _ in self._entries)


class NullCache(ResultCache):
    """Stores nothing (`validate`, and validators built without a run's cache)."""

    @property
    def enabled(self) -> bool:
        return False

    def get(self, namespace: str, key: str) -> Any | None:
        return None  # not counted: a cache that cannot hit has no misses worth reporting

    def put(self, namespace: str, key: str, value: Any) -> None:
        return None

    def _read(self, namespace: str, key: str) -> Any | None:
        return None

    def _write(self, namespace: str, key: str, payload: bytes) -> None:
        return None

    def _exists(self, namespace: str, key: str) -> bool:
        return False

    def _any(self, namespace: str) -> bool:
        return False


NO_CACHE: ResultCache = NullCache()


def files_digest(paths: Iterable[Path]) -> str:
    """Digest of every file under the given files/folders: names relative to each root, and contents
    (so `policies` and `./policies` give the same digest)."""
    h = hashlib.blake2b(digest_size=20)
    for root in sorted(Path(p) for p in paths):
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            h.update(str(path.relative_to(root) if path != root else path.name).encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()

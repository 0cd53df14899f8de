"""The jsii kernel's Node: the bundled binary and the young generation's size."""

from __future__ import annotations

import os
import subprocess

import pytest

from genai_gitops import jsii_node


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    monkeypatch.delenv("JSII_NODE", raising=False)
    return monkeypatch


def test_the_semi_space_size_is_added(env: pytest.MonkeyPatch) -> None:
    jsii_node.use_bundled_node()
    assert os.environ["NODE_OPTIONS"] == f"--max-semi-space-size={jsii_node.SEMI_SPACE_MIB}"
    jsii_node.use_bundled_node()  # idempotent: called by every module that may start a kernel
    assert os.environ["NODE_OPTIONS"] == f"--max-semi-space-size={jsii_node.SEMI_SPACE_MIB}"


def test_other_node_options_are_kept(env: pytest.MonkeyPatch) -> None:
    env.setenv("NODE_OPTIONS", "--trace-warnings")
    jsii_node.use_bundled_node()
    assert os.environ["NODE_OPTIONS"] == f"--trace-warnings --max-semi-space-size={jsii_node.SEMI_SPACE_MIB}"


def test_a_users_own_semi_space_size_wins(env: pytest.MonkeyPatch) -> None:
    env.setenv("NODE_OPTIONS", "--max-semi-space-size=8")
    jsii_node.use_bundled_node()
    assert os.environ["NODE_OPTIONS"] == "--max-semi-space-size=8"


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

"""The one-walk argument path (synth/jsii_wire.py) puts exactly jsii's own request bytes on the wire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from genai_gitops.jsii_node import use_bundled_node

use_bundled_node()

import jsii  # noqa: E402
import jsii._kernel as kernel_module  # noqa: E402
from jsii._kernel.providers.process import jdefault  # noqa: E402
from jsii._kernel.types import CreateRequest, ObjRef, SetRequest  # noqa: E402

from genai_gitops.model.apps import plan_apps  # noqa: E402
from genai_gitops.model.loader import load_platform  # noqa: E402
from genai_gitops.synth import jsii_wire, policy_objects  # noqa: E402
from genai_gitops.synth.render import SynthInputs, render_apps  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _request_bytes(value: Any) -> str:
    """The request the process provider writes for `value` as a call's arguments (a list) or a set's value."""
    converter = jsii.kernel.provider._process._serializer  # type: ignore[attr-defined]
    if isinstance(value, list):
        request: Any = CreateRequest(fqn="x", args=value)
    else:
        request = SetRequest(objref=ObjRef(ref="x@1"), property="p", value=value)
    return json.dumps(converter.unstructure(request), default=jdefault)


def _typed(value: Any) -> Any:
    """`value` with every leaf's type beside it: 1 == 1.0 == True must not hide a difference."""
    if isinstance(value, dict):
        return (type(value), [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return (type(value), [_typed(v) for v in value])
    # an object by reference: each walk makes its own proxy of the same kernel object
    return (type(value), value if isinstance(value, (str, int, float, bool, type(None))) else
            getattr(value, "__jsii_ref__", None))


@pytest.fixture()
def inputs(fixture_repo: Path) -> SynthInputs:
    platform = load_platform(fixture_repo / "tenants", fixture_repo / "clusters.yaml")
    return SynthInputs(platform, policy_objects(REPO / "policies"))


def test_every_request_of_a_render_is_byte_identical(inputs: SynthInputs, monkeypatch: pytest.MonkeyPatch) -> None:
    assert jsii_wire.install()
    original, fast = jsii_wire._original, jsii_wire._make_reference_for_native
    compared: list[str] = []
    mismatches: list[tuple[str, str]] = []

    def both(kernel: Any, value: Any) -> Any:
        # jsii's walk recurses through the module's name: run each walk with its own function there
        monkeypatch.setattr(kernel_module, "_make_reference_for_native", original)
        theirs = _request_bytes(original(kernel, value))
        monkeypatch.setattr(kernel_module, "_make_reference_for_native", fast)
        out = fast(kernel, value)
        ours = _request_bytes(out)
        monkeypatch.setattr(kernel_module, "_make_reference_for_native", both)
        compared.append(ours)
        if ours != theirs:
            mismatches.append((theirs, ours))
        return out

    results: list[Any] = []

    def both_results(kernel: Any, value: Any) -> Any:
        ours = jsii_wire._dereference(kernel, value)
        theirs = jsii_wire._original_dereference(kernel, value)
        results.append(value)
        if _typed(ours) != _typed(theirs):
            mismatches.append((repr(theirs)[:200], repr(ours)[:200]))
        return ours

    monkeypatch.setattr(kernel_module, "_make_reference_for_native", both)
    monkeypatch.setattr(kernel_module, "_recursize_dereference", both_results)
    specs = plan_apps(inputs.platform)
    rendered = render_apps(inputs, specs)
    assert len(rendered) == len(specs) and len(specs) >= 10
    # the sample holds every shape the stacks send: structs, maps, lists, scalars, references
    wire = "".join(compared)
    assert all(tag in wire for tag in ('"$jsii.struct"', '"$jsii.map"', '"$jsii.byref"', "null"))
    assert len(compared) > 200
    assert sum(bool(isinstance(r, list) and r and isinstance(r[0], dict) and "apiVersion" in r[0]) for r in results) \
        == len(specs)  # every chart's toJson went through both
    assert mismatches == []


def test_output_is_the_same_with_and_without(inputs: SynthInputs, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = plan_apps(inputs.platform)
    assert jsii_wire.install()
    fast = render_apps(inputs, specs)
    jsii_wire.uninstall()
    original = kernel_module._make_reference_for_native
    with monkeypatch.context() as patch:
        patch.setattr(jsii_wire, "install", lambda: False)  # render_apps would install it again
        plain = render_apps(inputs, specs)
    assert kernel_module._make_reference_for_native is original
    jsii_wire.install()
    assert [(a.spec, a.files) for a in fast] == [(a.spec, a.files) for a in plain]


def test_an_unknown_jsii_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    jsii_wire.uninstall()
    before = kernel_module._make_reference_for_native
    monkeypatch.setattr(jsii, "__version__", "0.0.1")
    try:
        assert jsii_wire.install() is False
        assert kernel_module._make_reference_for_native is before
    finally:
        monkeypatch.undo()
        jsii_wire.install()

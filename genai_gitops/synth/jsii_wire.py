"""A faster way to put our call arguments on jsii's wire, with the same bytes, and to take results off it.

Every jsii call from Python turns its arguments into wire form twice: jsii's
`_make_reference_for_native` walks them (structs become `$jsii.struct` with every property, dicts
`$jsii.map`), then the process provider's cattrs converter walks the result again to copy it. Our
arguments are k8s structs, dicts, lists and scalars, nested deep (a Deployment is ~500 values, most
of them the None of unset struct properties): the two walks were about a third of a render worker's
Python time. `install()` replaces the first walk by one that builds exactly what the two walks give
for those shapes, and hands anything else (jsii objects, enums, dates, other types) to jsii's own
walk and the converter, so the request bytes cannot change (tests/synth/test_jsii_wire.py compares
them request by request on a real render). Results get the same treatment: jsii walks every value
a call returns to turn references into Python objects; a chart's `toJson` is ~150 plain values per
object, which `_dereference` copies with exact type checks and hands the rest to jsii's walk.

Only jsii versions whose wire code was compared are touched; with any other, `install()` leaves jsii
as it is.
"""

from __future__ import annotations

from typing import Any

#: the jsii runtime versions whose `_make_reference_for_native` and provider this module mirrors
SUPPORTED_JSII = ("1.142.0",)
#: packages of jsii-generated bindings: their struct properties read `self._values` and nothing else
_GENERATED = frozenset({"cdk8s", "cdk8s_plus_28", "constructs"})

_original: Any = None
_original_dereference: Any = None
_unstructure: Any = None
#: struct class -> (fqn, ((python name, jsii name), ...)), or None for a class that is not one
_structs: dict[type, tuple[str, tuple[tuple[str, str], ...]] | None] = {}


class _Wire(list):
    """Arguments already in wire form: the converter passes them through as they are."""


class _WireMap(dict):
    """A value (of a property `set`) already in wire form."""


def _struct(cls: type) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    try:
        return _structs[cls]
    except KeyError:
        pass
    mapping = getattr(cls, "__jsii_name_mapping__", None)
    fqn = getattr(cls, "__jsii_type__", None)
    code = getattr(getattr(cls, "__init__", None), "__code__", None)
    generated = cls.__module__.split(".")[0] in _GENERATED and code is not None and "_values" in code.co_names
    entry = (fqn, tuple(mapping.items())) if mapping is not None and fqn is not None and generated else None
    _structs[cls] = entry
    return entry


def _wire(kernel: Any, d: Any) -> Any:
    """What jsii's walk followed by the converter's gives for `d`."""
    t = type(d)
    if t is str or t is int or t is float or t is bool or d is None:
        return d
    if t is dict:
        out = {}
        for k, v in d.items():
            if type(k) is not str:
                return _unstructure(_original(kernel, d))
            out[k] = _wire(kernel, v)
        return {"$jsii.map": out}
    if t is list:
        return [_wire(kernel, v) for v in d]
    struct = _struct(t)
    if struct is not None:
        fqn, names = struct
        values = d._values
        return {"$jsii.struct": {"fqn": fqn, "data": {j: _wire(kernel, values.get(p)) for p, j in names}}}
    return _unstructure(_original(kernel, d))


def _passed(value: Any) -> Any:
    """`value` marked so that the converter, which dispatches on the class, leaves it as it is."""
    if type(value) is list:
        return _Wire(value)
    if type(value) is dict:
        return _WireMap(value)
    return value  # a scalar, or the converter's output for an object: the converter returns both unchanged


def _make_reference_for_native(kernel: Any, d: Any) -> Any:
    out = _wire(kernel, d)
    # the converter walks a request's `args` as declared (a list of Any), then each element by its class
    return [_passed(v) for v in out] if type(out) is list else _passed(out)


def _dereference(kernel: Any, d: Any) -> Any:
    """jsii's walk over a call's result (objects by reference become Python objects), for the JSON a
    chart's `toJson` returns: plain dicts, lists and scalars are copied here, anything else is jsii's."""
    t = type(d)
    if t is str or t is int or t is float or t is bool or d is None:
        return d
    if t is dict:
        return {k: _dereference(kernel, v) for k, v in d.items()}
    if t is list:
        return [_dereference(kernel, v) for v in d]
    return _original_dereference(kernel, d)


def install() -> bool:
    """Use the one-walk path in this process's jsii kernel; False (and nothing changed) when this jsii
    is not one it was compared with. Starts the kernel's node process if it is not running yet."""
    global _original, _original_dereference, _unstructure
    import jsii
    import jsii._kernel as kernel_module

    if _original is not None:
        return True
    if jsii.__version__ not in SUPPORTED_JSII:
        return False
    converter = jsii.kernel.provider._process._serializer  # type: ignore[attr-defined]
    identity = lambda value: value  # noqa: E731 - cattrs hooks are plain callables
    converter.register_unstructure_hook(_Wire, identity)
    converter.register_unstructure_hook(_WireMap, identity)
    _original = kernel_module._make_reference_for_native
    _original_dereference = kernel_module._recursize_dereference
    _unstructure = converter.unstructure
    kernel_module._make_reference_for_native = _make_reference_for_native
    kernel_module._recursize_dereference = _dereference
    return True


def uninstall() -> None:
    """Back to jsii's own walk (the tests compare both)."""
    global _original
    import jsii._kernel as kernel_module

    if _original is not None:
        kernel_module._make_reference_for_native = _original
        kernel_module._recursize_dereference = _original_dereference
        _original = None

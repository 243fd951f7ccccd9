"""Which hooks a component lacks: each group package lists its hooks in `HOOKS`.

A hook named in `OPTIONAL` may be None (a scheme with nothing to draw); every other hook must
be callable. tests/components/test_hooks.py runs this over every registered component, so a
component without a cost model (or any other hook of its group) fails the suite.
"""

from __future__ import annotations

import importlib
from typing import Any

OPTIONAL = frozenset({"picture"})
"""Hooks a component may set to None."""


def required_hooks(group: str) -> tuple[str, ...]:
    """The hooks of a group (empty for a group whose package declares none)."""
    try:
        package = importlib.import_module(f"archspec.components.{group}")
    except ModuleNotFoundError:
        return ()
    return tuple(getattr(package, "HOOKS", ()))


def missing_hooks(group: str, impl: Any) -> list[str]:
    """The hooks of `group` that `impl` does not provide."""
    missing = []
    for name in required_hooks(group):
        if not hasattr(impl, name):
            missing.append(name)
            continue
        value = getattr(impl, name)
        if not callable(value) and not (value is None and name in OPTIONAL):
            missing.append(name)
    return missing

"""Import a group's built-in component modules, so that each registers itself.

A group package lists the kinds whose order users see first (error messages, the schema, the
README); every other module of the package is found and imported after them, alphabetically.
So adding a built-in kind is adding its module: nothing else names it.
"""

from __future__ import annotations

import importlib
import pkgutil


def import_components(package: str, path: list[str], first: tuple[str, ...] = ()) -> None:
    """Import `first` (module names inside `package`, in order), then the package's other
    modules; modules starting with '_' are helpers, not components."""
    found = sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_"))
    for name in [*first, *(n for n in found if n not in first)]:
        importlib.import_module(f"{package}.{name}")

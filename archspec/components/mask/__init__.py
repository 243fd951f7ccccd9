"""Self-attention masks of a stack (padding is always masked on top).

Each implementation has the hooks

    check(spec, dims, where)   cross-field problems, `where` the stack's location in model:
    build(spec)                the archspec.nn.masks MaskPolicy the stack applies (torch-free
                               to construct; the policy makes tensors per forward)
"""

from __future__ import annotations

from typing import Any, Protocol

from archspec.components.costs import Dims, Location, Problem
from archspec.components.discover import import_components


class Mask(Protocol):
    """The hooks of a mask kind (see the module docstring)."""

    def check(self, spec: Any, dims: Dims, where: Location) -> list[Problem]: ...
    def build(self, spec: Any) -> Any: ...


HOOKS = ("check", "build")
"""Every attribute a mask implementation must have."""

BUILTINS = ("bidirectional", "causal", "prefix")
"""Built-in kinds in the order users see them; other modules here register after them."""

import_components(__name__, __path__, BUILTINS)

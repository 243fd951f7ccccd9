"""Attention variants. Today one kind, multi-head attention, whose fields give grouped-query and
multi-query attention (kv_heads), the logits scale, QK-norm and q/k/v biases apart from the
output bias; a sliding window is a field of the causal mask (archspec/components/mask/).

Each implementation has the hooks

    check(spec, dims)
        cross-field problems (e.g. heads % kv_heads): [(location in model:, message)]
    build(spec, dims, *, cross, position)
        the nn.Module (torch inside); `position` is the positional scheme's PositionHook for a
        self-attention layer (None for cross-attention and absolute schemes)
    cost(spec, dims, seq_len, *, cross, position)
        its Cost per query token attending to `seq_len` keys; `position` is the hook's Cost
        (whether it forces the attention weights to be materialised), or None
"""

from __future__ import annotations

from typing import Any, Protocol

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.discover import import_components


class Attention(Protocol):
    """The hooks of an attention kind (see the module docstring)."""

    def check(self, spec: Any, dims: Dims) -> list[Problem]: ...
    def build(self, spec: Any, dims: Dims, *, cross: bool, position: Any) -> Any: ...
    def cost(
        self, spec: Any, dims: Dims, seq_len: int, *, cross: bool, position: Cost | None
    ) -> Cost: ...


HOOKS = ("check", "build", "cost")
"""Every attribute an attention implementation must have."""

BUILTINS = ("multihead",)
"""Built-in kinds in the order users see them; other modules here register after them."""

import_components(__name__, __path__, BUILTINS)

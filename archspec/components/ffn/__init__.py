"""Position-wise feed-forward networks, one kind per activation (model.activation names it).

`activation: relu` stays the recipe syntax (a name, not a mapping): the kind's spec class has
no other field. Each implementation has the hooks

    build(spec, dims)      the nn.Module D -> D (archspec.nn.FeedForward; torch inside)
    cost(spec, dims)       its Cost per token: parameters, FLOPs, values kept
"""

from __future__ import annotations

from typing import Any, Protocol

from archspec.components.costs import Cost, Dims, linear
from archspec.components.discover import import_components


class FeedForwardKind(Protocol):
    """The hooks of a feed-forward kind (see the module docstring)."""

    def build(self, spec: Any, dims: Dims) -> Any: ...
    def cost(self, spec: Any, dims: Dims) -> Cost: ...


HOOKS = ("build", "cost")
"""Every attribute a feed-forward implementation must have."""


def ffn_cost(dims: Dims, *, gated: bool, inner_values: int) -> Cost:
    """w_in D -> F (D -> 2F fused gate and value when gated), w_out F -> D; kept per token:
    the input of w_in, `inner_values` x F inside, and nothing else (w_out's input is among
    the inner values)."""
    d, f = dims.d_model, dims.d_ff
    n_in = 2 if gated else 1
    params = {**linear("w_in", d, n_in * f, dims.bias), **linear("w_out", f, d, dims.bias)}
    flops = 2 * d * f * n_in + 2 * f * d
    return Cost(params=params, flops=flops, values=d + inner_values * f)


BUILTINS = ("relu", "gelu", "swiglu")
"""Built-in kinds in the order users see them; other modules here register after them."""

import_components(__name__, __path__, BUILTINS)

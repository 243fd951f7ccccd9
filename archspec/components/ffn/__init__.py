"""Position-wise feed-forward networks, one kind per activation (model.activation names it).

`activation: relu` stays the recipe syntax (a name, not a mapping): the kind's spec class has
no other field. Each implementation has the hooks

    build(spec, dims)      the nn.Module D -> D (archspec.nn.FeedForward; torch inside)
    cost(spec, dims)       its Cost per token: parameters, FLOPs, values kept

`dims.bias` is the feed-forward's own bias (model.ffn_bias, which defaults to model.bias).
Most kinds are one activation function, plain or gated: an `Activated` implementation.
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


class Activated:
    """A feed-forward kind that is one activation (archspec.nn.ffn.ACTIVATIONS), plain or
    gated; `inner_values`: F-wide values autograd keeps per token (analysis/memory.py)."""

    def __init__(self, activation: str, *, gated: bool, inner_values: int) -> None:
        self.activation, self.gated, self.inner_values = activation, gated, inner_values

    def build(self, spec: Any, dims: Dims) -> Any:
        from archspec.nn.ffn import ACTIVATIONS, FeedForward

        fn = ACTIVATIONS[self.activation]
        return FeedForward(dims.d_model, dims.d_ff, fn, gated=self.gated, bias=dims.bias)

    def cost(self, spec: Any, dims: Dims) -> Cost:
        return ffn_cost(dims, gated=self.gated, inner_values=self.inner_values)


GATED_VALUES = 4
"""A gated kind keeps the fused gate and value (2F: the activation's input is a view of it),
the activation's output (F) and the product (F, the input of w_out); bilinear keeps 3F."""

BUILTINS = (
    "relu",
    "gelu",
    "gelu_tanh",
    "swiglu",
    "geglu",
    "geglu_tanh",
    "reglu",
    "glu",
    "bilinear",
)
"""Built-in kinds in the order users see them; other modules here register after them."""

import_components(__name__, __path__, BUILTINS)

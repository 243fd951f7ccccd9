"""Positional schemes: how positions enter the model.

A scheme acts in one or both of two places, and its implementation object has these hooks
(arguments: the scheme's spec and the model's Dims; torch only inside the builders):

    check(spec, dims)              cross-field problems: [(location in model:, message)]
    embedding(spec, dims)          an absolute table added to the token embeddings
                                   (nn.Module called as f(T, offset) -> [T, D]), or None
    embedding_cost(spec, dims)     its Cost (parameters; added to the embeddings for free)
    attention(spec, dims, causal=) a PositionHook (archspec/nn/hooks.py) for self-attention,
                                   or None; `causal`: the stack's mask is causal (a decoder;
                                   a prefix-LM counts as causal) rather than bidirectional
    per_stack                      True: `attention` is called once per stack and its one
                                   hook serves every layer (T5's shared bias table, rotary's
                                   cos/sin tables; parameters are named under layer 0);
                                   False: one hook per layer (Shaw's tables)
    attention_cost(spec, dims, seq_len)
                                   that hook's Cost per query token, or None without a hook
    picture                        a function (model, spec, *, name, state, max_positions,
                                   layers) -> matplotlib figure for `archspec positions`,
                                   or None when the scheme has nothing to draw

Cross-attention never gets a hook: distances between two sequences mean nothing.
"""

from __future__ import annotations

from typing import Any, Protocol

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.discover import import_components


class Positional(Protocol):
    """The hooks of a positional scheme (see the module docstring)."""

    picture: Any
    per_stack: bool

    def check(self, spec: Any, dims: Dims) -> list[Problem]: ...
    def embedding(self, spec: Any, dims: Dims) -> Any: ...
    def embedding_cost(self, spec: Any, dims: Dims) -> Cost: ...
    def attention(self, spec: Any, dims: Dims, *, causal: bool) -> Any: ...
    def attention_cost(self, spec: Any, dims: Dims, seq_len: int) -> Cost | None: ...


HOOKS = ("check", "embedding", "embedding_cost", "attention", "attention_cost", "picture")
"""Every attribute a positional implementation must have (`picture` may be None; `per_stack`
is optional, False when absent)."""


def per_stack(impl: Any) -> bool:
    """Whether one hook of `impl` serves every layer of a stack (see the module docstring)."""
    return bool(getattr(impl, "per_stack", False))


class Absolute:
    """Defaults for a scheme that only adds a table to the embeddings."""

    picture: Any = None
    per_stack: bool = False

    def check(self, spec: Any, dims: Dims) -> list[Problem]:
        return []

    def attention(self, spec: Any, dims: Dims, *, causal: bool) -> Any:
        return None

    def attention_cost(self, spec: Any, dims: Dims, seq_len: int) -> Cost | None:
        return None


BUILTINS = ("sinusoidal", "learned", "relative", "rotary", "alibi", "t5")
"""Built-in kinds in the order users see them; other modules here register after them."""

import_components(__name__, __path__, BUILTINS)

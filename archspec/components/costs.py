"""What components are built from and what they cost, in plain numbers (no torch).

A component's builder and its cost model receive the same `Dims`, the model-wide sizes, so the
two cannot disagree about what is being built. A `Cost` is what one module costs per token:
its parameters (name -> shape, in the order named_parameters() yields them), forward FLOPs and
the activation values autograd keeps for the backward pass. archspec/analysis/structure.py
assembles the costs of every module into one description of the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Shape = tuple[int, ...]
Location = tuple[str | int, ...]
Problem = tuple[Location, str]
"""A cross-field issue found by a component: (location inside model:, message)."""


@dataclass(frozen=True)
class Dims:
    """Model-wide sizes every component may read; all resolved, all plain ints."""

    d_model: int
    heads: int
    d_k: int
    d_v: int
    d_ff: int
    max_len: int
    bias: bool
    """Biases in projections and norms (never on the output projection)."""
    attention_dropout: float = 0.0
    residual_dropout: float = 0.0
    kv_heads: int | None = None
    """Key/value heads of attention (grouped-query attention); None: as many as `heads`."""

    @property
    def key_heads(self) -> int:
        """G: the resolved number of key/value heads."""
        return self.heads if self.kv_heads is None else self.kv_heads


@dataclass(frozen=True)
class Cost:
    """One module's cost per token (of the sequence it processes)."""

    params: Mapping[str, Shape] = field(default_factory=dict)
    """Parameter name (relative to the module) -> shape, in named_parameters() order."""
    flops: int = 0
    """Forward FLOPs per token, matrix products only, 2*m*n*k each (analysis/flops.py)."""
    values: int = 0
    """Activation values kept for the backward pass per token (analysis/memory.py)."""
    kv: int = 0
    """Values a key/value cache keeps per token (attention only)."""
    explicit_scores: bool = False
    """A position hook that needs the T x S attention weights materialised (no fused kernel)."""
    rotates: bool = False
    """A position hook that hands attention new q and k tensors (rotary), counted in its own
    values: the core then keeps those, not the projection's (or the q/k norms') outputs."""


def linear(name: str, d_in: int, d_out: int, bias: bool) -> dict[str, Shape]:
    """The parameters of nn.Linear(d_in, d_out) registered as `name`."""
    out: dict[str, Shape] = {f"{name}.weight": (d_out, d_in)}
    if bias:
        out[f"{name}.bias"] = (d_out,)
    return out


def numel(shape: Shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n

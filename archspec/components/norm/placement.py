"""Where the norms sit around each sub-layer: one entry per placement.

The builder wraps every sub-layer in archspec.nn.Residual with `pre_norm` (and, for sandwich,
a second norm `norm_out` on the sub-layer's output); the structure description counts the
norms of each sub-layer and, where `final_norm`, one after each stack.

    post      x = Norm(x + Dropout(Sublayer(x)))                 (the paper, BERT, BART)
    pre       x = x + Dropout(Sublayer(Norm(x)))  + final norm    (GPT-2, LLaMA, T5)
    sandwich  x = x + Dropout(Norm_out(Sublayer(Norm_in(x))))  + final norm
              (CogView's sandwich LayerNorm; Gemma 2's pre- and post-norms)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PlacementName = Literal["post", "pre", "sandwich"]


@dataclass(frozen=True)
class Placement:
    pre_norm: bool
    """x + Sublayer(Norm(x)) instead of Norm(x + Sublayer(x))."""
    final_norm: bool
    """One more norm after the last layer of each stack."""
    out_norm: bool = False
    """A second norm on the sub-layer's output, before the residual add (sandwich)."""


PLACEMENTS: dict[str, Placement] = {
    "post": Placement(pre_norm=False, final_norm=False),
    "pre": Placement(pre_norm=True, final_norm=True),
    "sandwich": Placement(pre_norm=True, final_norm=True, out_norm=True),
}


def placement(name: str) -> Placement:
    return PLACEMENTS[name]

"""Where the norms sit around each sub-layer: one entry per placement.

The builder wraps every sub-layer in archspec.nn.Residual with `pre_norm`; the structure
description counts one norm per sub-layer and, where `final_norm`, one after each stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PlacementName = Literal["post", "pre"]


@dataclass(frozen=True)
class Placement:
    pre_norm: bool
    """x + Sublayer(Norm(x)) instead of Norm(x + Sublayer(x))."""
    final_norm: bool
    """One more norm after the last layer of each stack."""


PLACEMENTS: dict[str, Placement] = {
    "post": Placement(pre_norm=False, final_norm=False),
    "pre": Placement(pre_norm=True, final_norm=True),
}


def placement(name: str) -> Placement:
    return PLACEMENTS[name]

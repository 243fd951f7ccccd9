"""FFN(x) = max(0, x W_1 + b_1) W_2 + b_2 (the paper's)."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class ReluFFN(Spec):
    """relu: max(0, x W_1 + b_1) W_2 + b_2."""

    kind: Literal["relu"] = "relu"


# kept per token besides the input: relu's output (its mask too)
register("ffn", ReluFFN, Activated("relu", gated=False, inner_values=1))

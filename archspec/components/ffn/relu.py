"""FFN(x) = max(0, x W_1 + b_1) W_2 + b_2 (the paper's)."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims
from archspec.components.ffn import ffn_cost
from archspec.components.registry import register
from archspec.spec.base import Spec


class ReluFFN(Spec):
    """relu: max(0, x W_1 + b_1) W_2 + b_2."""

    kind: Literal["relu"] = "relu"


class Relu:
    def build(self, spec: ReluFFN, dims: Dims) -> Any:
        from torch.nn import functional as F

        from archspec.nn.ffn import FeedForward

        return FeedForward(dims.d_model, dims.d_ff, F.relu, gated=False, bias=dims.bias)

    def cost(self, spec: ReluFFN, dims: Dims) -> Cost:
        return ffn_cost(dims, gated=False, inner_values=1)  # relu's output (its mask too)


register("ffn", ReluFFN, Relu())

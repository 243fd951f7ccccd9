"""FFN(x) = GELU(x W_1 + b_1) W_2 + b_2, the exact (erf) GELU as BERT and nn.Transformer."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims
from archspec.components.ffn import ffn_cost
from archspec.components.registry import register
from archspec.spec.base import Spec


class GeluFFN(Spec):
    """gelu: GELU(x W_1 + b_1) W_2 + b_2, erf form."""

    kind: Literal["gelu"] = "gelu"


class Gelu:
    def build(self, spec: GeluFFN, dims: Dims) -> Any:
        from torch.nn import functional as F

        from archspec.nn.ffn import FeedForward

        return FeedForward(dims.d_model, dims.d_ff, F.gelu, gated=False, bias=dims.bias)

    def cost(self, spec: GeluFFN, dims: Dims) -> Cost:
        return ffn_cost(dims, gated=False, inner_values=2)  # gelu's input and output


register("ffn", GeluFFN, Gelu())

"""SwiGLU (Shazeer 2020): FFN(x) = (swish(x W) * (x V)) W_2, three matrices."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims
from archspec.components.ffn import ffn_cost
from archspec.components.registry import register
from archspec.spec.base import Spec


class SwigluFFN(Spec):
    """swiglu: (silu(x W) * (x V)) W_2; W and V fused into one D -> 2F projection."""

    kind: Literal["swiglu"] = "swiglu"


class Swiglu:
    def build(self, spec: SwigluFFN, dims: Dims) -> Any:
        from torch.nn import functional as F

        from archspec.nn.ffn import FeedForward

        return FeedForward(dims.d_model, dims.d_ff, F.silu, gated=True, bias=dims.bias)

    def cost(self, spec: SwigluFFN, dims: Dims) -> Cost:
        return ffn_cost(dims, gated=True, inner_values=4)  # gate, value, silu(gate), product


register("ffn", SwigluFFN, Swiglu())

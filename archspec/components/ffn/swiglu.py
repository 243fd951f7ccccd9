"""SwiGLU (Shazeer 2020): FFN(x) = (swish(x W) * (x V)) W_2, three matrices."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import GATED_VALUES, Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class SwigluFFN(Spec):
    """swiglu: (silu(x W) * (x V)) W_2; W and V fused into one D -> 2F projection."""

    kind: Literal["swiglu"] = "swiglu"


# kept per token besides the input: gate and value, silu(gate), product
register("ffn", SwigluFFN, Activated("silu", gated=True, inner_values=GATED_VALUES))

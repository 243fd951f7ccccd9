"""FFN(x) = GELU(x W_1 + b_1) W_2 + b_2, the exact (erf) GELU as BERT and nn.Transformer."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class GeluFFN(Spec):
    """gelu: GELU(x W_1 + b_1) W_2 + b_2, erf form."""

    kind: Literal["gelu"] = "gelu"


# kept per token besides the input: gelu's input and output
register("ffn", GeluFFN, Activated("gelu", gated=False, inner_values=2))

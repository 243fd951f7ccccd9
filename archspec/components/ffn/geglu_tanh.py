"""GEGLU with the tanh GELU: (GELU_tanh(x W) * (x V)) W_2 (T5 v1.1's gated-gelu, Gemma)."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import GATED_VALUES, Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class GegluTanhFFN(Spec):
    """geglu_tanh: (gelu_tanh(x W) * (x V)) W_2 (T5 v1.1, Gemma); W and V fused."""

    kind: Literal["geglu_tanh"] = "geglu_tanh"


# kept per token besides the input: gate and value, gelu(gate), product
register("ffn", GegluTanhFFN, Activated("gelu_tanh", gated=True, inner_values=GATED_VALUES))

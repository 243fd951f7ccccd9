"""FFN(x) = GELU_tanh(x W_1 + b_1) W_2 + b_2: GPT-2's "gelu_new" (Hendrycks & Gimpel's tanh
approximation), 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class GeluTanhFFN(Spec):
    """gelu_tanh: the tanh approximation of GELU (GPT-2, GPT-J, Gemma's gated form)."""

    kind: Literal["gelu_tanh"] = "gelu_tanh"


# kept per token besides the input: its input and output
register("ffn", GeluTanhFFN, Activated("gelu_tanh", gated=False, inner_values=2))

"""GEGLU (Shazeer 2020): FFN(x) = (GELU(x W) * (x V)) W_2, the exact (erf) GELU."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import GATED_VALUES, Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class GegluFFN(Spec):
    """geglu: (gelu(x W) * (x V)) W_2, erf GELU; W and V fused into one D -> 2F projection."""

    kind: Literal["geglu"] = "geglu"


# kept per token besides the input: gate and value, gelu(gate), product
register("ffn", GegluFFN, Activated("gelu", gated=True, inner_values=GATED_VALUES))

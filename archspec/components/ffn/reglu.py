"""ReGLU (Shazeer 2020): FFN(x) = (max(0, x W) * (x V)) W_2."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import GATED_VALUES, Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class RegluFFN(Spec):
    """reglu: (relu(x W) * (x V)) W_2; W and V fused into one D -> 2F projection."""

    kind: Literal["reglu"] = "reglu"


# kept per token besides the input: gate and value, relu(gate), product
register("ffn", RegluFFN, Activated("relu", gated=True, inner_values=GATED_VALUES))

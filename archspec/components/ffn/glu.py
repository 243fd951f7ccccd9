"""GLU (Dauphin et al. 2017, as an FFN in Shazeer 2020): (sigmoid(x W) * (x V)) W_2."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import GATED_VALUES, Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class GluFFN(Spec):
    """glu: (sigmoid(x W) * (x V)) W_2; W and V fused into one D -> 2F projection."""

    kind: Literal["glu"] = "glu"


# kept per token besides the input: gate and value, sigmoid(gate), product
register("ffn", GluFFN, Activated("sigmoid", gated=True, inner_values=GATED_VALUES))

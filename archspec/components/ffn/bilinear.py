"""Bilinear (Shazeer 2020): FFN(x) = ((x W) * (x V)) W_2, a gate without activation."""

from __future__ import annotations

from typing import Literal

from archspec.components.ffn import Activated
from archspec.components.registry import register
from archspec.spec.base import Spec


class BilinearFFN(Spec):
    """bilinear: ((x W) * (x V)) W_2; W and V fused into one D -> 2F projection."""

    kind: Literal["bilinear"] = "bilinear"


# kept per token besides the input: gate and value, product
register("ffn", BilinearFFN, Activated("identity", gated=True, inner_values=3))

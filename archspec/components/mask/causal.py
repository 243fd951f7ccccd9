"""Position i attends to positions j <= i only (the decoder's look-ahead mask)."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Dims, Location, Problem
from archspec.components.registry import register
from archspec.spec.base import Spec


class CausalMask(Spec):
    """Position i attends to positions j <= i only (look-ahead mask)."""

    kind: Literal["causal"] = "causal"
    """Which self-attention mask (the kinds are listed under the stack's mask)."""


class Causal:
    def check(self, spec: CausalMask, dims: Dims, where: Location) -> list[Problem]:
        return []

    def build(self, spec: CausalMask) -> Any:
        from archspec.nn.mask_policies import Causal as Policy

        return Policy()


register("mask", CausalMask, Causal())

"""Position i attends to positions j <= i only (the decoder's look-ahead mask), optionally
within a sliding window (Mistral, Beltagy et al. 2020's local attention): i - W < j <= i."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Dims, Location, Problem
from archspec.components.registry import register
from archspec.spec.base import Spec


class CausalMask(Spec):
    """Position i attends to positions j <= i only (look-ahead mask)."""

    kind: Literal["causal"] = "causal"
    """Which self-attention mask (the kinds are listed under the stack's mask)."""
    window: int | None = Field(None, ge=1)
    """Sliding-window attention: position i sees only the W keys i - W < j <= i (Mistral 7B:
    4096); null: every earlier position. Stacked layers still pass information further back."""


class Causal:
    def check(self, spec: CausalMask, dims: Dims, where: Location) -> list[Problem]:
        return []

    def build(self, spec: CausalMask) -> Any:
        from archspec.nn.mask_policies import Causal as Policy

        return Policy(spec.window)


register("mask", CausalMask, Causal())

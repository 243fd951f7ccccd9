"""Every position attends to every non-padding position (an encoder's mask)."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Dims, Location, Problem
from archspec.components.registry import register
from archspec.spec.base import Spec


class BidirectionalMask(Spec):
    """Every position attends to every non-padding position."""

    kind: Literal["bidirectional"] = "bidirectional"
    """Which self-attention mask (the kinds are listed under the stack's mask)."""


class Bidirectional:
    def check(self, spec: BidirectionalMask, dims: Dims, where: Location) -> list[Problem]:
        return []

    def build(self, spec: BidirectionalMask) -> Any:
        from archspec.nn.mask_policies import Bidirectional as Policy

        return Policy()


register("mask", BidirectionalMask, Bidirectional())

"""No positional information at all (NoPE; Kazemnejad et al. 2023 study it in decoders).

Nothing is added to the embeddings and attention gets no hook, so attention keeps SDPA's fastest
kernels. A causal decoder can still infer positions from its mask; a bidirectional encoder
without positions treats its input as a bag of tokens (its outputs permute with its inputs).
"""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims
from archspec.components.positional import Absolute
from archspec.components.registry import register
from archspec.spec.base import Spec


class NoPositions(Spec):
    """No positional information: no table, no attention bias (NoPE)."""

    kind: Literal["none"] = "none"
    """Which positional scheme (the kinds are listed under model.positional)."""


class NoPositionsImpl(Absolute):
    picture: Any = None  # nothing to draw

    def embedding(self, spec: NoPositions, dims: Dims) -> Any:
        return None

    def embedding_cost(self, spec: NoPositions, dims: Dims) -> Cost:
        return Cost()


register("positional", NoPositions, NoPositionsImpl())

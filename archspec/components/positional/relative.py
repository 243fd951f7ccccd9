"""Shaw, Uszkoreit & Vaswani (2018): learned embeddings of the clipped distance j - i.

Lives entirely inside self-attention (archspec/nn/relative.py): one key table a^K [R, Dk] and
optionally one value table a^V [R, Dv] per layer, R = 2k + 1 distances, shared across heads.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.registry import register
from archspec.spec.base import Spec


class RelativePositions(Spec):
    """Shaw, Uszkoreit & Vaswani (2018): learned embeddings of the clipped distance j - i,
    one key table and one value table per layer, shared across heads; no absolute encoding."""

    kind: Literal["relative"] = "relative"
    """Which positional scheme (the kinds are listed under model.positional)."""
    max_distance: int = Field(16, ge=1)
    """Clipping distance k: distances beyond +-k share one embedding (2k + 1 embeddings per
    table)."""
    values: bool = True
    """Also learn the value table a^V (False keeps only the key term, which can run as an
    additive attention bias)."""


class Relative:
    per_stack = False  # every layer learns its own tables

    def check(self, spec: RelativePositions, dims: Dims) -> list[Problem]:
        return []

    def embedding(self, spec: RelativePositions, dims: Dims) -> Any:
        return None

    def embedding_cost(self, spec: RelativePositions, dims: Dims) -> Cost:
        return Cost()

    def attention(self, spec: RelativePositions, dims: Dims, *, causal: bool) -> Any:
        from archspec.nn.relative import RelativePositions as Tables

        return Tables(spec.max_distance, dims.d_k, dims.d_v, values=spec.values)

    def attention_cost(self, spec: RelativePositions, dims: Dims, seq_len: int) -> Cost:
        """Per query token: q . a^K^T over R distances [Dk x R] and, with value tables, the
        bucketed weights . a^V [R x Dv]; kept: the scaled q, the distance scores (and the
        bucketed weights)."""
        rows, h = 2 * spec.max_distance + 1, dims.heads
        params = {"key_table": (rows, dims.d_k)}
        flops = 2 * h * dims.d_k * rows
        if spec.values:
            params["value_table"] = (rows, dims.d_v)
            flops += 2 * h * rows * dims.d_v
        values = h * dims.d_k + h * rows * (2 if spec.values else 1)
        return Cost(params=params, flops=flops, values=values, explicit_scores=True)

    @staticmethod
    def picture(model: Any, spec: RelativePositions, **options: Any) -> Any:
        from archspec.pictures.positions import relative_figure

        return relative_figure(model, **options)


register("positional", RelativePositions, Relative())

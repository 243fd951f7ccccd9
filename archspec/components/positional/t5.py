"""T5's bucketed relative position bias (Raffel et al. 2020): a learned scalar per head and
distance bucket, one table per stack shared by its layers (archspec/nn/t5_bias.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.positional.alibi import flash_bias_values
from archspec.components.registry import register
from archspec.spec.base import Spec


class T5Positions(Spec):
    """T5's relative bias: distances j - i fall into log-spaced buckets, each with a learned
    bias per head; bidirectional in an encoder, causal in a decoder; one table per stack."""

    kind: Literal["t5"] = "t5"
    """Which positional scheme (the kinds are listed under model.positional)."""
    buckets: int = Field(32, ge=4)
    """Number of distance buckets (T5: 32); an encoder gives half to each direction."""
    max_distance: int = Field(128, ge=2)
    """Distances from here on share the last bucket (T5: 128)."""


class T5:
    per_stack = True
    """One table per stack, shared by its layers (named under layer 0, as T5 does)."""

    def check(self, spec: T5Positions, dims: Dims) -> list[Problem]:
        if spec.max_distance <= spec.buckets // 4:
            return [
                (
                    ("positional", "max_distance"),
                    f"max_distance {spec.max_distance} must exceed the {spec.buckets // 4} exact "
                    f"distances of {spec.buckets} buckets (T5: 128 for 32 buckets)",
                )
            ]
        return []

    def embedding(self, spec: T5Positions, dims: Dims) -> Any:
        return None

    def embedding_cost(self, spec: T5Positions, dims: Dims) -> Cost:
        return Cost()

    def attention(self, spec: T5Positions, dims: Dims, *, causal: bool) -> Any:
        from archspec.nn.t5_bias import T5RelativeBias

        return T5RelativeBias(
            dims.heads, buckets=spec.buckets, max_distance=spec.max_distance, causal=causal
        )

    def attention_cost(self, spec: T5Positions, dims: Dims, seq_len: int) -> Cost:
        """Parameters: the [buckets, heads] table (listed under layer 0 only); FLOPs 0 (a
        look-up). Kept: as ALiBi (the CPU flash kernel with the bias, archspec/nn/flash_bias.py,
        whose backward recomputes the T x S weights for the bias's gradient); with attention
        dropout or d_k != d_v SDPA's math path runs, which keeps the T x S weights
        (explicit_scores) and its own scaled copies of q and k."""
        params = {"weight": (spec.buckets, dims.heads)}
        if dims.attention_dropout > 0 or dims.d_k != dims.d_v:
            return Cost(params=params, explicit_scores=True)
        return Cost(params=params, values=flash_bias_values(dims))

    @staticmethod
    def picture(model: Any, spec: T5Positions, **options: Any) -> Any:
        from archspec.pictures.position_biases import t5_figure

        return t5_figure(model, spec, **options)


register("positional", T5Positions, T5())

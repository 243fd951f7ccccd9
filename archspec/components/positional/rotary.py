"""Rotary position embeddings (RoPE; Su et al. 2021): q and k turned by their position.

Lives entirely inside self-attention (archspec/nn/rotary.py): no parameters, no bias, so
attention keeps SDPA's fused kernels. One hook (its cos/sin tables) serves a whole stack.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.registry import register
from archspec.spec.base import Spec


class RotaryPositions(Spec):
    """Rotary embeddings (RoPE): each pair of a head's query/key dims is rotated by the angle
    position * base^(-2p/R); q.k then depends on the distance only."""

    kind: Literal["rotary"] = "rotary"
    """Which positional scheme (the kinds are listed under model.positional)."""
    base: float = Field(10000.0, gt=1.0)
    """theta: the wavelength base of the rotation frequencies (10000 in RoFormer and LLaMA)."""
    fraction: float = Field(1.0, gt=0.0, le=1.0)
    """Share of each head's d_k dims that are rotated, the first int(d_k * fraction) of them
    (partial rotary: GPT-NeoX 0.25, Phi 0.4); the rest pass through unchanged."""
    pairing: Literal["halves", "interleaved"] = "halves"
    """Which dims are rotated together: halves pairs dim p with p + R/2 (GPT-NeoX, HF LLaMA);
    interleaved pairs 2p with 2p + 1 (RoFormer, GPT-J)."""
    scaling: float = Field(1.0, ge=1.0)
    """Linear position scaling (position interpolation): positions are divided by it, to run
    at a context `scaling` times longer than trained."""


def rotated_dims(spec: RotaryPositions, dims: Dims) -> int:
    """R: how many of each head's d_k dims are rotated."""
    return int(dims.d_k * spec.fraction)


class Rotary:
    per_stack = True
    """One hook (one pair of cos/sin tables) for every layer of a stack."""

    def check(self, spec: RotaryPositions, dims: Dims) -> list[Problem]:
        r = rotated_dims(spec, dims)
        if dims.d_k and (r % 2 or r < 2):
            return [
                (
                    ("positional", "fraction"),
                    f"rotary turns pairs of dims, but d_k {dims.d_k} x fraction {spec.fraction:g}"
                    f" gives {r} rotated dims; choose a fraction giving an even number >= 2",
                )
            ]
        return []

    def embedding(self, spec: RotaryPositions, dims: Dims) -> Any:
        return None

    def embedding_cost(self, spec: RotaryPositions, dims: Dims) -> Cost:
        return Cost()

    def attention(self, spec: RotaryPositions, dims: Dims, *, causal: bool) -> Any:
        from archspec.nn.rotary import RotaryPositions as Hook

        return Hook(
            rotated_dims(spec, dims),
            dims.max_len,
            base=spec.base,
            pairing=spec.pairing,
            scale=spec.scaling,
        )

    def attention_cost(self, spec: RotaryPositions, dims: Dims, seq_len: int) -> Cost:
        """No parameters; FLOPs 0 (an elementwise rotation; only matrix products count). Kept
        per token: the rotated q (H heads) and k (G = kv_heads heads), (H + G) Dk new tensors
        beside the fused projection, when the fused kernel keeps its inputs; the math path
        (attention dropout, d_k != d_v) keeps its own scaled copies instead, counted by
        attention already."""
        if dims.attention_dropout > 0 or dims.d_k != dims.d_v:
            return Cost(rotates=True)
        return Cost(values=(dims.heads + dims.key_heads) * dims.d_k, rotates=True)

    @staticmethod
    def picture(model: Any, spec: RotaryPositions, **options: Any) -> Any:
        from archspec.pictures.position_biases import rotary_figure

        return rotary_figure(model, spec, **options)


register("positional", RotaryPositions, Rotary())

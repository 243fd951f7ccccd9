"""ALiBi (Press, Smith & Lewis 2022): a fixed per-head linear distance penalty on the logits.

Lives inside self-attention (archspec/nn/alibi.py) as an additive float bias handed to SDPA,
made once per stack forward; no parameters. Causal stacks: -m (i - j); encoders: -m |i - j|.
"""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.registry import register
from archspec.spec.base import Spec


class AlibiPositions(Spec):
    """ALiBi: each head adds -m_h * distance to its logits (slopes 2^(-8h/H), Press et al.'s
    rule for a head count that is not a power of two); symmetric -m|i-j| in an encoder."""

    kind: Literal["alibi"] = "alibi"
    """Which positional scheme (the kinds are listed under model.positional)."""


def flash_bias_values(dims: Dims) -> int:
    """Values per token a biased self-attention keeps beside attention's own on the CPU flash
    kernel (archspec/nn/flash_bias.py): the pre-scaled q (H Dk)."""
    return dims.heads * dims.d_k


class Alibi:
    per_stack = True
    """One hook (one bias per stack forward) for every layer of a stack."""

    def check(self, spec: AlibiPositions, dims: Dims) -> list[Problem]:
        return []

    def embedding(self, spec: AlibiPositions, dims: Dims) -> Any:
        return None

    def embedding_cost(self, spec: AlibiPositions, dims: Dims) -> Cost:
        return Cost()

    def attention(self, spec: AlibiPositions, dims: Dims, *, causal: bool) -> Any:
        from archspec.nn.alibi import AlibiPositions as Hook

        return Hook(dims.heads, causal=causal)

    def attention_cost(self, spec: AlibiPositions, dims: Dims, seq_len: int) -> Cost:
        """No parameters, no FLOPs (elementwise); kept: flash_bias_values. The [H, T, S] bias is
        made once per stack and needs no gradient."""
        math_path = dims.attention_dropout > 0 or dims.d_k != dims.d_v
        return Cost(values=0 if math_path else flash_bias_values(dims))

    @staticmethod
    def picture(model: Any, spec: AlibiPositions, **options: Any) -> Any:
        from archspec.pictures.position_biases import alibi_figure

        return alibi_figure(model, spec, **options)


register("positional", AlibiPositions, Alibi())

"""Multi-head attention (Vaswani et al. 2017, 3.2.2): Concat(head_1 .. head_H) W^O."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims, Problem, linear
from archspec.components.registry import register
from archspec.spec.base import Spec


class MultiHeadSpec(Spec):
    """H heads of scaled dot-product attention, each with its own queries, keys and values
    (sizes model.heads, model.d_k, model.d_v)."""

    kind: Literal["multihead"] = "multihead"
    """Which attention (the kinds are listed under model.attention)."""


class MultiHead:
    def check(self, spec: MultiHeadSpec, dims: Dims) -> list[Problem]:
        return []

    def build(self, spec: MultiHeadSpec, dims: Dims, *, cross: bool, position: Any) -> Any:
        from archspec.nn.attention import MultiHeadAttention

        return MultiHeadAttention(
            dims.d_model,
            dims.heads,
            dims.d_k,
            dims.d_v,
            bias=dims.bias,
            dropout=dims.attention_dropout,
            cross=cross,
            position=position,
        )

    def cost(
        self, spec: MultiHeadSpec, dims: Dims, seq_len: int, *, cross: bool, position: Cost | None
    ) -> Cost:
        """Parameters: fused W^Q W^K W^V (cross-attention: W^Q and fused W^K W^V), W^O.

        FLOPs per query token: the projections (a cross-attention layer's K/V projection of one
        source token is charged to one target token), Q.K^T and A.V over `seq_len` keys.

        Values kept: the input, q, k, v, the merged heads (W^O's input) and the attention core:
        H (log-sum-exp) for the fused kernel, or H x S probabilities (3 H x S with attention
        dropout: its mask and result) when the weights are materialised (attention dropout, a
        position hook that needs them, or d_k != d_v, which the fused CPU kernel rejects).
        """
        d, h, dk, dv, s = dims.d_model, dims.heads, dims.d_k, dims.d_v, seq_len
        b = dims.bias
        if cross:
            params = {**linear("q", d, h * dk, b), **linear("kv", d, h * (dk + dv), b)}
        else:
            params = linear("qkv", d, h * (2 * dk + dv), b)
        params.update(linear("out", h * dv, d, b))
        flops = 2 * d * h * (2 * dk + dv) + 2 * h * dv * d + 2 * h * s * (dk + dv)
        values = d + h * (2 * dk + dv) + h * dv
        dropout = dims.attention_dropout > 0
        explicit = position is not None and position.explicit_scores
        if dropout or explicit or dk != dv:
            values += h * s * (3 if dropout else 1)
        else:
            values += h
        return Cost(params=params, flops=flops, values=values, kv=h * (dk + dv))


register("attention", MultiHeadSpec, MultiHead())

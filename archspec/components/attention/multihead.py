"""Multi-head attention (Vaswani et al. 2017, 3.2.2): Concat(head_1 .. head_H) W^O, with the
variants published models use: fewer key/value heads (grouped-query attention, Ainslie et al.
2023; multi-query, Shazeer 2019), another logits scale (T5: none), query/key normalisation and
biases on the q/k/v projections apart from the output projection (Qwen2)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from archspec.components.costs import Cost, Dims, Problem, linear
from archspec.components.registry import register
from archspec.spec.base import Spec
from archspec.suggest import did_you_mean

SCALE_WORDS = ("default", "none")


def _scale_word(value: Any) -> Any:
    """One clear message for a value that is no scale (not one message per union member)."""
    allowed = "use default (1/sqrt(d_k)), none (no scale) or a positive number"
    if isinstance(value, str) and value not in SCALE_WORDS:
        hint = did_you_mean(value, SCALE_WORDS)
        raise PydanticCustomError("scale", f"'{value}' is not a scale: {allowed}{hint}")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if (number and value <= 0) or not (number or isinstance(value, str)):
        raise PydanticCustomError("scale", f"{value!r} is not a scale: {allowed}")
    return value


class MultiHeadSpec(Spec):
    """H heads of scaled dot-product attention (sizes model.heads, model.d_k, model.d_v); the
    keys and values may have fewer heads, each shared by heads / kv_heads query heads."""

    kind: Literal["multihead"] = "multihead"
    """Which attention (the kinds are listed under model.attention)."""
    kv_heads: int | None = Field(None, ge=1)
    """Key/value heads (grouped-query attention; 1 is multi-query attention); must divide
    model.heads. null: as many as model.heads (ordinary multi-head attention)."""
    scale: Annotated[
        Literal["default", "none"] | Annotated[float, Field(gt=0)], BeforeValidator(_scale_word)
    ] = "default"
    """Factor on the logits q.k: default 1/sqrt(d_k); none (T5, which folds it into its
    initialisation); or a number."""
    qk_norm: Literal["none", "layernorm", "rmsnorm"] = "none"
    """Normalise each head's queries and keys over d_k before the dot product (and before a
    rotary position's rotation): one gain (and a bias for layernorm with model.bias) shared by
    every head, as OLMo 2 and Qwen3 do."""
    qk_norm_eps: float = Field(1e-6, gt=0)
    """Epsilon of the query/key norm."""
    qkv_bias: bool | None = None
    """Biases on the query, key and value projections (Qwen2: on); null: model.bias."""
    out_bias: bool | None = None
    """Bias on the output projection W^O (Qwen2: off); null: model.bias."""


def kv_heads_of(spec: MultiHeadSpec, dims: Dims) -> int:
    """The resolved number of key/value heads."""
    return dims.heads if spec.kv_heads is None else spec.kv_heads


def scale_of(spec: MultiHeadSpec, dims: Dims) -> float:
    """The resolved factor on the logits."""
    if spec.scale == "default":
        return 1.0 / math.sqrt(dims.d_k)
    if spec.scale == "none":
        return 1.0
    return float(spec.scale)


def _biases(spec: MultiHeadSpec, dims: Dims) -> tuple[bool, bool]:
    qkv = dims.bias if spec.qkv_bias is None else spec.qkv_bias
    out = dims.bias if spec.out_bias is None else spec.out_bias
    return qkv, out


class MultiHead:
    def check(self, spec: MultiHeadSpec, dims: Dims) -> list[Problem]:
        g = spec.kv_heads
        if g is None or dims.heads < 1 or (g <= dims.heads and dims.heads % g == 0):
            return []
        valid = [n for n in range(1, dims.heads + 1) if dims.heads % n == 0]
        return [
            (
                ("attention", "kv_heads"),
                f"{g} key/value heads cannot be shared evenly by model.heads {dims.heads} query "
                f"heads; kv_heads must divide heads: one of {', '.join(map(str, valid))}",
            )
        ]

    def build(self, spec: MultiHeadSpec, dims: Dims, *, cross: bool, position: Any) -> Any:
        from archspec.nn.attention import MultiHeadAttention
        from archspec.nn.norms import LayerNorm, RMSNorm

        def qk_norm() -> Any:
            match spec.qk_norm:
                case "none":
                    return None
                case "layernorm":
                    return LayerNorm(dims.d_k, eps=spec.qk_norm_eps, bias=dims.bias)
                case "rmsnorm":
                    return RMSNorm(dims.d_k, eps=spec.qk_norm_eps)

        qkv_bias, out_bias = _biases(spec, dims)
        return MultiHeadAttention(
            dims.d_model,
            dims.heads,
            dims.d_k,
            dims.d_v,
            kv_heads=kv_heads_of(spec, dims),
            bias=qkv_bias,
            out_bias=out_bias,
            scale=scale_of(spec, dims),
            q_norm=qk_norm(),
            k_norm=qk_norm(),
            dropout=dims.attention_dropout,
            cross=cross,
            position=position,
        )

    def cost(
        self, spec: MultiHeadSpec, dims: Dims, seq_len: int, *, cross: bool, position: Cost | None
    ) -> Cost:
        """Parameters: fused W^Q W^K W^V (cross-attention: W^Q and fused W^K W^V), W^O, then the
        query and key norms. K and V have G = kv_heads heads.

        FLOPs per query token: the projections (a cross-attention layer's K/V projection of one
        source token is charged to one target token), Q.K^T and A.V over `seq_len` keys (all H
        query heads; a sliding window is counted dense, as SDPA on CPU computes it).

        Values kept: the input, q (H heads), k and v (G heads), the merged heads (W^O's input),
        the query/key norms' inputs and statistics, and the attention core: H (log-sum-exp) for
        the fused kernel, which shares each K/V head without copying it, or H x S probabilities
        (3 H x S with attention dropout: its mask and result) with K, V repeated to H heads
        (which the products keep instead of the projection's output) when the weights are
        materialised (attention dropout, a position hook that needs them, or
        d_k != d_v, which the fused CPU kernel rejects).
        """
        d, h, dk, dv, s = dims.d_model, dims.heads, dims.d_k, dims.d_v, seq_len
        g = kv_heads_of(spec, dims)
        flops = 2 * d * (h * dk + g * (dk + dv)) + 2 * h * dv * d + 2 * h * s * (dk + dv)
        return Cost(
            params=_params(spec, dims, cross),
            flops=flops,
            values=_values(spec, dims, s, position),
            kv=g * (dk + dv),
        )


def _params(spec: MultiHeadSpec, dims: Dims, cross: bool) -> dict[str, tuple[int, ...]]:
    d, h, dk, dv = dims.d_model, dims.heads, dims.d_k, dims.d_v
    g = kv_heads_of(spec, dims)
    qkv_bias, out_bias = _biases(spec, dims)
    if cross:
        params = {**linear("q", d, h * dk, qkv_bias), **linear("kv", d, g * (dk + dv), qkv_bias)}
    else:
        params = linear("qkv", d, h * dk + g * (dk + dv), qkv_bias)
    params.update(linear("out", h * dv, d, out_bias))
    if spec.qk_norm != "none":
        for name in ("q_norm", "k_norm"):
            params[f"{name}.weight"] = (dk,)
            if spec.qk_norm == "layernorm" and dims.bias:
                params[f"{name}.bias"] = (dk,)
    return params


def _values(spec: MultiHeadSpec, dims: Dims, s: int, position: Cost | None) -> int:
    """Activation values kept per query token (MultiHead.cost's docstring)."""
    d, h, dk, dv = dims.d_model, dims.heads, dims.d_k, dims.d_v
    g = kv_heads_of(spec, dims)
    values = d + h * dk + g * (dk + dv) + h * dv
    dropout = dims.attention_dropout > 0
    explicit = position is not None and position.explicit_scores
    materialised = dropout or explicit or dk != dv
    if materialised:
        values += h * s * (3 if dropout else 1)
        values += (h - g) * (dk + dv)  # K and V repeated to H heads, kept in their place
    else:
        values += h
    if spec.qk_norm != "none":
        stats = 2 if spec.qk_norm == "layernorm" else dk + 1  # mean, rstd | rstd, x * rstd
        if materialised:  # the norms' inputs keep the projection's output alive
            values += h * dk + g * (dk + dv) + (h + g) * stats
        else:  # SDPA keeps the normed q, k (or, after a rotation, the rotated ones, which
            # the hook counts); its output then has their [B, H, T, Dk] layout: merging heads
            # copies it
            rotated = position is not None and position.rotates
            values += (h + g) * (stats + (0 if rotated else dk)) + h * dv
    return values


register("attention", MultiHeadSpec, MultiHead())

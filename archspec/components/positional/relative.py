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

BAND_BLOCK = 32
"""Queries per block of the fused causal path's band products (archspec/nn/relative.py)."""


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

        return Tables(spec.max_distance, dims.d_k, dims.d_v, values=spec.values, block=BAND_BLOCK)

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

    def causal_attention_cost(self, spec: RelativePositions, dims: Dims, seq_len: int) -> Cost:
        """`attention_cost` in causal self-attention, where (with a value table, and no
        attention dropout or in eval mode) the fused path of archspec/nn/relative.py runs:
        its FLOPs always (a forward without dropout); its values unless attention dropout
        makes training take the explicit path. It keeps no T x S
        weights but, per query (T = seq_len, L = T - k + 1 far queries, M = ceil(T / C)
        blocks of C queries, C + k - 1 band keys each, D' = max(Dk, Dv) + 1): the far SDPA's
        q, k, v and output (4 L D'), the scaled q, the band weights twice, its output and
        three per-row scalars, and per block the band's q, key and value windows and weight
        spread; attention's own cost counts q, k, v (the fused path does not keep them:
        subtracted) and the kernel's log-sum-exp (kept, by the far call). FLOPs: the band's
        products and the far call's Q.K^T and A.V (L x L, as SDPA's math backend counts them)
        in place of attention's own T x S products."""
        explicit = self.attention_cost(spec, dims, seq_len)
        if not spec.values:
            return explicit
        h, dk, dv, n, t = dims.heads, dims.d_k, dims.d_v, spec.max_distance, seq_len
        c = max(n, BAND_BLOCK)
        blocks, far = -(-t // c), max(t - n + 1, 0)
        kept = 4 * far * (max(dk, dv) + 1) + t * (dk + 2 * n + dv + 3)
        kept += blocks * (c * dk + (c + n - 1) * (dk + dv + c))
        rows = 2 * n + 1
        params = {"key_table": (rows, dk), "value_table": (rows, dv)}
        # q.a^K over R distances, beta.a^V over k, the band blocks, the far call's two products
        work = t * (dk * rows + n * dv) + blocks * c * (c + n - 1) * (dk + dv)
        work += 2 * far * far * (max(dk, dv) + 1)
        flops = -(-2 * h * work // t) - 2 * h * t * (dk + dv)  # attention counts Q.K^T, A.V
        if dims.attention_dropout > 0:  # training keeps the explicit path's values
            return Cost(params=params, flops=flops, values=explicit.values, explicit_scores=True)
        values = -(-h * kept // t) - h * (2 * dk + dv)
        return Cost(params=params, flops=flops, values=values)

    @staticmethod
    def picture(model: Any, spec: RelativePositions, **options: Any) -> Any:
        from archspec.pictures.positions import relative_figure

        return relative_figure(model, **options)


register("positional", RelativePositions, Relative())

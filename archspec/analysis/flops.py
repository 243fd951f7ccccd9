"""Forward FLOPs per token at a sequence length, from the spec alone.

Convention (the one torch.utils.flop_counter.FlopCounterMode uses, so the two compare like with
like): only matrix products count, each as 2·m·n·k (a multiply and an add per term).  That
covers the Q/K/V and output projections, Q·Kᵀ and A·V, the feed-forward matrices, the output
projection and the relative-position terms.  Elementwise work (softmax, norms, activations,
bias adds, residual adds, dropout, the sqrt(d_model) scale) and table look-ups (embeddings,
gathers) count zero: together they are a few percent of the total at the paper's sizes.

Attention is counted dense: Q·Kᵀ and A·V cover all T×S pairs even under a causal mask, which
is what the implementations compute (SDPA's math path, and FlopCounterMode's formulas for the
fused kernels); a causal kernel that skips masked blocks does about half of that part.

"Per token" means per position of the sequence the model predicts: for an encoder-decoder, per
target token with a source of the same length (T source and T target tokens, so the encoder's
work is charged to the target token at the same position); for an encoder-only model, per input
token.  Training costs about 3 × forward (the backward pass computes two products per forward
product: one for the inputs' gradient and one for the weights').
"""

from __future__ import annotations

from typing import Any

from archspec.spec import (
    DecoderModel,
    EncoderDecoderModel,
    EncoderModel,
    Recipe,
    RelativePositions,
)
from archspec.spec.model import ModelCommon

TRAINING_FACTOR = 3
"""Training FLOPs ≈ TRAINING_FACTOR × forward FLOPs (forward + a backward twice as costly)."""


def _model(spec: Any) -> ModelCommon:
    return spec.model if isinstance(spec, Recipe) else spec


def self_attention_flops(m: ModelCommon, seq_len: int) -> int:
    """One self-attention layer, per query token attending to `seq_len` keys (no relative
    terms: those are in `relative_flops`)."""
    d, h, dk, dv = m.d_model, m.heads, m.d_k, m.d_v
    projections = 2 * d * h * (2 * dk + dv) + 2 * h * dv * d  # type: ignore[operator]
    scores = 2 * h * seq_len * dk + 2 * h * seq_len * dv  # type: ignore[operator]
    return projections + scores


def cross_attention_flops(m: ModelCommon, source_len: int) -> int:
    """One cross-attention layer, per target token, with a source as long as the target (the
    K/V projection of one source token is charged to one target token)."""
    d, h, dk, dv = m.d_model, m.heads, m.d_k, m.d_v
    projections = 2 * d * h * dk + 2 * d * h * (dk + dv) + 2 * h * dv * d  # type: ignore[operator]
    scores = 2 * h * source_len * (dk + dv)  # type: ignore[operator]
    return projections + scores


def relative_flops(m: ModelCommon) -> int:
    """One self-attention layer's relative-position terms, per query token: q·a^Kᵀ over the 2k+1
    distances [Dk x R] and, with value tables, the bucketed weights · a^V [R x Dv]."""
    pos = m.positional
    if not isinstance(pos, RelativePositions):
        return 0
    rows = 2 * pos.max_distance + 1
    key = 2 * m.heads * m.d_k * rows  # type: ignore[operator]
    value = 2 * m.heads * rows * m.d_v if pos.values else 0  # type: ignore[operator]
    return key + value


def ffn_flops(m: ModelCommon) -> int:
    """One feed-forward layer per token (swiglu has two input matrices)."""
    n_in = 2 if m.activation == "swiglu" else 1
    return 2 * m.d_model * m.d_ff * n_in + 2 * m.d_ff * m.d_model


def flops_breakdown(spec: Any, seq_len: int) -> dict[str, int]:
    """Forward FLOPs per token at `seq_len`, per component (parameter component names)."""
    m = _model(spec)
    out: dict[str, int] = {}
    attn, ffn, rel = self_attention_flops(m, seq_len), ffn_flops(m), relative_flops(m)
    match m:
        case EncoderDecoderModel():
            ne, nd = m.encoder.layers, m.decoder.layers
            out["encoder self-attention"] = ne * attn
            out["encoder feed-forward"] = ne * ffn
            out["decoder self-attention"] = nd * attn
            out["cross-attention"] = nd * cross_attention_flops(m, seq_len)
            out["decoder feed-forward"] = nd * ffn
            out["positional tables"] = (ne + nd) * rel
            out["output projection"] = 2 * m.d_model * m.target_vocab
        case EncoderModel():
            ne = m.encoder.layers
            out["encoder self-attention"] = ne * attn
            out["encoder feed-forward"] = ne * ffn
            out["positional tables"] = ne * rel
        case DecoderModel():
            nd = m.decoder.layers
            out["decoder self-attention"] = nd * attn
            out["decoder feed-forward"] = nd * ffn
            out["positional tables"] = nd * rel
            out["output projection"] = 2 * m.d_model * m.vocab_size
        case _:
            raise AssertionError(f"no FLOP count for {type(m).__name__}")
    return out


def forward_flops_per_token(spec: Any, seq_len: int) -> int:
    """Forward FLOPs per token at sequence length `seq_len` (see the module docstring)."""
    return sum(flops_breakdown(spec, seq_len).values())


def training_flops_per_token(spec: Any, seq_len: int) -> int:
    """Forward + backward FLOPs per token, ≈ 3 × forward."""
    return TRAINING_FACTOR * forward_flops_per_token(spec, seq_len)

"""Activation memory of a training batch and KV-cache sizes, from the spec alone.

Activation memory is modelled as the tensors autograd keeps for the backward pass: what
`torch.autograd.graph.saved_tensors_hooks` sees during a forward of archspec's modules and the
cross-entropy, at 4 bytes per value (fp32), for B sequences of T tokens (an encoder-decoder
reads T source and T target tokens) without padding.  tests/diff/test_memory.py measures that
reference on small models of every variant; the model stays within 5% of it.

Per token and per layer, in values (D d_model, H heads, Dk/Dv head sizes, F d_ff, S = T keys,
R = 2k + 1 relative distances):

    sub-layer input (kept by its first matmul)               D
    attention: q, k, v                                       H(2Dk + Dv)
    attention: heads merged (the input of W^O)               H·Dv
    attention core, fused kernel (SDPA flash on CPU):        H         (log-sum-exp; its output
                                                                        is the merged heads)
    attention core, materialised T×S matrix (attention       H·S       (the probabilities)
      dropout, relative positions, or Dk != Dv, which the     + 2·H·S   with attention dropout
      fused CPU kernel does not take)                                   (its mask, the result)
    relative positions: scaled q, distance scores            H·Dk + H·R (+ H·R value tables)
    feed-forward: relu output | gelu in, out | swiglu        F | 2F | 4F
    residual dropout mask (when P_drop > 0)                  D
    layernorm: input, mean, rstd | rmsnorm: input, rstd,     D + 2 | 2D + 1
      normalised input

plus, per stack: a pre-norm stack's final norm, and the stack's output when something in the
model reads it (the output projection; cross-attention reads the encoder output once for all
decoder layers); per embedding: the token ids (8 bytes each) and the embedding-dropout mask (D);
and the cross-entropy's log-probabilities (V per target token).  An encoder-only model's
objective head is not part of the spec and is not counted.  Small per-batch tensors (T×S index
and mask tables of the relative path) are left out.

Dropout masks count 4 bytes per value, as PyTorch keeps them on CPU (CUDA's fused kernel keeps
1-byte masks, so GPU numbers are a little lower).  Weights, gradients and optimizer state are
not activations and are not counted.  Everything scales linearly with the batch; a materialised
attention matrix also grows with T per token.

KV cache: a decoder generating one token keeps K and V of that token in every self-attention
layer: layers · H · (Dk + Dv) values.  Cross-attention K/V are computed once per source
sentence: layers · H · (Dk + Dv) values per source token, whatever the output length.
"""

from __future__ import annotations

from typing import Any

from archspec.spec import (
    DecoderModel,
    DecoderStack,
    EncoderDecoderModel,
    EncoderModel,
    EncoderStack,
    Recipe,
    RelativePositions,
)
from archspec.spec.model import ModelCommon

VALUE_BYTES = 4
"""Bytes per activation value (fp32)."""
INDEX_BYTES = 8
"""Bytes per token id (int64), kept by each embedding look-up."""


def _model(spec: Any) -> ModelCommon:
    return spec.model if isinstance(spec, Recipe) else spec


def _norm(m: ModelCommon) -> int:
    """Values a norm keeps per token: layernorm its input, mean and rstd; rmsnorm its input,
    rstd and the normalised input (which the gain multiplies)."""
    return 2 * m.d_model + 1 if m.norm.kind == "rmsnorm" else m.d_model + 2


def _residual(m: ModelCommon) -> int:
    """Values a Residual wrapper keeps per token around its sub-layer: dropout mask and norm."""
    return (m.d_model if m.dropout.residual > 0 else 0) + _norm(m)


def attention_values(m: ModelCommon, seq_len: int, *, cross: bool) -> int:
    """Values one attention sub-layer (with its Residual) keeps per query token."""
    d, h, dk, dv = m.d_model, m.heads, m.d_k, m.d_v
    assert dk is not None and dv is not None
    pos = m.positional
    relative = isinstance(pos, RelativePositions) and not cross
    dropout = m.dropout.attention > 0
    n = d + h * (2 * dk + dv) + h * dv  # input, q k v, heads merged (the input of W^O)
    if dropout or relative or dk != dv:  # the T x S matrix is materialised
        n += h * seq_len * (3 if dropout else 1)
    else:
        n += h  # fused kernel: log-sum-exp (its output is the merged heads' storage)
    if relative and isinstance(pos, RelativePositions):
        rows = 2 * pos.max_distance + 1
        n += h * dk + h * rows * (2 if pos.values else 1)
    return n + _residual(m)


def ffn_values(m: ModelCommon) -> int:
    """Values one feed-forward sub-layer (with its Residual) keeps per token."""
    inner = {"relu": 1, "gelu": 2, "swiglu": 4}[m.activation] * m.d_ff
    return m.d_model + inner + _residual(m)


def _stack(
    m: ModelCommon, stack: EncoderStack | DecoderStack, seq_len: int, *, cross: bool, read: bool
) -> int:
    """Values a stack keeps per token; `read`: something in the model reads its output."""
    per_layer = attention_values(m, seq_len, cross=False) + ffn_values(m)
    if cross:
        per_layer += attention_values(m, seq_len, cross=True)
    final = _norm(m) if m.norm.placement == "pre" else 0
    return stack.layers * per_layer + final + (m.d_model if read else 0)


def _embedding_bytes(m: ModelCommon) -> int:
    dropout = m.d_model if m.dropout.embedding > 0 else 0
    return INDEX_BYTES + dropout * VALUE_BYTES


def activation_breakdown(spec: Any, batch: int, seq_len: int) -> dict[str, int]:
    """Activation bytes of a training batch (`batch` sequences of `seq_len` tokens), by part:
    embeddings, encoder, decoder, loss."""
    m = _model(spec)
    tokens = batch * seq_len
    out = dict.fromkeys(("embeddings", "encoder", "decoder", "loss"), 0)
    match m:
        case EncoderDecoderModel():
            enc = _stack(m, m.encoder, seq_len, cross=False, read=True)
            dec = _stack(m, m.decoder, seq_len, cross=True, read=True)
            out["embeddings"] = 2 * _embedding_bytes(m) * tokens
            out["encoder"] = enc * VALUE_BYTES * tokens
            out["decoder"] = dec * VALUE_BYTES * tokens
            out["loss"] = m.target_vocab * VALUE_BYTES * tokens
        case EncoderModel():
            enc = _stack(m, m.encoder, seq_len, cross=False, read=False)
            out["embeddings"] = _embedding_bytes(m) * tokens
            out["encoder"] = enc * VALUE_BYTES * tokens
        case DecoderModel():
            dec = _stack(m, m.decoder, seq_len, cross=False, read=True)
            out["embeddings"] = _embedding_bytes(m) * tokens
            out["decoder"] = dec * VALUE_BYTES * tokens
            out["loss"] = m.vocab_size * VALUE_BYTES * tokens
        case _:
            raise AssertionError(f"no memory model for {type(m).__name__}")
    return out


def activation_bytes(spec: Any, batch: int, seq_len: int) -> int:
    """Bytes autograd keeps for the backward pass of one training batch (module docstring)."""
    return sum(activation_breakdown(spec, batch, seq_len).values())


def _decoder_layers(m: ModelCommon) -> int | None:
    match m:
        case EncoderDecoderModel() | DecoderModel():
            return m.decoder.layers
        case _:
            return None


def kv_cache_bytes_per_token(spec: Any) -> int | None:
    """Bytes the decoder's self-attention caches per generated token (None without a decoder):
    K and V of every layer, layers · H · (Dk + Dv) values."""
    m = _model(spec)
    layers = _decoder_layers(m)
    if layers is None:
        return None
    return layers * m.heads * (m.d_k + m.d_v) * VALUE_BYTES  # type: ignore[operator]


def cross_kv_bytes_per_source_token(spec: Any) -> int | None:
    """Bytes of cross-attention K/V per source token, computed once per source sentence (None
    for models without cross-attention)."""
    m = _model(spec)
    if not isinstance(m, EncoderDecoderModel):
        return None
    return m.decoder.layers * m.heads * (m.d_k + m.d_v) * VALUE_BYTES  # type: ignore[operator]

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
layer: layers · G · (Dk + Dv) values, G the key/value heads (G = H for multi-head attention,
fewer for grouped-query attention).  Cross-attention K/V are computed once per source
sentence: layers · G · (Dk + Dv) values per source token, whatever the output length.
"""

from __future__ import annotations

from typing import Any

from archspec.analysis.structure import describe

VALUE_BYTES = 4
"""Bytes per activation value (fp32)."""

SECTIONS = ("embeddings", "encoder", "decoder", "loss")


def activation_breakdown(spec: Any, batch: int, seq_len: int) -> dict[str, int]:
    """Activation bytes of a training batch (`batch` sequences of `seq_len` tokens), by part:
    embeddings, encoder, decoder, loss."""
    tokens = batch * seq_len
    out = dict.fromkeys(SECTIONS, 0)
    for node in describe(spec, seq_len):
        per_token = node.cost.values * VALUE_BYTES + node.extra_bytes
        out[node.section] = out.get(node.section, 0) + per_token * tokens
    return out


def activation_bytes(spec: Any, batch: int, seq_len: int) -> int:
    """Bytes autograd keeps for the backward pass of one training batch (module docstring)."""
    return sum(activation_breakdown(spec, batch, seq_len).values())


def _cache_bytes(spec: Any, which: str) -> int | None:
    nodes = [n for n in describe(spec) if n.cache == which]
    return sum(n.cost.kv for n in nodes) * VALUE_BYTES if nodes else None


def kv_cache_bytes_per_token(spec: Any) -> int | None:
    """Bytes the decoder's self-attention caches per generated token (None without a decoder):
    K and V of every layer, layers · kv_heads · (Dk + Dv) values for multi-head attention."""
    return _cache_bytes(spec, "self")


def cross_kv_bytes_per_source_token(spec: Any) -> int | None:
    """Bytes of cross-attention K/V per source token, computed once per source sentence (None
    for models without cross-attention)."""
    return _cache_bytes(spec, "cross")

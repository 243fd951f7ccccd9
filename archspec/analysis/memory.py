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

Activation checkpointing (a recipe's trainer.activation_checkpointing): a checkpointed layer
keeps only its input (D per token; torch.utils.checkpoint holds it to recompute the layer) and
none of its own values; the backward pass recomputes them one layer at a time, so the peak adds
one layer's values back while that layer's gradients are computed (`recompute_peak_bytes`).

KV cache: a decoder generating one token keeps K and V of that token in every self-attention
layer: layers · G · (Dk + Dv) values, G the key/value heads (G = H for multi-head attention,
fewer for grouped-query attention).  Cross-attention K/V are computed once per source
sentence: layers · G · (Dk + Dv) values per source token, whatever the output length.
"""

from __future__ import annotations

from typing import Any

from archspec.analysis.structure import Node, describe, model_of
from archspec.spec import Recipe

VALUE_BYTES = 4
"""Bytes per activation value (fp32)."""

SECTIONS = ("embeddings", "encoder", "decoder", "loss")


def checkpointed_layers(spec: Any) -> dict[str, str]:
    """Module path of each checkpointed layer ('decoder.layers.0') -> its stack's name; empty
    for a model section or a recipe that checkpoints nothing."""
    if not isinstance(spec, Recipe):
        return {}
    m = model_of(spec)
    out = {}
    for stack in ("encoder", "decoder"):
        part = getattr(m, stack, None)
        if part is not None:
            for i in sorted(spec.trainer.checkpointed(part.layers)):
                out[f"{stack}.layers.{i}"] = stack
    return out


def layer_of(node: Node, layers: dict[str, str]) -> str | None:
    """The checkpointed layer a node belongs to, if any."""
    parts = node.path.split(".")
    path = ".".join(parts[:3])
    return path if len(parts) > 3 and path in layers else None


def _node_bytes(node: Node) -> int:
    return node.cost.values * VALUE_BYTES + node.extra_bytes


def activation_breakdown(spec: Any, batch: int, seq_len: int) -> dict[str, int]:
    """Activation bytes of a training batch (`batch` sequences of `seq_len` tokens), by part:
    embeddings, encoder, decoder, loss; what is kept after the forward pass when a recipe
    checkpoints layers (each keeps its input only)."""
    tokens = batch * seq_len
    layers = checkpointed_layers(spec)
    out = dict.fromkeys(SECTIONS, 0)
    for node in describe(spec, seq_len):
        if layer_of(node, layers) is None:
            out[node.section] = out.get(node.section, 0) + _node_bytes(node) * tokens
    for stack in layers.values():
        out[stack] += model_of(spec).d_model * VALUE_BYTES * tokens
    return out


def recomputed_bytes(spec: Any, batch: int, seq_len: int) -> dict[str, int]:
    """Activation bytes of each checkpointed layer, which its backward pass recomputes."""
    layers = checkpointed_layers(spec)
    out = dict.fromkeys(layers, 0)
    for node in describe(spec, seq_len):
        layer = layer_of(node, layers)
        if layer is not None:
            out[layer] += _node_bytes(node) * batch * seq_len
    return out


def recompute_peak_bytes(spec: Any, batch: int, seq_len: int) -> int:
    """What the backward pass of a checkpointed model holds on top of activation_bytes: the
    largest checkpointed layer's recomputed values (0 without checkpointing)."""
    return max(recomputed_bytes(spec, batch, seq_len).values(), default=0)


def checkpointing_saves_bytes(spec: Any, batch: int, seq_len: int) -> int:
    """Activation bytes a recipe's checkpointing saves against keeping every layer's values."""
    plain = sum(activation_breakdown(model_of(spec), batch, seq_len).values())
    return plain - activation_bytes(spec, batch, seq_len)


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


def checkpointing_line(spec: Any) -> str | None:
    """One line on what a recipe's activation checkpointing saves and costs, per sequence of
    max_len tokens (None when it checkpoints nothing): `archspec summary` prints it."""
    from archspec.analysis.flops import recompute_flops_per_token, training_flops_per_token
    from archspec.limits import human

    layers = checkpointed_layers(spec)
    if not layers:
        return None
    m = model_of(spec)
    t = m.max_len
    counts = ", ".join(
        f"{sum(1 for s in layers.values() if s == stack)} of {getattr(m, stack).layers} {stack}"
        for stack in dict.fromkeys(layers.values())
    )
    plain = sum(activation_breakdown(m, 1, t).values())
    kept = activation_bytes(spec, 1, t)
    extra = recompute_flops_per_token(spec, t) / (
        training_flops_per_token(spec, t) - recompute_flops_per_token(spec, t)
    )
    return (
        f"activation checkpointing: {counts} layers; activations per sequence of {t} tokens "
        f"{human(plain)} -> {human(kept)} (+{human(recompute_peak_bytes(spec, 1, t))} while a "
        f"layer is recomputed); training FLOPs +{100 * extra:.1f}%"
    )

"""Key/value cache for incremental decoding: each step feeds only the new tokens.

Shapes: B rows being decoded, G key/value heads (the attention's kv_heads: fewer than its
query heads under grouped-query attention, so the cache shrinks by heads / kv_heads),
S positions decoded so far, M source length, Dk/Dv head dims.

A decoder layer's self-attention keys and values of past positions never change (a causal
mask hides the future from them), so a step projects only the new positions and appends them
(`LayerCache.append`); the queries are the last T of S positions, which `masks.causal` and
`RelativePositions.index` already assume. Cross-attention keys and values depend only on the
source, so they are computed at the first step and reused (`LayerCache.cross`).

    cache = KVCache()
    logits = model.decode(tgt[:, :1], memory, src_pad, cache=cache)    # prefill: <bos>
    logits = model.decode(next_token, memory, src_pad, cache=cache)    # one token per step
    cache.select(order)     # beam search: keep / reorder rows (every cached tensor follows)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass
class LayerCache:
    """One decoder layer's cached tensors."""

    k: Tensor | None = None
    """Self-attention keys of every position so far: [B, G, S, Dk]."""
    v: Tensor | None = None
    """Self-attention values: [B, G, S, Dv]."""
    cross: tuple[Tensor, Tensor] | None = None
    """Cross-attention keys [B, G, M, Dk] and values [B, G, M, Dv], computed once per source."""

    def append(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Add the new positions' k [B, G, T, Dk], v [B, G, T, Dv]; return all S of them."""
        if self.k is None or self.v is None:
            self.k, self.v = k, v
        else:
            self.k = torch.cat([self.k, k], dim=2)  # (B, G, S + T, Dk)
            self.v = torch.cat([self.v, v], dim=2)  # (B, G, S + T, Dv)
        return self.k, self.v

    def select(self, index: Tensor) -> None:
        """Keep rows `index` (Long[B']) of every tensor, in that order."""
        if self.k is not None and self.v is not None:
            self.k, self.v = self.k.index_select(0, index), self.v.index_select(0, index)
        if self.cross is not None:
            k, v = self.cross
            self.cross = (k.index_select(0, index), v.index_select(0, index))

    def nbytes(self) -> int:
        """Bytes held by this layer's cached keys and values (self- and cross-attention)."""
        tensors = [self.k, self.v, *(self.cross or ())]
        return sum(t.numel() * t.element_size() for t in tensors if t is not None)


class KVCache:
    """The cache of one decoder stack: a LayerCache per layer, the number of positions cached
    (the position offset of the next step) and which cached positions are padding."""

    def __init__(self) -> None:
        self.layers: list[LayerCache] = []
        self.length = 0
        """Positions cached so far (the absolute position of the next token)."""
        self.pad: Tensor | None = None
        """Bool[B, S], True at cached positions that are padding (None: no padding so far)."""

    def layer(self, i: int) -> LayerCache:
        """Layer i's cache (created empty on first use)."""
        while len(self.layers) <= i:
            self.layers.append(LayerCache())
        return self.layers[i]

    def extend_pad(self, pad_mask: Tensor | None, b: int, t: int, device: torch.device) -> None:
        """Record the padding of T new positions (pad_mask Bool[B, T] or None = none)."""
        if pad_mask is None and self.pad is None:
            return
        old = self.pad
        if old is None:
            old = torch.zeros(b, self.length, dtype=torch.bool, device=device)  # (B, S)
        new = pad_mask
        if new is None:
            new = torch.zeros(b, t, dtype=torch.bool, device=device)  # (B, T)
        self.pad = torch.cat([old, new], dim=1)  # (B, S + T)

    def nbytes(self) -> int:
        """Bytes held by the cached keys and values of every layer (the padding record aside)."""
        return sum(layer.nbytes() for layer in self.layers)

    def select(self, index: Tensor) -> None:
        """Keep rows `index` (Long[B']) of every cached tensor, in that order (beam search
        reorders hypotheses; finished rows are dropped)."""
        for layer in self.layers:
            layer.select(index)
        if self.pad is not None:
            self.pad = self.pad.index_select(0, index)

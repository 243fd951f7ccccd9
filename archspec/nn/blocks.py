"""Transformer layers: finished attention, feed-forward and norm modules, wired by Residual.

Shapes: B batch, T target/query time, S source time, D d_model.
"""

from __future__ import annotations

from torch import Tensor, nn

from archspec.nn.cache import LayerCache
from archspec.nn.masks import AttentionMask


class Residual(nn.Module):
    """One sub-layer with its norm, dropout and residual connection.

    post-norm (the paper):  x = Norm(x + Dropout(Sublayer(x)))
    pre-norm:               x = x + Dropout(Sublayer(Norm(x)))

          post-norm                        pre-norm

      x ──┬──────────┐               x ──┬──────────────┐
          │          │                   │              │
      Sublayer       │                 Norm             │
          │          │                   │              │
       Dropout       │               Sublayer           │
          │          │                   │              │
          └──(+)─────┘                Dropout           │
              │                          │              │
            Norm                         └─────(+)──────┘
              │                                 │
              out                               out    (a stack of pre-norm layers
                                                        ends in one final Norm)

    Extra arguments (the mask, the encoder output, a key/value cache) go to the sub-layer.
    """

    def __init__(
        self, sublayer: nn.Module, norm: nn.Module, dropout: float, pre_norm: bool
    ) -> None:
        super().__init__()
        self.sublayer = sublayer
        self.norm = norm
        self.dropout = nn.Dropout(dropout)
        self.pre_norm = pre_norm

    def forward(self, x: Tensor, *args: object, **kwargs: object) -> Tensor:
        if self.pre_norm:
            return x + self.dropout(self.sublayer(self.norm(x), *args, **kwargs))  # (B, T, D)
        return self.norm(x + self.dropout(self.sublayer(x, *args, **kwargs)))  # (B, T, D)


class EncoderLayer(nn.Module):
    """Self-attention, then feed-forward."""

    def __init__(self, self_attn: Residual, ffn: Residual) -> None:
        super().__init__()
        self.self_attn = self_attn
        self.ffn = ffn

    def forward(self, x: Tensor, mask: AttentionMask) -> Tensor:
        """x [B, T, D] -> [B, T, D]."""
        return self.ffn(self.self_attn(x, mask))


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder output (None in a decoder-only
    model), then feed-forward."""

    def __init__(self, self_attn: Residual, cross_attn: Residual | None, ffn: Residual) -> None:
        super().__init__()
        self.self_attn = self_attn
        self.cross_attn = cross_attn
        self.ffn = ffn

    def forward(
        self,
        x: Tensor,
        mask: AttentionMask,
        memory: Tensor | None = None,
        memory_mask: AttentionMask | None = None,
        *,
        cache: LayerCache | None = None,
    ) -> Tensor:
        """x [B, T, D], memory [B, S, D] (when there is cross-attention) -> [B, T, D]. With a
        cache, x holds only the new positions (see archspec.nn.cache)."""
        if cache is None:
            x = self.self_attn(x, mask)
            if self.cross_attn is not None:
                x = self.cross_attn(x, memory_mask, memory)
            return self.ffn(x)
        x = self.self_attn(x, mask, cache=cache)
        if self.cross_attn is not None:
            x = self.cross_attn(x, memory_mask, memory, cache=cache)
        return self.ffn(x)

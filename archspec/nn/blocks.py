"""Transformer layers: finished attention, feed-forward and norm modules, wired by Residual.

Shapes: B batch, T target/query time, S source time, D d_model.
"""

from __future__ import annotations

from torch import Tensor, nn

from archspec.nn.cache import LayerCache
from archspec.nn.masks import AttentionMask


class Residual(nn.Module):
    """One sub-layer with its norm(s), dropout and residual connection.

    post-norm (the paper):  x = Norm(x + Dropout(Sublayer(x)))
    pre-norm:               x = x + Dropout(Sublayer(Norm(x)))
    sandwich:               x = x + Dropout(Norm_out(Sublayer(Norm(x))))

          post-norm                pre-norm                   sandwich

      x ──┬──────────┐       x ──┬──────────┐         x ──┬──────────┐
          │          │           │          │             │          │
      Sublayer       │         Norm         │           Norm         │
          │          │           │          │             │          │
       Dropout       │       Sublayer       │         Sublayer       │
          │          │           │          │             │          │
          └──(+)─────┘        Dropout       │         Norm_out       │
              │                  │          │             │          │
            Norm                 └──(+)─────┘          Dropout       │
              │                      │                    │          │
             out                    out                   └──(+)─────┘
                                                              │
                                                             out

    A stack of pre-norm or sandwich layers ends in one final Norm. Extra arguments (the mask,
    the encoder output, a key/value cache) go to the sub-layer. In a ParallelLayer the norm is
    None when the branch reads the attention's normed input (a shared norm).
    """

    def __init__(
        self,
        sublayer: nn.Module,
        norm: nn.Module | None,
        dropout: float,
        pre_norm: bool,
        norm_out: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.sublayer = sublayer
        self.norm = norm
        self.norm_out = norm_out
        self.dropout = nn.Dropout(dropout)
        self.pre_norm = pre_norm

    def branch(self, h: Tensor, *args: object, **kwargs: object) -> Tensor:
        """Dropout(Norm_out(Sublayer(h))) of an input h that is already normed: [B, T, D]."""
        y = self.sublayer(h, *args, **kwargs)  # (B, T, D)
        if self.norm_out is not None:
            y = self.norm_out(y)
        return self.dropout(y)

    def forward(self, x: Tensor, *args: object, **kwargs: object) -> Tensor:
        assert self.norm is not None, "a Residual on its own has a norm"
        if self.pre_norm:
            return x + self.branch(self.norm(x), *args, **kwargs)  # (B, T, D)
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


class ParallelLayer(nn.Module):
    """GPT-J / GPT-NeoX / PaLM: both sub-layers read the layer input, and their outputs are
    summed into the residual stream (no cross-attention):

        x + Dropout(Attn(Norm(x))) + Dropout(FFN(Norm'(x)))     Norm' = Norm when shared

      x ──┬────────────┬────────────┐
          │            │            │
        Norm         Norm'          │    (one norm, read twice, when shared)
          │            │            │
        Attn          FFN           │
          │            │            │
       Dropout      Dropout         │
          │            │            │
          └────(+)─────┴────(+)─────┘
                         │
                        out

    It takes the call signature of both EncoderLayer and DecoderLayer (memory must be None).
    """

    def __init__(self, self_attn: Residual, ffn: Residual) -> None:
        super().__init__()
        self.self_attn = self_attn
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
        """x [B, T, D] -> [B, T, D]; with a cache, x holds only the new positions."""
        assert memory is None, "a parallel layer has no cross-attention"
        assert self.self_attn.norm is not None
        h = self.self_attn.norm(x)  # (B, T, D)
        if cache is None:
            a = self.self_attn.branch(h, mask)  # (B, T, D)
        else:
            a = self.self_attn.branch(h, mask, cache=cache)
        f = self.ffn.branch(h if self.ffn.norm is None else self.ffn.norm(x))  # (B, T, D)
        return x + a + f  # (B, T, D)

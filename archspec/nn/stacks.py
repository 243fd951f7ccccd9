"""A stack of layers sharing one attention mask, plus the final norm that pre-norm needs.

Shapes: B batch, T time, S source time, D d_model.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from archspec.nn.cache import KVCache
from archspec.nn.mask_policies import MaskPolicy
from archspec.nn.masks import (
    AttentionMask,
    cross_attention_mask,
    incremental_mask,
    self_attention_mask,
)


class Stack(nn.Module):
    """Layers (EncoderLayer or DecoderLayer) run in order; the self-attention mask (and the
    cross-attention mask) is built once per forward and shared by every layer.

    mask: the stack's MaskPolicy (archspec.nn.mask_policies: bidirectional, causal, prefix).
    final_norm: the norm after the last layer (pre-norm stacks), or None (post-norm).
    checkpointed: indices of the layers whose activations a training forward does not keep
    (torch.utils.checkpoint recomputes them in the backward pass, with the same dropout draws).
    """

    def __init__(
        self,
        layers: list[nn.Module],
        final_norm: nn.Module | None,
        *,
        mask: MaskPolicy,
        checkpointed: frozenset[int] = frozenset(),
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.norm = final_norm
        self.mask = mask
        self.checkpointed = checkpointed

    @property
    def mask_kind(self) -> str:
        """The recipe's name of the self-attention mask."""
        return self.mask.kind

    @property
    def prefix_len(self) -> int | None:
        """The fixed prefix length of a prefix-LM mask, else None."""
        return self.mask.prefix_len

    def can_cache(self, prefill: int, prefix_len: int | Tensor | None = None) -> bool:
        """Whether incremental decoding after a first step of `prefill` positions gives the
        outputs of a full forward: past positions must never see later ones (a causal mask,
        or a prefix-LM whose prefix lies inside the first step)."""
        return self.mask.can_cache(prefill, prefix_len)

    def forward(
        self,
        x: Tensor,
        pad_mask: Tensor | None = None,
        *,
        prefix_len: int | Tensor | None = None,
        memory: Tensor | None = None,
        memory_pad_mask: Tensor | None = None,
        cache: KVCache | None = None,
    ) -> Tensor:
        """x [B, T, D], pad_mask Bool[B, T] (True = padding); memory [B, S, D] and
        memory_pad_mask Bool[B, S] for decoder layers with cross-attention -> [B, T, D].

        cache: a KVCache for incremental decoding (decoder layers only): x holds the T new
        positions, which follow the `cache.length` positions cached already.
        """
        b, t, _ = x.shape
        causal_after = self.mask.causal_after(prefix_len)
        if cache is not None and cache.length > 0:
            if causal_after is None:
                raise ValueError("a bidirectional stack cannot decode incrementally")
            cache.extend_pad(pad_mask, b, t, x.device)
            mask = incremental_mask(
                cache.pad,
                t,
                cache.length + t,
                causal_after=causal_after,
                device=x.device,
                window=self.mask.window,
            )
        else:
            mask = self_attention_mask(
                pad_mask, t, causal_after=causal_after, device=x.device, window=self.mask.window
            )
            if cache is not None:
                cache.extend_pad(pad_mask, b, t, x.device)
        memory_mask = None if memory is None else cross_attention_mask(memory_pad_mask)
        if cache is not None:
            x = self._run_cached(x, mask, memory, memory_mask, cache)
        else:
            args = () if memory is None else (memory, memory_mask)
            recompute = self.checkpointed if self.training and torch.is_grad_enabled() else ()
            for i, layer in enumerate(self.layers):
                if i in recompute:
                    x = checkpoint(layer, x, mask, *args, use_reentrant=False)
                else:
                    x = layer(x, mask, *args)
        return x if self.norm is None else self.norm(x)

    def _run_cached(
        self,
        x: Tensor,
        mask: AttentionMask,
        memory: Tensor | None,
        memory_mask: AttentionMask | None,
        cache: KVCache,
    ) -> Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(x, mask, memory, memory_mask, cache=cache.layer(i))  # (B, T, D)
        cache.length += x.shape[1]
        return x

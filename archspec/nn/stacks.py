"""A stack of layers sharing one attention mask, plus the final norm that pre-norm needs.

Shapes: B batch, T time, S source time, D d_model.
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor, nn

from archspec.errors import ArchspecError
from archspec.nn.masks import cross_attention_mask, self_attention_mask

MaskKind = Literal["bidirectional", "causal", "prefix"]


class Stack(nn.Module):
    """Layers (EncoderLayer or DecoderLayer) run in order; the self-attention mask (and the
    cross-attention mask) is built once per forward and shared by every layer.

    mask: bidirectional, causal, or prefix (bidirectional over the first `prefix_len`
    positions, causal after; a None length means every forward must supply one).
    final_norm: the norm after the last layer (pre-norm stacks), or None (post-norm).
    """

    def __init__(
        self,
        layers: list[nn.Module],
        final_norm: nn.Module | None,
        *,
        mask: MaskKind,
        prefix_len: int | None = None,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.norm = final_norm
        self.mask_kind: MaskKind = mask
        self.prefix_len = prefix_len

    def _causal_after(self, prefix_len: int | Tensor | None) -> int | Tensor | None:
        if self.mask_kind != "prefix":
            if prefix_len is not None:
                raise ArchspecError(
                    f"prefix_len was given but this stack's mask is {self.mask_kind}; "
                    "set the recipe's mask to {kind: prefix} to use a prefix-LM mask"
                )
            return None if self.mask_kind == "bidirectional" else 0
        prefix = self.prefix_len if prefix_len is None else prefix_len
        if prefix is None:
            raise ArchspecError(
                "the recipe's mask is {kind: prefix} without a length, so every batch must "
                "supply prefix_len (an int, or one length per sequence)"
            )
        return prefix

    def forward(
        self,
        x: Tensor,
        pad_mask: Tensor | None = None,
        *,
        prefix_len: int | Tensor | None = None,
        memory: Tensor | None = None,
        memory_pad_mask: Tensor | None = None,
    ) -> Tensor:
        """x [B, T, D], pad_mask Bool[B, T] (True = padding); memory [B, S, D] and
        memory_pad_mask Bool[B, S] for decoder layers with cross-attention -> [B, T, D]."""
        mask = self_attention_mask(
            pad_mask, x.shape[1], causal_after=self._causal_after(prefix_len), device=x.device
        )
        if memory is None:
            for layer in self.layers:
                x = layer(x, mask)
        else:
            memory_mask = cross_attention_mask(memory_pad_mask)
            for layer in self.layers:
                x = layer(x, mask, memory, memory_mask)
        return x if self.norm is None else self.norm(x)

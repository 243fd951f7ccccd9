"""The position hook of attention: how a positional scheme acts inside MultiHeadAttention.

Shapes: B batch, H heads, T query time (the new positions), S key time, Dk/Dv head dims.

Attention calls its hook at three points, whatever the scheme; a scheme overrides only the
points it needs, so a new one never needs a new argument to MultiHeadAttention:

    rotate(q, k, offset)      after projection, before the key/value cache: q, k of positions
                              offset .. offset+T-1 (rotary rotates them; cached keys are then
                              stored rotated, as they must be)
    bias(q_scaled, s, mask)   an additive logits bias for the T queries (the last T of S
                              positions) over S keys: Shaw's key term, ALiBi, T5's buckets;
                              it reaches SDPA as a float attn_mask
    add_values(z, weights, mask)
                              a term that needs the attention weights (Shaw's value tables);
                              only when `needs_weights`, which forces the explicit path
    attend(q_scaled, k, v, mask, dropout)
                              optional: the whole attention in a faster form of the scheme's
                              own (Shaw's causal case), or None for the three points above

Absolute schemes (sinusoidal, learned) have no hook at all: attention keeps SDPA's fastest
kernels (no mask, or is_causal). What a hook derives once per stack forward (index tables,
bias tables) goes through `mask.shared(key, make)`, computed by the first layer only.
"""

from __future__ import annotations

from torch import Tensor, nn

from archspec.nn.masks import AttentionMask


class PositionHook(nn.Module):
    """Base class of attention-level positional schemes: every point does nothing."""

    needs_weights: bool = False
    """True when `add_values` must see the attention weights [B, H, T, S]."""
    shared_bias: bool = False
    """True when `bias` returns one tensor made once per stack forward (mask.shared) for every
    layer, with the mask's hidden positions already -inf: the caller must not write into it."""

    def rotate(self, q: Tensor, k: Tensor, offset: int) -> tuple[Tensor, Tensor]:
        """q [B, H, T, Dk], k [B, H, T, Dk] at positions offset.. -> the same shapes."""
        return q, k

    def bias(self, q_scaled: Tensor, s: int, mask: AttentionMask) -> Tensor | None:
        """A fresh float bias broadcastable to [B, H, T, S] (the caller may write into it;
        with `shared_bias`, a shared one, masked already), or None. q_scaled = q times attention's
        scale (1/sqrt(Dk) unless model.attention.scale says otherwise) [B, H, T, Dk]."""
        return None

    def add_values(self, z: Tensor, weights: Tensor, mask: AttentionMask) -> Tensor:
        """z [B, H, T, Dv] plus a term of the weights [B, H, T, S] -> [B, H, T, Dv]."""
        return z

    def attend(
        self, q_scaled: Tensor, k: Tensor, v: Tensor, mask: AttentionMask, dropout: float
    ) -> Tensor | None:
        """The whole attention [B, H, T, Dv] in a scheme's own faster form, or None to let
        attention run bias/add_values (called first, whenever no weights are recorded)."""
        return None

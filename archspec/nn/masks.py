"""Attention masks, built once per forward per stack and shared by all of its layers.

Shapes: B batch, T query time, S key time (S = T in self-attention, the source length in
cross-attention).

Conventions:
- A padding mask is Bool[B, T] with True = padding (like PyTorch's key_padding_mask).
- The mask handed to attention is Bool[B or 1, 1, T, S] with True = may attend (the convention
  of F.scaled_dot_product_attention), or None with `is_causal` saying whether the plain
  look-ahead mask applies. No mask at all lets SDPA take its fastest kernel; only-causal uses
  its `is_causal=True` path.
- A query row whose keys are all masked (an all-padding sequence, a left-padded first
  position) attends to nothing: its output is zero, never NaN (SDPA's behaviour since torch
  2.5; the explicit relative-value path in attention.py does the same).
- Queries are the last T of S positions (`causal(t, s)`), ready for a key/value cache. SDPA's
  own `is_causal` aligns queries to the first keys instead, so a cached decoding step must pass
  an explicit `causal(t, s)` mask rather than `is_causal=True`.
- A sliding window W (Mistral) narrows a causal mask to keys i - W < j <= i (`sliding_window`).
  Where no query can reach past its window (T <= W in training, S <= W in a one-token decoding
  step) the window changes nothing and the mask stays the fast one (is_causal, or none).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import torch
from torch import Tensor


@dataclass(frozen=True)
class AttentionMask:
    """What one attention call may look at: an explicit mask, the implicit causal mask, or
    nothing (full attention).

    One AttentionMask serves every layer of a stack in one forward, so what the layers derive
    from it (the explicit causal mask, its complement, relative-distance indices) is made by
    the first layer and reused by the rest (`shared`)."""

    mask: Tensor | None = None
    """Bool[B or 1, 1, T, S], True = may attend; None when `is_causal` or full attention."""
    is_causal: bool = False
    """The plain look-ahead mask (query i sees keys j <= i), left to SDPA's causal path."""
    _shared: dict[Hashable, Tensor | None] = field(default_factory=dict, compare=False, repr=False)

    def shared(self, key: Hashable, make: Callable[[], Tensor | None]) -> Tensor | None:
        """`make()`, computed once per AttentionMask (so once per stack forward) for `key`."""
        if isinstance(key, tuple):  # symbolic lengths (torch.export) by their expression
            key = tuple(str(k) if isinstance(k, torch.SymInt) else k for k in key)
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]

    def materialize(self, t: int, s: int, device: torch.device) -> Tensor | None:
        """The mask as an explicit Bool[.., 1, T, S] (or None for full attention), for paths
        that cannot use SDPA's implicit causal mask (relative positions)."""
        if self.is_causal:
            return self.shared(("causal", t, s, device), lambda: causal(t, s, device)[None, None])
        return self.mask

    def blocked(self, t: int, s: int, device: torch.device) -> Tensor | None:
        """The complement of `materialize`: Bool[.., 1, T, S], True = hidden (or None)."""
        allowed = self.materialize(t, s, device)
        if allowed is None:
            return None
        return self.shared(("blocked", t, s, device), lambda: ~allowed)

    @property
    def may_hide_whole_rows(self) -> bool:
        """Whether some query may have no key left (padding, e.g. an all-padding sequence);
        a causal mask alone always leaves a query its own position."""
        return self.mask is not None


def causal(t: int, s: int, device: torch.device | None = None) -> Tensor:
    """Bool[T, S], True where key j <= query i (queries are the last T of S positions)."""
    q = torch.arange(s - t, s, device=device)[:, None]  # (T, 1)
    k = torch.arange(s, device=device)[None, :]  # (1, S)
    return k <= q  # (T, S)


def sliding_window(t: int, s: int, w: int, device: torch.device | None = None) -> Tensor:
    """Bool[T, S], True where key j > query i - W (queries are the last T of S positions)."""
    q = torch.arange(s - t, s, device=device)[:, None]  # (T, 1)
    k = torch.arange(s, device=device)[None, :]  # (1, S)
    return k > q - w  # (T, S)


def _narrowed(allowed: Tensor, t: int, s: int, w: int | None, device: torch.device) -> Tensor:
    """`allowed` [.., T, S] within the sliding window (unchanged when no query reaches past
    its window: S <= W)."""
    if w is None or s <= w:
        return allowed
    return allowed & sliding_window(t, s, w, device)  # (.., T, S)


def self_attention_mask(
    pad_mask: Tensor | None,
    t: int,
    *,
    causal_after: int | Tensor | None,
    device: torch.device,
    window: int | None = None,
) -> AttentionMask:
    """The self-attention mask of a stack.

    pad_mask: Bool[B, T] with True = padding, or None.
    causal_after: None for bidirectional attention; 0 for a causal mask; a prefix length
    (int, or Long[B] per sequence) for a prefix-LM mask: bidirectional over the first
    `prefix` positions, causal after them.
    window: a sliding window W over a causal mask (query i sees keys i - W < j <= i), or None.
    """
    if causal_after is None:
        if pad_mask is None:
            return AttentionMask()
        return AttentionMask(mask=~pad_mask[:, None, None, :])  # (B, 1, 1, T)
    plain = window is None or t <= window
    if isinstance(causal_after, int) and causal_after <= 1 and pad_mask is None and plain:
        return AttentionMask(is_causal=True)  # a prefix of 0 or 1 positions is plain causal
    allowed = _narrowed(causal(t, t, device)[None, None], t, t, window, device)  # (1, 1, T, T)
    if isinstance(causal_after, Tensor):
        k = torch.arange(t, device=device)  # (T,)
        in_prefix = k[None, :] < causal_after.to(device)[:, None]  # (B, T): key j inside prefix
        allowed = allowed | in_prefix[:, None, None, :]  # (B, 1, T, T)
    elif causal_after > 1:
        allowed = allowed.clone()
        allowed[..., :causal_after] = True  # every query sees the whole prefix
    if pad_mask is not None:
        allowed = allowed & ~pad_mask[:, None, None, :]  # (B, 1, T, T)
    return AttentionMask(mask=allowed)


def incremental_mask(
    key_pad: Tensor | None,
    t: int,
    s: int,
    *,
    causal_after: int | Tensor,
    device: torch.device,
    window: int | None = None,
) -> AttentionMask:
    """The self-attention mask of a cached decoding step: T new queries, the last T of S
    positions, over all S keys (SDPA's own is_causal would align them with the first keys).

    key_pad: Bool[B, S] with True = padding among all S positions, or None.
    causal_after: 0 for a causal mask, or a prefix length (int or Long[B]) for a prefix-LM
    mask; a bidirectional stack cannot decode incrementally (earlier outputs would change).
    window: a sliding window W over a causal mask, or None.
    """
    if t == 1 and key_pad is None and (window is None or s <= window):
        return AttentionMask()  # the newest position sees every key under either mask
    allowed = _narrowed(causal(t, s, device)[None, None], t, s, window, device)  # (1, 1, T, S)
    k = torch.arange(s, device=device)  # (S,)
    if isinstance(causal_after, Tensor):
        in_prefix = k[None, :] < causal_after.to(device)[:, None]  # (B, S)
        allowed = allowed | in_prefix[:, None, None, :]  # (B, 1, T, S)
    elif causal_after > 1:
        allowed = allowed | (k < causal_after)[None, None, None, :]  # (1, 1, T, S)
    if key_pad is not None:
        allowed = allowed & ~key_pad[:, None, None, :]  # (B, 1, T, S)
    return AttentionMask(mask=allowed)


def cross_attention_mask(memory_pad_mask: Tensor | None) -> AttentionMask:
    """Cross-attention mask: the source's padding keys are hidden from every target query.

    memory_pad_mask: Bool[B, S] with True = padding, or None.
    """
    if memory_pad_mask is None:
        return AttentionMask()
    return AttentionMask(mask=~memory_pad_mask[:, None, None, :])  # (B, 1, 1, S)

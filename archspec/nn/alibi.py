"""ALiBi: attention with linear biases (Press, Smith & Lewis 2022, "Train Short, Test Long").

Shapes: B batch, H heads, T query time (the last T of S positions), S key time.

No position enters the embeddings; each head h adds -m_h * |i - j| to the logit of query i and
key j. In a causal stack the visible keys have j <= i, so this is the paper's -m_h (i - j); in
an encoder (bidirectional) the same formula is the symmetric -m_h |i - j| (the paper defines only
the causal case; this is the usual encoder extension). The slopes are a geometric sequence:
for H a power of two, m_h = 2^(-8 (h + 1) / H); otherwise the H' = 2^floor(log2 H) slopes of H'
heads, then every other slope of 2H' heads (the paper's rule, from its code).

The bias (with the stack's mask folded in as -inf) is made once per stack forward through
`mask.shared` and handed to SDPA as a float attn_mask by every layer.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from archspec.nn.hooks import PositionHook
from archspec.nn.masks import AttentionMask


def alibi_slopes(heads: int) -> list[float]:
    """m_1 .. m_H (Press et al. 2022, including the rule for H not a power of two)."""

    def geometric(n: int) -> list[float]:
        ratio = 2.0 ** (-8.0 / n)
        return [ratio ** (h + 1) for h in range(n)]

    below = 2 ** int(math.floor(math.log2(heads)))
    if below == heads:
        return geometric(heads)
    return geometric(below) + geometric(2 * below)[0::2][: heads - below]


def masked_bias(bias: Tensor, mask: AttentionMask, t: int, s: int) -> Tensor:
    """bias [1|B, H, T, S] with the positions `mask` hides set to -inf: [B|1, H, T, S]."""
    blocked = mask.blocked(t, s, bias.device)  # (B|1, 1, T, S), True = hidden, or None
    return bias if blocked is None else bias.masked_fill(blocked, float("-inf"))


class AlibiPositions(PositionHook):
    """The per-head linear distance penalty, one hook for every layer of a stack."""

    shared_bias = True
    slopes: Tensor

    def __init__(self, heads: int, *, causal: bool) -> None:
        super().__init__()
        self.heads, self.causal = heads, causal
        slopes = torch.tensor(alibi_slopes(heads)) if not _on_meta() else torch.empty(heads)
        self.register_buffer("slopes", slopes, persistent=False)  # (H,)

    def reset_parameters(self) -> None:
        """Recompute the slopes (after `to_empty` from the meta device)."""
        self.slopes.copy_(torch.tensor(alibi_slopes(self.heads)))

    def matrix(self, t: int, s: int, *, causal: bool) -> Tensor:
        """-m_h |i - j| for the last T of S query positions: [H, T, S] (no mask)."""
        i = torch.arange(s - t, s, device=self.slopes.device)[:, None]  # (T, 1)
        j = torch.arange(s, device=self.slopes.device)[None, :]  # (1, S)
        distance = (i - j).abs() if not causal else (i - j).clamp(min=0)  # (T, S)
        return -self.slopes[:, None, None] * distance  # (H, T, S)

    def bias(self, q_scaled: Tensor, s: int, mask: AttentionMask) -> Tensor:
        """The stack's shared bias [1|B, H, T, S], hidden positions -inf (do not write)."""
        t = q_scaled.shape[2]

        def make() -> Tensor:
            bias = self.matrix(t, s, causal=False).to(q_scaled.dtype)[None]  # (1, H, T, S)
            return masked_bias(bias, mask, t, s)

        out = mask.shared(("alibi", t, s, q_scaled.dtype), make)
        assert out is not None
        return out


def _on_meta() -> bool:
    return torch.get_default_device().type == "meta"

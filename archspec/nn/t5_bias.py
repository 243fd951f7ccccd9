"""T5's bucketed relative position bias (Raffel et al. 2020, section 2.1).

Shapes: B batch, H heads, T query time (the last T of S positions), S key time, N buckets.

The distance j - i (key - query) falls into one of N buckets; each bucket has a learned scalar
per head, added to the attention logits. One table [N, H] serves every layer of a stack (T5
names it in the first layer only). Bidirectional (encoder) stacks give half the buckets to keys
after the query and half to keys before; causal (decoder) stacks map every later key to bucket 0
(the mask hides it anyway) and use all N for earlier keys. Within a direction, half the
buckets hold the exact distances 0 .. N'/2 - 1 (N' the direction's buckets); the rest grow
logarithmically up to `max_distance`, beyond which all distances share the last bucket.

The bias (the mask folded in as -inf) is made once per stack forward through `mask.shared`.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from archspec.nn.alibi import masked_bias
from archspec.nn.hooks import PositionHook
from archspec.nn.masks import AttentionMask


def t5_buckets(distance: Tensor, *, causal: bool, buckets: int, max_distance: int) -> Tensor:
    """Long bucket ids of the distances j - i (any shape)."""
    n, offset = buckets, torch.zeros_like(distance)
    if causal:
        away = (-distance).clamp(min=0)  # how far back the key is; later keys -> 0
    else:
        n //= 2
        offset = (distance > 0).long() * n  # keys after the query use the upper half
        away = distance.abs()
    exact = n // 2
    starts = torch.tensor(_log_bucket_starts(n, exact, max_distance), device=away.device)
    far = exact + (away[..., None] >= starts).sum(-1)  # the log-spaced buckets away reaches
    return offset + torch.where(away < exact, away, far)


def _log_bucket_starts(n: int, exact: int, max_distance: int) -> list[int]:
    """The smallest distance of each log-spaced bucket exact + 1 .. n - 1, from T5's formula
    bucket(d) = min(n - 1, exact + floor((n - exact) log(d / exact) / log(max_distance / exact))).
    Found here in Python so that a graph compares integers only: an exported log (ONNX) may
    round a distance on a bucket boundary (8 with exact 4, max_distance 16) into the bucket
    below."""
    if max_distance <= exact:  # no room for a log scale: every far distance in the last bucket
        return [exact] * (n - 1 - exact)
    starts, d = [], exact
    scale = math.log(max_distance / exact)
    for bucket in range(exact + 1, n):
        while min(n - 1, exact + int(math.log(d / exact) / scale * (n - exact))) < bucket:
            d += 1
        starts.append(d)
    return starts


class T5RelativeBias(PositionHook):
    """The learned bias table of one stack, shared by its layers' self-attention."""

    shared_bias = True

    def __init__(self, heads: int, *, buckets: int, max_distance: int, causal: bool) -> None:
        super().__init__()
        self.num_buckets, self.max_distance, self.causal = buckets, max_distance, causal
        self.weight = nn.Parameter(torch.empty(buckets, heads))  # (N, H)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """N(0, 1), the scale of T5's initialisation of this table (factor 1.0)."""
        nn.init.normal_(self.weight)

    def buckets(self, distance: Tensor) -> Tensor:
        return t5_buckets(
            distance, causal=self.causal, buckets=self.num_buckets, max_distance=self.max_distance
        )

    def matrix(self, t: int, s: int) -> Tensor:
        """The bias of the last T of S query positions over S keys: [H, T, S] (no mask)."""
        i = torch.arange(s - t, s, device=self.weight.device)[:, None]  # (T, 1)
        j = torch.arange(s, device=self.weight.device)[None, :]  # (1, S)
        values = self.weight[self.buckets(j - i)]  # (T, S, H)
        return values.permute(2, 0, 1)  # (H, T, S)

    def bias(self, q_scaled: Tensor, s: int, mask: AttentionMask) -> Tensor:
        """The stack's shared bias [1|B, H, T, S], hidden positions -inf (do not write)."""
        t = q_scaled.shape[2]

        def make() -> Tensor:
            bias = self.matrix(t, s).to(q_scaled.dtype)[None]  # (1, H, T, S)
            return masked_bias(bias, mask, t, s)

        out = mask.shared(("t5", t, s, q_scaled.dtype), make)
        assert out is not None
        return out

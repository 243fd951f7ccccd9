"""Multi-head attention: MultiHead(Xq, Xkv) = Concat(head_1 .. head_H) W^O.

Shapes: B batch, T query time, S key time (S = T in self-attention, the source length in
cross-attention), D d_model, H heads, Dk query/key size per head, Dv value size per head.

Self-attention projects Q, K and V with one fused Linear D -> H(2Dk + Dv); cross-attention
projects Q from the decoder stream and K, V with one fused Linear D -> H(Dk + Dv) from the
encoder output. d_k and d_v are independent (Table 3 rows A and B).

The forward is split in two: `project` (inputs -> per-head q, k, v) and `attend` (q, k, v and
the mask -> per-head outputs). A key/value cache for incremental decoding (archspec.nn.cache)
goes between them: `forward(..., cache=layer_cache)` appends the new k, v to the cached ones
(cross-attention projects the source once and reuses it), and `attend` treats the T queries as
the last T of S positions (the causal mask and relative distances stay right).

A positional scheme that acts inside attention does so through one `position` hook
(archspec.nn.hooks.PositionHook: rotate q and k before caching, add a logits bias, add a term of
the attention weights); self-attention only. Without a hook (absolute schemes) attention runs
SDPA with no mask or is_causal, its fastest kernels.

To look inside, `recorded` may be set to a list (archspec.nn.recording.record_attention): the
attention weights [B, H, T, S] are then computed explicitly and appended to it. Otherwise the
fused SDPA kernel runs and no weights exist; training never pays for the recording.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from archspec.nn.cache import LayerCache
from archspec.nn.hooks import PositionHook
from archspec.nn.masks import AttentionMask


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention over H heads, through F.scaled_dot_product_attention
    wherever the computation allows (everything except a hook that needs the weights)."""

    def __init__(
        self,
        d_model: int,
        heads: int,
        d_k: int,
        d_v: int,
        *,
        bias: bool = True,
        dropout: float = 0.0,
        cross: bool = False,
        position: PositionHook | None = None,
    ) -> None:
        super().__init__()
        self.heads, self.d_k, self.d_v = heads, d_k, d_v
        self.dropout = dropout
        self.cross = cross
        if cross:
            self.q = nn.Linear(d_model, heads * d_k, bias=bias)
            self.kv = nn.Linear(d_model, heads * (d_k + d_v), bias=bias)
        else:
            self.qkv = nn.Linear(d_model, heads * (2 * d_k + d_v), bias=bias)
        self.out = nn.Linear(heads * d_v, d_model, bias=bias)
        self.position = position
        self.recorded: list[Tensor] | None = None
        """When a list: every call appends its attention weights [B, H, T, S] (looking inside)."""
        self.reset_parameters()
        self.register_load_state_dict_pre_hook(_renamed_relative_tables)

    def reset_parameters(self) -> None:
        """Glorot uniform on each of W^Q, W^K, W^V (as separate D x H*Dk matrices) and W^O,
        zero biases: fairseq's Transformer and nn.Transformer use Glorot uniform too."""
        hk, hv = self.heads * self.d_k, self.heads * self.d_v
        fused = [self.q, self.kv] if self.cross else [self.qkv]
        for linear in [*fused, self.out]:
            if linear.bias is not None:
                nn.init.zeros_(linear.bias)
        if self.cross:
            weights = [self.q.weight, *self.kv.weight.split([hk, hv])]
        else:
            weights = list(self.qkv.weight.split([hk, hk, hv]))
        for w in [*weights, self.out.weight]:  # views into the fused weights
            bound = math.sqrt(6.0 / (w.shape[0] + w.shape[1]))  # Glorot: fan_in + fan_out
            nn.init.uniform_(w, -bound, bound)

    def project(self, x: Tensor, memory: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """x [B, T, D] (and memory [B, S, D] for cross-attention) -> q [B, H, T, Dk],
        k [B, H, S, Dk], v [B, H, S, Dv]."""
        h, dk, dv = self.heads, self.d_k, self.d_v
        if self.cross:
            assert memory is not None, "cross-attention needs the encoder output"
            q = self.q(x)  # (B, T, H*Dk)
            k, v = self.kv(memory).split([h * dk, h * dv], dim=-1)  # (B, S, H*Dk), (B, S, H*Dv)
        else:
            q, k, v = self.qkv(x).split([h * dk, h * dk, h * dv], dim=-1)  # (B, T, H*D.) each
        return self._heads(q, dk), self._heads(k, dk), self._heads(v, dv)

    def _rotated(self, x: Tensor, offset: int) -> tuple[Tensor, Tensor, Tensor]:
        """Self-attention's q, k, v of positions offset.., after the position hook's rotate."""
        q, k, v = self.project(x)  # (B, H, T, Dk), (B, H, T, Dk), (B, H, T, Dv)
        if self.position is not None:
            q, k = self.position.rotate(q, k, offset)
        return q, k, v

    def _heads(self, y: Tensor, d: int) -> Tensor:
        """[B, T, H*d] -> [B, H, T, d]."""
        b, t, _ = y.shape
        return y.view(b, t, self.heads, d).transpose(1, 2)  # (B, H, T, d)

    def project_cached(
        self, x: Tensor, memory: Tensor | None, cache: LayerCache
    ) -> tuple[Tensor, Tensor, Tensor]:
        """`project` for T new positions with a cache: self-attention appends the new k, v and
        returns all S of them; cross-attention projects the source at the first call only."""
        if not self.cross:
            offset = 0 if cache.k is None else cache.k.shape[2]
            q, k, v = self._rotated(x, offset)  # (B, H, T, Dk), (B, H, T, Dk), (B, H, T, Dv)
            k, v = cache.append(k, v)  # (B, H, S, Dk), (B, H, S, Dv), keys stored rotated
            return q, k, v
        if cache.cross is None:
            q, k, v = self.project(x, memory)  # k, v: (B, H, M, D.)
            cache.cross = (k, v)
            return q, k, v
        return self._heads(self.q(x), self.d_k), *cache.cross  # (B, H, T, Dk), (B, H, M, D.)

    def attend(self, q: Tensor, k: Tensor, v: Tensor, mask: AttentionMask) -> Tensor:
        """softmax(q k^T / sqrt(Dk) + bias) v (+ the hook's value term) -> [B, H, T, Dv]."""
        p = self.dropout if self.training else 0.0
        hook = self.position
        explicit = self.recorded is not None
        if hook is None and not explicit:
            return F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask.mask, dropout_p=p, is_causal=mask.is_causal
            )  # (B, H, T, Dv)
        t, s = q.shape[2], k.shape[2]
        q = q * (1.0 / math.sqrt(self.d_k))  # (B, H, T, Dk), laid out as (B, T, H, Dk)
        if hook is not None and not explicit:
            fused = hook.attend(q, k, v, mask, p)  # a scheme's own fused form, or None
            if fused is not None:
                return fused
        bias = hook.bias(q, s, mask) if hook is not None else None  # (B|1, H|1, T, S), fresh
        weighted = hook is not None and hook.needs_weights
        if not weighted and not explicit:
            if bias is None:  # a hook that only rotated q and k
                return F.scaled_dot_product_attention(
                    q, k, v, attn_mask=mask.mask, dropout_p=p, is_causal=mask.is_causal, scale=1.0
                )
            blocked = mask.blocked(t, s, q.device)  # (B|1, 1, T, S), True = hidden, or None
            if blocked is not None:
                bias = bias.masked_fill_(blocked, float("-inf"))  # (B, H, T, S)
            return F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=p, scale=1.0)
        blocked = mask.blocked(t, s, q.device)
        scores = torch.matmul(q, k.transpose(-2, -1))  # (B, H, T, Dk) @ (B, H, Dk, S)
        if bias is not None:
            scores = scores.add_(bias)  # (B, H, T, S)
        if blocked is not None:  # finfo.min, not -inf: a row with no key gives no NaN
            scores = scores.masked_fill_(blocked, torch.finfo(scores.dtype).min)
        weights = torch.softmax(scores, dim=-1)  # (B, H, T, S)
        if blocked is not None and mask.may_hide_whole_rows:
            weights = weights.masked_fill(blocked, 0.0)  # such a row attends to nothing
        if self.recorded is not None:
            self.recorded.append(weights.detach())
        if p:
            weights = F.dropout(weights, p)
        z = weights @ v  # (B, H, T, S) @ (B, H, S, Dv) -> (B, H, T, Dv)
        if weighted and hook is not None:
            z = hook.add_values(z, weights, mask)  # (B, H, T, Dv)
        return z

    def forward(
        self,
        x: Tensor,
        mask: AttentionMask,
        memory: Tensor | None = None,
        *,
        cache: LayerCache | None = None,
    ) -> Tensor:
        """x [B, T, D], memory [B, S, D] (cross-attention only) -> [B, T, D]. With a cache,
        x holds only the new positions and `mask` covers all cached keys."""
        b, t, _ = x.shape
        if cache is None:
            q, k, v = self.project(x, memory) if self.cross else self._rotated(x, 0)
        else:
            q, k, v = self.project_cached(x, memory, cache)
        z = self.attend(q, k, v, mask)  # (B, H, T, Dv)
        z = z.transpose(1, 2).reshape(b, t, self.heads * self.d_v)  # (B, T, H*Dv)
        return self.out(z)  # (B, T, D)


def _renamed_relative_tables(
    module: nn.Module, state: dict[str, Tensor], prefix: str, *args: object
) -> None:
    """Checkpoints written before the position hook named Shaw's tables `relative.*`."""
    for key in [k for k in state if k.startswith(f"{prefix}relative.")]:
        state[f"{prefix}position.{key[len(prefix) + len('relative.') :]}"] = state.pop(key)

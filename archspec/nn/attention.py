"""Multi-head attention: MultiHead(Xq, Xkv) = Concat(head_1 .. head_H) W^O.

Shapes: B batch, T query time, S key time (S = T in self-attention, the source length in
cross-attention), D d_model, H query heads, G key/value heads (G divides H; G = H is ordinary
multi-head attention, G < H grouped-query, G = 1 multi-query), Dk query/key size per head, Dv
value size per head.

Self-attention projects Q, K and V with one fused Linear D -> H*Dk + G*(Dk + Dv), whose output
rows are [W^Q (H*Dk) | W^K (G*Dk) | W^V (G*Dv)] in that order, each head's rows contiguous;
cross-attention projects Q (D -> H*Dk) from the decoder stream and K, V with one fused Linear
D -> G*(Dk + Dv), rows [W^K | W^V], from the encoder output. Query head i reads key/value head
i // (H / G) (the grouping of Hugging Face's repeat_kv). d_k and d_v are independent (Table 3
rows A and B).

Optional per-head query/key norms (`q_norm`, `k_norm`, over Dk) act right after the projection,
before the position hook's rotate; the logits are q.k * `scale` (default 1/sqrt(Dk)).

The forward is split in two: `project` (inputs -> per-head q, k, v) and `attend` (q, k, v and
the mask -> per-head outputs). A key/value cache for incremental decoding (archspec.nn.cache)
goes between them: `forward(..., cache=layer_cache)` appends the new k, v (G heads) to the
cached ones (cross-attention projects the source once and reuses it), and `attend` treats the T
queries as the last T of S positions (the causal mask and relative distances stay right).

A positional scheme that acts inside attention does so through one `position` hook
(archspec.nn.hooks.PositionHook: rotate q and k before caching, add a logits bias, add a term of
the attention weights); self-attention only. Without a hook (absolute schemes) attention runs
SDPA with no mask or is_causal, its fastest kernels; with G < H SDPA shares each K/V head itself
(enable_gqa: on CPU in torch 2.13 1.06-1.2x faster to train than repeating K and V, and
10-20x faster per decoding step), and only the explicit path repeats them. A stack's shared
bias (ALiBi, T5) goes to torch's CPU flash kernel directly (archspec.nn.flash_bias): causal
blocks skipped, and T5's bias gradient without the math path's T x S weights per layer.

To look inside, `recorded` may be set to a list (archspec.nn.recording.record_attention): the
attention weights [B, H, T, S] are then computed explicitly and appended to it. Otherwise the
fused SDPA kernel runs and no weights exist; training never pays for the recording.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from archspec.nn import flash_bias
from archspec.nn.cache import LayerCache
from archspec.nn.hooks import PositionHook
from archspec.nn.masks import AttentionMask


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention over H query heads and G key/value heads, through
    F.scaled_dot_product_attention wherever the computation allows (everything except a hook
    that needs the weights)."""

    def __init__(
        self,
        d_model: int,
        heads: int,
        d_k: int,
        d_v: int,
        *,
        kv_heads: int | None = None,
        bias: bool = True,
        out_bias: bool | None = None,
        scale: float | None = None,
        q_norm: nn.Module | None = None,
        k_norm: nn.Module | None = None,
        dropout: float = 0.0,
        cross: bool = False,
        position: PositionHook | None = None,
    ) -> None:
        """bias: on the q/k/v projections; out_bias: on W^O (None: as `bias`); scale: the
        factor on q.k (None: 1/sqrt(d_k)); q_norm, k_norm: modules over the last dim (Dk)."""
        super().__init__()
        g = heads if kv_heads is None else kv_heads
        if heads % g:
            raise ValueError(f"kv_heads {g} must divide heads {heads}")
        self.heads, self.kv_heads, self.d_k, self.d_v = heads, g, d_k, d_v
        self.scale = 1.0 / math.sqrt(d_k) if scale is None else scale
        self.dropout = dropout
        self.cross = cross
        if cross:
            self.q = nn.Linear(d_model, heads * d_k, bias=bias)
            self.kv = nn.Linear(d_model, g * (d_k + d_v), bias=bias)
        else:
            self.qkv = nn.Linear(d_model, heads * d_k + g * (d_k + d_v), bias=bias)
        self.out = nn.Linear(heads * d_v, d_model, bias=bias if out_bias is None else out_bias)
        self.q_norm, self.k_norm = q_norm, k_norm
        self.position = position
        self.recorded: list[Tensor] | None = None
        """When a list: every call appends its attention weights [B, H, T, S] (looking inside)."""
        self.reset_parameters()
        self.register_load_state_dict_pre_hook(_renamed_relative_tables)

    @property
    def grouped(self) -> bool:
        """Fewer key/value heads than query heads."""
        return self.kv_heads != self.heads

    def reset_parameters(self) -> None:
        """Glorot uniform on each of W^Q, W^K, W^V (as separate matrices) and W^O, zero
        biases: fairseq's Transformer and nn.Transformer use Glorot uniform too."""
        hk, gk, gv = self.heads * self.d_k, self.kv_heads * self.d_k, self.kv_heads * self.d_v
        fused = [self.q, self.kv] if self.cross else [self.qkv]
        for linear in [*fused, self.out]:
            if linear.bias is not None:
                nn.init.zeros_(linear.bias)
        if self.cross:
            weights = [self.q.weight, *self.kv.weight.split([gk, gv])]
        else:
            weights = list(self.qkv.weight.split([hk, gk, gv]))
        for w in [*weights, self.out.weight]:  # views into the fused weights
            bound = math.sqrt(6.0 / (w.shape[0] + w.shape[1]))  # Glorot: fan_in + fan_out
            nn.init.uniform_(w, -bound, bound)

    def project(self, x: Tensor, memory: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """x [B, T, D] (and memory [B, S, D] for cross-attention) -> q [B, H, T, Dk],
        k [B, G, S, Dk], v [B, G, S, Dv], queries and keys normalised."""
        h, g, dk, dv = self.heads, self.kv_heads, self.d_k, self.d_v
        if self.cross:
            assert memory is not None, "cross-attention needs the encoder output"
            q = self.q(x)  # (B, T, H*Dk)
            k, v = self.kv(memory).split([g * dk, g * dv], dim=-1)  # (B, S, G*Dk), (B, S, G*Dv)
        else:
            q, k, v = self.qkv(x).split([h * dk, g * dk, g * dv], dim=-1)  # (B, T, .) each
        q, k = self._heads(q, h, dk), self._heads(k, g, dk)  # (B, H, T, Dk), (B, G, S, Dk)
        if self.q_norm is not None and self.k_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)  # over Dk, every head alike
        return q, k, self._heads(v, g, dv)  # v: (B, G, S, Dv)

    def _queries(self, x: Tensor) -> Tensor:
        """Cross-attention's queries alone: x [B, T, D] -> [B, H, T, Dk], normalised."""
        q = self._heads(self.q(x), self.heads, self.d_k)  # (B, H, T, Dk)
        return q if self.q_norm is None else self.q_norm(q)

    def _rotated(self, x: Tensor, offset: int) -> tuple[Tensor, Tensor, Tensor]:
        """Self-attention's q, k, v of positions offset.., after the position hook's rotate."""
        q, k, v = self.project(x)  # (B, H, T, Dk), (B, G, T, Dk), (B, G, T, Dv)
        if self.position is not None:
            q, k = self.position.rotate(q, k, offset)
        return q, k, v

    @staticmethod
    def _heads(y: Tensor, n: int, d: int) -> Tensor:
        """[B, T, n*d] -> [B, n, T, d]."""
        b, t, _ = y.shape
        return y.view(b, t, n, d).transpose(1, 2)  # (B, n, T, d)

    def project_cached(
        self, x: Tensor, memory: Tensor | None, cache: LayerCache
    ) -> tuple[Tensor, Tensor, Tensor]:
        """`project` for T new positions with a cache: self-attention appends the new k, v and
        returns all S of them; cross-attention projects the source at the first call only."""
        if not self.cross:
            offset = 0 if cache.k is None else cache.k.shape[2]
            q, k, v = self._rotated(x, offset)  # (B, H, T, Dk), (B, G, T, Dk), (B, G, T, Dv)
            k, v = cache.append(k, v)  # (B, G, S, Dk), (B, G, S, Dv), keys stored rotated
            return q, k, v
        if cache.cross is None:
            q, k, v = self.project(x, memory)  # k, v: (B, G, M, D.)
            cache.cross = (k, v)
            return q, k, v
        return self._queries(x), *cache.cross  # (B, H, T, Dk), (B, G, M, D.)

    def _repeated(self, kv: Tensor) -> Tensor:
        """[B, G, S, d] -> [B, H, S, d], each K/V head repeated for its H/G query heads."""
        if not self.grouped:
            return kv
        b, g, s, d = kv.shape
        r = self.heads // g
        return kv[:, :, None].expand(b, g, r, s, d).reshape(b, self.heads, s, d)  # (B, H, S, d)

    def attend(self, q: Tensor, k: Tensor, v: Tensor, mask: AttentionMask) -> Tensor:
        """softmax(q k^T * scale + bias) v (+ the hook's value term) -> [B, H, T, Dv];
        q [B, H, T, Dk], k [B, G, S, Dk], v [B, G, S, Dv]."""
        p = self.dropout if self.training else 0.0
        hook = self.position
        explicit = self.recorded is not None
        gqa = self.grouped
        if hook is None and not explicit:
            return F.scaled_dot_product_attention(
                q,
                k,
                v,
                attn_mask=mask.mask,
                dropout_p=p,
                is_causal=mask.is_causal,
                scale=self.scale,
                enable_gqa=gqa,
            )  # (B, H, T, Dv)
        t, s = q.shape[2], k.shape[2]
        if self.scale != 1.0:
            q = q * self.scale  # (B, H, T, Dk), laid out as (B, T, H, Dk)
        if hook is not None and not explicit and _has_own_attend(hook):
            fused = hook.attend(q, self._repeated(k), self._repeated(v), mask, p)  # or None
            if fused is not None:
                return fused
        bias = hook.bias(q, s, mask) if hook is not None else None  # (B|1, H|1, T, S), fresh
        weighted = hook is not None and hook.needs_weights
        if not weighted and not explicit:
            if bias is None:  # a hook that only rotated q and k
                return F.scaled_dot_product_attention(
                    q,
                    k,
                    v,
                    attn_mask=mask.mask,
                    dropout_p=p,
                    is_causal=mask.is_causal,
                    scale=1.0,
                    enable_gqa=gqa,
                )
            shared = hook is not None and hook.shared_bias  # a shared bias is masked already
            if shared and flash_bias.can_use(q, k, v, bias, p):  # CPU: causal blocks skipped
                return flash_bias.biased_attention(q, k, v, bias, mask.is_causal)
            blocked = mask.blocked(t, s, q.device)  # (B|1, 1, T, S), True = hidden, or None
            if blocked is not None and not shared:
                bias = bias.masked_fill_(blocked, float("-inf"))  # (B, H, T, S)
            return F.scaled_dot_product_attention(
                q, k, v, attn_mask=bias, dropout_p=p, scale=1.0, enable_gqa=gqa
            )
        blocked = mask.blocked(t, s, q.device)
        k, v = self._repeated(k), self._repeated(v)  # (B, H, S, Dk), (B, H, S, Dv)
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


def _has_own_attend(hook: PositionHook) -> bool:
    """Whether the hook computes attention its own way: only then are K and V repeated to H
    heads for it (a copy of the whole cache per call under grouped-query attention)."""
    return type(hook).attend is not PositionHook.attend


def _renamed_relative_tables(
    module: nn.Module, state: dict[str, Tensor], prefix: str, *args: object
) -> None:
    """Checkpoints written before the position hook named Shaw's tables `relative.*`."""
    for key in [k for k in state if k.startswith(f"{prefix}relative.")]:
        state[f"{prefix}position.{key[len(prefix) + len('relative.') :]}"] = state.pop(key)

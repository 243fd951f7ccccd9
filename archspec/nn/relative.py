"""Relative position representations (Shaw, Uszkoreit & Vaswani, 2018).

Shapes: B batch, H heads, T query time, S key time, Dk/Dv head dims, R = 2k + 1 distances.

Each self-attention layer learns a key table a^K [R, Dk] and optionally a value table
a^V [R, Dv], shared across heads, indexed by the clipped distance r = clip(j - i, -k, k):

    e_ij = q_i . (k_j + a^K_ij) / sqrt(Dk)
    z_i  = sum_j alpha_ij (v_j + a^V_ij)

Causal self-attention without padding or attention dropout (a decoder's training step) takes
a fused path that keeps no [T, S] tensor at all (`attend`, below); every other case runs the
explicit path after it. In the explicit path both extra terms run through the R-row tables
instead of a [T, S, D] table per layer call (measured at B 16, H 4, T 128, Dk 64, k 16,
forward+backward: gather 2.4 ms versus 10.4 ms for Shaw's own [T, S, Dk] batched matmul;
scatter_add 2.3 ms versus 8.6 ms; a plain QK^T costs 2.5 ms):
- key term: (q / sqrt(Dk)) @ a^K^T -> [B, H, T, R], then gather by relative index -> [B, H, T, S],
  an additive attention bias;
- value term: bucket-sum the attention weights by relative index (scatter_add) -> [B, H, T, R],
  then @ a^V -> [B, H, T, Dv], added to the attention output inside the same GEMM (addmm).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from archspec.nn.hooks import PositionHook
from archspec.nn.masks import AttentionMask


class RelativePositions(PositionHook):
    """One layer's key table (and optional value table) of clipped relative distances, as the
    position hook of its self-attention: the key term is a logits bias, the value term needs
    the attention weights."""

    def __init__(
        self, max_distance: int, d_k: int, d_v: int, values: bool = True, block: int = 32
    ) -> None:
        super().__init__()
        self.max_distance = max_distance
        self.block = block
        """Queries per block of the fused causal path's band products (at least k are used)."""
        rows = 2 * max_distance + 1
        self.key_table = nn.Parameter(torch.empty(rows, d_k))  # (R, Dk)
        self.value_table = nn.Parameter(torch.empty(rows, d_v)) if values else None  # (R, Dv)
        self.needs_weights = values
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Glorot uniform, tensor2tensor's default initialiser (Shaw et al.'s code base)."""
        nn.init.xavier_uniform_(self.key_table)
        if self.value_table is not None:
            nn.init.xavier_uniform_(self.value_table)

    def index(self, t: int, s: int, device: torch.device) -> Tensor:
        """Long[T, S]: clip(j - i, -k, k) + k; queries are the last T of the S key positions
        (so an incremental decoder's new query at position S-1 gets the right distances)."""
        i = torch.arange(s - t, s, device=device)[:, None]  # (T, 1)
        j = torch.arange(s, device=device)[None, :]  # (1, S)
        k = self.max_distance
        return (j - i).clamp(-k, k) + k  # (T, S)

    def _index(self, t: int, s: int, mask: AttentionMask, device: torch.device) -> Tensor:
        """`index`, made by the first layer of the stack and reused by the others."""
        index = mask.shared(("relative", t, s, self.max_distance), lambda: self.index(t, s, device))
        assert index is not None
        return index  # (T, S)

    def bias(self, q_scaled: Tensor, s: int, mask: AttentionMask) -> Tensor:
        """Shaw's key term as a fresh additive bias [B, H, T, S]."""
        return self.key_bias(q_scaled, self._index(q_scaled.shape[2], s, mask, q_scaled.device))

    def add_values(self, z: Tensor, weights: Tensor, mask: AttentionMask) -> Tensor:
        """Shaw's value term (only with a value table)."""
        t, s = weights.shape[2], weights.shape[3]
        return self.add_value_term(z, weights, self._index(t, s, mask, weights.device))

    def key_bias(self, q_scaled: Tensor, index: Tensor) -> Tensor:
        """q_i . a^K_ij / sqrt(Dk) for q_scaled = q / sqrt(Dk) [B, H, T, Dk] -> [B, H, T, S].

        q_scaled is best laid out as attention's projections leave it, (B, T, H, Dk) in memory:
        the product with a^K then runs on that layout without a copy."""
        per_distance = self.key_table_products(q_scaled)  # (B, H, T, R)
        b, h, t, _ = per_distance.shape
        return per_distance.gather(-1, index.expand(b, h, t, index.shape[-1]))  # (B, H, T, S)

    def add_value_term(self, z: Tensor, weights: Tensor, index: Tensor) -> Tensor:
        """z + sum_j alpha_ij a^V_ij for z [B, H, T, Dv] and weights alpha [B, H, T, S]."""
        assert self.value_table is not None
        b, h, t, s = weights.shape
        rows, dv = self.value_table.shape
        per_distance = weights.new_zeros(b, h, t, rows)  # (B, H, T, R)
        per_distance = per_distance.scatter_add_(-1, index.expand(b, h, t, s), weights)
        out = torch.addmm(
            z.reshape(-1, dv), per_distance.view(-1, rows), self.value_table
        )  # z + (B*H*T, R) @ (R, Dv), in one GEMM
        return out.view(b, h, t, dv)  # (B, H, T, Dv)

    def attend(
        self, q_scaled: Tensor, k: Tensor, v: Tensor, mask: AttentionMask, dropout: float
    ) -> Tensor | None:
        """Shaw attention of causal self-attention through SDPA's fused causal kernel; None
        (the caller runs the explicit path) under any other mask, with attention dropout or
        without a value table.

        Softmax ignores a constant added to a whole row, so the key term is taken relative to
        the farthest distance: the "far" keys j <= i - k then get no bias at all, and only the
        k "band" keys i-k < j <= i keep one, a^K_(j-i) - a^K_(-k). The far keys go through
        SDPA with one extra "sentinel" key whose logit sigma_i (the band's largest) and value
        e (a unit extra channel) are known: its output [A_i, u_i] carries the far keys'
        normaliser relative to W_i = Z_far + exp(sigma_i) (A = sum_far exp(e_ij) v_j / W,
        u = exp(sigma_i) / W, Z_far / W = 1 - u). The band is computed directly, O(T k):
        beta_ij = exp(e_ij - sigma_i) u_i = exp(e_ij) / W. Then, with N = (1 - u) + sum beta:

            z_i = (A_i + sum_band beta_ij (v_j + a^V_(j-i)) + (1 - u_i) a^V_(-k)) / N_i

        which is Shaw's z_i exactly (N >= 1, so the subtraction 1 - u costs no precision).
        Autograd keeps q, k, v, SDPA's output and log-sum-exp and [B, H, T, k] band tensors:
        no [B, H, T, T] tensor, and SDPA's causal kernel skips the masked half."""
        b, h, t, dk = q_scaled.shape
        if dropout or not mask.is_causal or t != k.shape[2] or self.value_table is None:
            return None
        n = self.max_distance
        band_keys = self.key_table[1 : n + 1] - self.key_table[:1]  # (k, Dk): -(k-1) .. 0
        bias = self.key_table_products(q_scaled, band_keys)  # (B, H, T, k)
        band = _Band(t, n, max(n, self.block), k.device, mask)
        logits = band.scores(q_scaled, k) + bias  # (B, H, T, k)
        logits = logits.masked_fill(band.before_start, float("-inf"))  # keys j < 0
        sigma = logits.detach().amax(-1, keepdim=True)  # (B, H, T, 1), finite: j = i is there
        far, u = self._far(q_scaled, k, v, sigma)  # (B, H, T, Dv), (B, H, T, 1)
        beta = (logits - sigma).exp() * u  # (B, H, T, k) = exp(e_ij) / W_i
        rest = 1.0 - u  # (B, H, T, 1) = Z_far / W
        norm = rest + beta.sum(-1, keepdim=True)  # (B, H, T, 1) = Z / W
        table = self.value_table
        z = far + band.weigh(beta, v) + beta @ table[1 : n + 1] + rest * table[0]  # (B, H, T, Dv)
        return z / norm  # (B, H, T, Dv)

    def _far(self, q: Tensor, k: Tensor, v: Tensor, sigma: Tensor) -> tuple[Tensor, Tensor]:
        """SDPA over the far keys j <= i - k plus a sentinel key of logit sigma_i and value e:
        (A [B, H, T, Dv], u [B, H, T, 1]); queries i < k have no far keys (A = 0, u = 1).
        q, k and v are zero-padded to one width D' = max(Dk, Dv) + 1 (the fused CPU kernel
        wants equal widths; zeros change no logit); the last channel is the sentinel's."""
        b, h, t, dk = q.shape
        n, dv = self.max_distance, v.shape[-1]
        if t < n:
            return q.new_zeros(b, h, t, dv), q.new_ones(b, h, t, 1)
        width = max(dk, dv) + 1  # the wider head size and the sentinel's channel
        length = t - n + 1  # queries i = k-1 .. T-1, as rows 0 .. L-1
        # row r (query i = r + k - 1) sees columns c <= r: the sentinel and keys j = c - 1
        gap = q.new_zeros(b, h, length, width - dk - 1)
        q_far = torch.cat([q[:, :, n - 1 :], gap, sigma[:, :, n - 1 :]], -1)  # (B, H, L, D')
        k_far = F.pad(k[:, :, : length - 1], (0, width - dk, 1, 0))  # (B, H, L, D')
        k_far[:, :, 0, -1] = 1.0  # sentinel key: e_last, so its logit is sigma_i
        v_far = F.pad(v[:, :, : length - 1], (0, width - dv, 1, 0))  # (B, H, L, D')
        v_far[:, :, 0, -1] = 1.0  # sentinel value: e_last
        out = F.scaled_dot_product_attention(q_far, k_far, v_far, is_causal=True, scale=1.0)
        a = F.pad(out[..., :dv], (0, 0, n - 1, 0))  # (B, H, T, Dv), queries i < k - 1: 0
        u = F.pad(out[..., -1:], (0, 0, n - 1, 0), value=1.0)  # (B, H, T, 1), there: 1
        return a, u

    def key_table_products(self, q_scaled: Tensor, table: Tensor | None = None) -> Tensor:
        """q_i . a^K_r / sqrt(Dk) for every distance r (or every row of `table` [R', Dk]):
        [B, H, T, Dk] -> [B, H, T, R]."""
        keys = self.key_table if table is None else table
        rows = q_scaled.transpose(1, 2) @ keys.t()  # (B, T, H, Dk) @ (Dk, R)
        return rows.transpose(1, 2)  # (B, T, H, R) -> (B, H, T, R)


class _Band:
    """The k band keys j = i-k+1 .. i of every query i, in blocks of C queries: block m holds
    queries mC .. mC+C-1 and a window of C+k-1 keys from mC-k+1 (one batched matmul of
    C x (C+k-1) blocks instead of T tiny ones); slot s of the block's query row r is window
    column r + s. Flattened, row r of [C, C+k-1] starts at r (C+k-1), so its slots sit at
    r (C+k) + s: padding the flat block by C and viewing it as [C, C+k] lines them up in the
    first k columns (no gather, no scatter)."""

    def __init__(self, t: int, n: int, c: int, device: torch.device, mask: AttentionMask) -> None:
        self.t, self.n, self.c = t, n, c  # C: queries per block
        self.blocks = -(-t // self.c)
        start = mask.shared(("relative-start", t, n), lambda: _before_start(t, n, device))
        assert start is not None
        self.before_start = start  # Bool[T, k]

    def windows(self, x: Tensor) -> Tensor:
        """[B, H, T, D] -> [B, H, M, C+k-1, D]: each block's window of keys (zeros off the ends):
        the previous block's last k-1 keys, then the block's own C. Built by slicing and one
        concatenation rather than `unfold`, whose backward took 3 ms a layer at B 32, T 128."""
        n = self.n
        own = self.blocked(x)  # (B, H, M, C, D)
        tail = F.pad(own[:, :, :-1, own.shape[3] - (n - 1) :], (0, 0, 0, 0, 1, 0))  # (.., k-1, D)
        return torch.cat([tail, own], dim=3)  # (B, H, M, C+k-1, D)

    def blocked(self, x: Tensor) -> Tensor:
        """[B, H, T, D] -> [B, H, M, C, D], queries padded to M*C."""
        b, h, _, d = x.shape
        if self.blocks * self.c != self.t:
            x = F.pad(x, (0, 0, 0, self.blocks * self.c - self.t))  # (B, H, M*C, D)
        return x.view(b, h, self.blocks, self.c, d)  # (B, H, M, C, D)

    def scores(self, q: Tensor, k: Tensor) -> Tensor:
        """q . k of every query with its band keys: [B, H, T, k]."""
        c, n = self.c, self.n
        block = self.blocked(q) @ self.windows(k).transpose(-1, -2)  # (B, H, M, C, C+k-1)
        flat = F.pad(block.flatten(-2), (0, c))  # (B, H, M, C*(C+k))
        band = flat.unflatten(-1, (c, c + n))[..., :n]  # (B, H, M, C, k)
        return band.flatten(2, 3)[:, :, : self.t]  # (B, H, T, k)

    def weigh(self, beta: Tensor, v: Tensor) -> Tensor:
        """sum over the band slots s of beta_is v_(i-k+1+s): [B, H, T, k] -> [B, H, T, Dv]."""
        c, n = self.c, self.n
        per_block = F.pad(self.blocked(beta), (0, c))  # (B, H, M, C, C+k)
        flat = per_block.flatten(-2)[..., : c * (c + n - 1)]  # (B, H, M, C*(C+k-1))
        spread = flat.unflatten(-1, (c, c + n - 1))  # (B, H, M, C, C+k-1)
        z = spread @ self.windows(v)  # (B, H, M, C, C+k-1) @ (B, H, M, C+k-1, Dv)
        return z.flatten(2, 3)[:, :, : self.t]  # (B, H, T, Dv)


def _before_start(t: int, n: int, device: torch.device) -> Tensor:
    """Bool[T, k]: True where band slot s of query i is key i - k + 1 + s < 0."""
    i = torch.arange(t, device=device)[:, None]  # (T, 1)
    c = torch.arange(n, device=device)[None, :]  # (1, k)
    return i + c < n - 1  # (T, k)

"""Rotary position embeddings (RoPE; Su et al. 2021, "RoFormer").

Shapes: B batch, H heads (queries and keys may have different head counts: grouped-query
attention), T time, Dk head dim, R rotated dims per head (R = Dk * fraction, even), P = R / 2
pairs, L table length (max_len).

Each pair p of a head's first R dimensions is turned by the angle pos * theta_p, with
theta_p = base^(-2p / R) and pos the token's position divided by the linear scaling factor:

    (x1, x2) -> (x1 cos - x2 sin, x1 sin + x2 cos)

Which two dimensions form pair p is the `pairing`:
    halves       x1 = x[p], x2 = x[p + P]      GPT-NeoX, HF LLaMA, Mistral, Phi
    interleaved  x1 = x[2p], x2 = x[2p + 1]    RoFormer, GPT-J, Mesh-TensorFlow
The dimensions R.. Dk-1 pass through unchanged (partial rotary: GPT-NeoX 0.25, Phi 0.4).

How (measured on CPU, forward and backward of one layer at B 16, T 128, 4 heads of 64): the
interleaved pairing multiplies each pair, viewed as one complex number, by e^(i angle): one
kernel each way, +3% of a layer's attention; the halves pairing computes x cos + swap(x) sin
with the sine's sign folded into its table, swap a roll by R/2 (three kernels, +10%; the
written-out form with a negation and a concatenation cost +18%).

q and k are rotated before the key/value cache, so cached keys are stored rotated and a query
at position i meets a key at j through the angle (i - j) theta_p only. The cos/sin tables are
non-persistent buffers built once (one hook serves every layer of its stack); attention keeps
SDPA's fused kernels (no bias, is_causal kept).
"""

from __future__ import annotations

import torch
from torch import Tensor

from archspec.nn.hooks import PositionHook


def rotary_angles(positions: Tensor, rotated: int, base: float, scale: float) -> Tensor:
    """[L] positions -> [L, P] angles (pos / scale) * base^(-2p / R), in float64."""
    theta = base ** (-torch.arange(0, rotated, 2, dtype=torch.float64) / rotated)  # (P,)
    return (positions.to(torch.float64) / scale)[:, None] * theta[None, :]  # (L, P)


_COMPLEX_OK = (torch.float32, torch.float64)
"""Dtypes view_as_complex takes (no complex bfloat16)."""


def _pairs_view_ok(x: Tensor) -> bool:
    """Whether x's last dim can be viewed as complex pairs: unit stride, even strides and
    storage offset elsewhere (true of q and k as views of the fused projection)."""
    even = all(st % 2 == 0 for st in x.stride()[:-1]) and x.storage_offset() % 2 == 0
    return x.stride(-1) == 1 and even


class RotaryPositions(PositionHook):
    """Rotates the first `rotated` dims of every query and key head by its position."""

    cos: Tensor
    sin: Tensor

    def __init__(
        self,
        rotated: int,
        max_len: int,
        *,
        base: float = 10000.0,
        pairing: str = "halves",
        scale: float = 1.0,
    ) -> None:
        super().__init__()
        if rotated % 2 or rotated < 2:
            raise ValueError(f"rotary needs an even number of rotated dims, got {rotated}")
        if pairing not in ("halves", "interleaved"):
            raise ValueError(f"pairing must be 'halves' or 'interleaved', not {pairing!r}")
        self.rotated, self.max_len = rotated, max_len
        self.base, self.pairing, self.scale = base, pairing, scale
        if torch.get_default_device().type == "meta":  # no values to compute on meta
            cos = sin = torch.empty(max_len, rotated)
        else:
            cos, sin = self.tables(0, max_len)
        self.register_buffer("cos", cos, persistent=False)  # (L, R)
        self.register_buffer("sin", sin, persistent=False)  # (L, R), signed (see `tables`)

    def tables(
        self, start: int, stop: int, device: torch.device | None = None
    ) -> tuple[Tensor, Tensor]:
        """cos and signed sin [stop - start, R] of positions start .. stop-1, each angle at
        both dims of its pair (halves: [a, a]; interleaved: [a0, a0, a1, a1, ...]) and the sine
        negative at the first dim of each pair, so a rotation is x cos + swap(x) sin."""
        angle = rotary_angles(
            torch.arange(start, stop, device=device), self.rotated, self.base, self.scale
        )  # (T, P)
        cos, sin = angle.cos(), angle.sin()  # (T, P) each
        if self.pairing == "halves":
            cos, sin = torch.cat([cos, cos], dim=-1), torch.cat([-sin, sin], dim=-1)  # (T, R)
        else:
            cos = cos.repeat_interleave(2, dim=-1)  # (T, R)
            sin = torch.stack([-sin, sin], dim=-1).flatten(-2)  # (T, R)
        return cos.float(), sin.float()

    def reset_parameters(self) -> None:
        """Recompute the tables (after `to_empty` from the meta device)."""
        cos, sin = self.tables(0, self.max_len)
        self.cos.copy_(cos.to(self.cos.device))
        self.sin.copy_(sin.to(self.sin.device))

    def _cos_sin(self, t: int, offset: int, like: Tensor) -> tuple[Tensor, Tensor]:
        if offset + t <= self.max_len:
            cos, sin = self.cos[offset : offset + t], self.sin[offset : offset + t]  # (T, R)
        else:  # beyond the table (e.g. evaluating longer than max_len): compute these rows
            cos, sin = self.tables(offset, offset + t, like.device)
        return cos.to(like.dtype), sin.to(like.dtype)

    def _swap(self, x: Tensor) -> Tensor:
        """Each rotated dim's pair partner, unsigned (the sign is in the sine): [.., R]."""
        if self.pairing == "halves":
            return x.roll(self.rotated // 2, dims=-1)  # (x1, x2) -> (x2, x1), one kernel
        return x.unflatten(-1, (-1, 2)).flip(-1).flatten(-2)  # pairs (a, b) -> (b, a)

    def _turned(self, x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
        """x [.., T, R] rotated: interleaved pairs as complex numbers times e^(i angle) (one
        kernel each way), else x cos + swap(x) sin (three)."""
        if self.pairing == "interleaved" and x.dtype in _COMPLEX_OK and _pairs_view_ok(x):
            turn = torch.complex(cos[:, 0::2], sin[:, 1::2])  # (T, P): e^(i angle)
            z = torch.view_as_complex(x.unflatten(-1, (-1, 2)))  # (.., T, P), a view
            return torch.view_as_real(z * turn).flatten(-2)  # (.., T, R)
        return torch.addcmul(x * cos, self._swap(x), sin)  # (.., T, R)

    def turn(self, x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
        """x [B, H, T, Dk] with its first R dims rotated by cos, signed sin [T, R]."""
        if self.rotated == x.shape[-1]:
            return self._turned(x, cos, sin)  # (B, H, T, Dk)
        head, tail = x[..., : self.rotated], x[..., self.rotated :]  # (B, H, T, R), (.., Dk - R)
        turned = self._turned(head, cos, sin)  # (B, H, T, R)
        # joined as (B, T, H, Dk) in memory, the projections' layout: attention's output then
        # merges its heads without a copy
        joined = torch.cat([turned.transpose(1, 2), tail.transpose(1, 2)], dim=-1)
        return joined.transpose(1, 2)  # (B, H, T, Dk)

    def rotate(self, q: Tensor, k: Tensor, offset: int) -> tuple[Tensor, Tensor]:
        """q [B, H, T, Dk], k [B, Hkv, T, Dk] at positions offset.. -> the same shapes."""
        cos, sin = self._cos_sin(q.shape[2], offset, q)  # (T, R) each
        return self.turn(q, cos, sin), self.turn(k, cos, sin)

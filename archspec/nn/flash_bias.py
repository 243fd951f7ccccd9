"""Attention with an additive logits bias on the CPU flash kernel, causal blocks skipped, and a
learned bias's gradient without a second [B, H, T, S] kept per layer.

Shapes: B batch, H heads, T query time, S key time, Dk = Dv head dim.

`F.scaled_dot_product_attention` with a float attn_mask cannot say "causal" as well
(attn_mask and is_causal exclude each other), so a causal stack's ALiBi or T5 bias, masked
with -inf, makes the kernel compute every block of the T x S logits, the hidden half too; and
a bias that requires grad (T5's table) sends SDPA to its math path, which keeps the T x S
probabilities of every layer for the backward pass. torch's CPU flash kernel itself takes both
a float mask and is_causal, and returns the log-sum-exp of each row, so here:

    forward    out, lse = flash(q, k, v, bias, is_causal)          blocks above the diagonal
                                                                    skipped; nothing T x S kept
    backward   dq, dk, dv = flash_backward(dout, q, k, v, out, lse, bias, is_causal)
               d bias = P * (dP - rowsum(dout * out)), one batch row at a time, with
               P = exp(q k^T + bias - lse) and dP = dout v^T recomputed (summed over B when the
               bias broadcasts over the batch)

Only on CPU, without attention dropout and with Dk = Dv; the caller falls back to SDPA
otherwise. K and V may have fewer heads (G dividing H): the kernel shares them itself, as SDPA's
enable_gqa does. q arrives scaled (scale 1 here).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

_flash = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu
_flash_backward = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu_backward


def can_use(q: Tensor, k: Tensor, v: Tensor, bias: Tensor, dropout: float) -> bool:
    """Whether `biased_attention` takes these inputs (else use SDPA)."""
    return (
        q.device.type == "cpu"
        and dropout == 0.0
        and q.shape[-1] == v.shape[-1]
        and q.dtype in (torch.float32, torch.float64, torch.bfloat16)
        and bias.dtype == q.dtype
        and bias.dim() == 4
    )


def biased_attention(q: Tensor, k: Tensor, v: Tensor, bias: Tensor, is_causal: bool) -> Tensor:
    """softmax(q k^T + bias) v -> [B, H, T, Dv]; q [B, H, T, Dk] (scaled), k, v [B, G, S, D.],
    bias [B|1, H, T, S] (hidden positions -inf); is_causal: the plain look-ahead mask holds
    too (queries and keys aligned, T = S), so blocks above the diagonal are skipped."""
    if not bias.requires_grad:
        out, _ = _flash(q, k, v, 0.0, is_causal, attn_mask=bias, scale=1.0)
        return out  # autograd of the kernel itself: q, k, v only
    return _LearnedBias.apply(q, k, v, bias, is_causal)


class _LearnedBias(torch.autograd.Function):
    """The flash kernel forward and backward, plus the bias's gradient (module docstring)."""

    @staticmethod
    def forward(ctx: Any, q: Tensor, k: Tensor, v: Tensor, bias: Tensor, is_causal: bool) -> Tensor:
        out, lse = _flash(q, k, v, 0.0, is_causal, attn_mask=bias, scale=1.0)
        ctx.save_for_backward(q, k, v, bias, out, lse)
        ctx.is_causal = is_causal
        return out  # (B, H, T, Dv)

    @staticmethod
    def backward(ctx: Any, dout: Tensor) -> tuple[Tensor | None, ...]:
        q, k, v, bias, out, lse = ctx.saved_tensors
        dq, dk, dv = _flash_backward(
            dout, q, k, v, out, lse, 0.0, ctx.is_causal, attn_mask=bias, scale=1.0
        )
        needs = ctx.needs_input_grad[3]
        dbias = _bias_grad(q, k, v, bias, out, lse, dout, ctx.is_causal) if needs else None
        return dq, dk, dv, dbias, None


def _bias_grad(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    bias: Tensor,
    out: Tensor,
    lse: Tensor,
    dout: Tensor,
    is_causal: bool,
) -> Tensor:
    """d loss / d bias [B|1, H, T, S], one batch row and one block of queries at a time, in
    four passes over each [H, t, S'] block (causal: S' = the keys up to the block's last query):

        P  = exp([q, -lse] [k, 1]^T + bias)      one baddbmm (lse folded into the product), exp
        dS = P * (dout v^T - rowsum(dout * out))  one baddbmm, one addcmul into the gradient
    """
    group = q.shape[1] // k.shape[1]  # query heads per K/V head (grouped-query attention)
    lse = lse.masked_fill(lse == float("-inf"), 0.0)[..., None]  # (B, H, T, 1); a row with no key
    q_lse = torch.cat([q, -lse.to(q.dtype)], dim=-1)  # (B, H, T, Dk + 1)
    rows = (dout * out).sum(-1, keepdim=True)  # (B, H, T, 1): rowsum(dout * out)
    grad = torch.zeros_like(bias)  # (B|1, H, T, S)
    t, s = q.shape[2], k.shape[2]
    step = t if not is_causal else max(_BLOCK, -(-t // 4))  # causal: skip keys past each block
    for b in range(q.shape[0]):
        kb, vb = k[b], v[b]  # (G, S, Dk), (G, S, Dv)
        if group > 1:  # query head i reads K/V head i // group
            kb, vb = kb.repeat_interleave(group, dim=0), vb.repeat_interleave(group, dim=0)
        k_one = torch.cat([kb, kb.new_ones(kb.shape[0], s, 1)], dim=-1)  # (H, S, Dk + 1)
        g = grad[b if bias.shape[0] > 1 else 0]  # (H, T, S)
        bb = bias[b if bias.shape[0] > 1 else 0]  # (H, T, S)
        for i in range(0, t, step):
            j = min(i + step, t)
            keys = s - t + j if is_causal else s  # causal: keys after query j-1 are hidden
            p = torch.baddbmm(
                bb[:, i:j, :keys], q_lse[b, :, i:j], k_one[:, :keys].transpose(-2, -1)
            ).exp_()  # (H, t, S')
            dp = torch.baddbmm(
                rows[b, :, i:j], dout[b, :, i:j], vb[:, :keys].transpose(-2, -1), beta=-1
            )  # (H, t, S'): dout v^T - rowsum
            g[:, i:j, :keys].addcmul_(p, dp)
    return grad


_BLOCK = 256
"""Queries per block of the causal bias gradient (fewer blocks at short lengths)."""

"""Grouped-query and multi-query attention, the logits scale and query/key norms, each against
a formula written out here (repeat each K/V head for its query heads, then plain softmax
attention) or against nn.MultiheadAttention."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from archspec.nn.attention import MultiHeadAttention
from archspec.nn.cache import LayerCache
from archspec.nn.masks import causal, incremental_mask, self_attention_mask
from archspec.nn.norms import LayerNorm, RMSNorm

D, H, DK = 32, 8, 4


def _padding(lengths: list[int], t: int) -> torch.Tensor:
    return torch.arange(t)[None, :] >= torch.tensor(lengths)[:, None]  # True = padding


def reference(
    att: MultiHeadAttention, x: torch.Tensor, allowed: torch.Tensor, scale: float
) -> torch.Tensor:
    """softmax(q k_g^T * scale) v_g W^O + b, with K/V head g = i // (H/G) for query head i,
    written out from the fused weights (rows [W^Q | W^K | W^V])."""
    h, g, dk, dv = att.heads, att.kv_heads, att.d_k, att.d_v
    w_q, w_k, w_v = att.qkv.weight.split([h * dk, g * dk, g * dv])
    b_q, b_k, b_v = att.qkv.bias.split([h * dk, g * dk, g * dv])
    b, t, _ = x.shape
    q = (x @ w_q.T + b_q).view(b, t, h, dk).transpose(1, 2)  # (B, H, T, Dk)
    k = (x @ w_k.T + b_k).view(b, t, g, dk).transpose(1, 2)  # (B, G, T, Dk)
    v = (x @ w_v.T + b_v).view(b, t, g, dv).transpose(1, 2)  # (B, G, T, Dv)
    if att.q_norm is not None and att.k_norm is not None:
        q, k = att.q_norm(q), att.k_norm(k)
    k = k.repeat_interleave(h // g, dim=1)  # (B, H, T, Dk): query head i reads K/V head i // r
    v = v.repeat_interleave(h // g, dim=1)
    scores = (q @ k.transpose(-1, -2)) * scale  # (B, H, T, T)
    scores = scores.masked_fill(~allowed, float("-inf"))
    z = torch.softmax(scores, -1) @ v  # (B, H, T, Dv)
    return att.out(z.transpose(1, 2).reshape(b, t, h * dv))


def _attention(kv_heads: int, **kwargs: object) -> MultiHeadAttention:
    torch.manual_seed(0)
    att = MultiHeadAttention(D, H, DK, DK, kv_heads=kv_heads, **kwargs)  # type: ignore[arg-type]
    with torch.no_grad():  # non-zero biases, so a misplaced bias shows
        for p in att.parameters():
            if p.dim() == 1:
                p.normal_()
    return att


@pytest.mark.parametrize("kv_heads", [1, 2, 4, 8])
@pytest.mark.parametrize("causal_mask", [False, True])
def test_grouped_query_attention_matches_the_repeated_formula(
    kv_heads: int, causal_mask: bool
) -> None:
    att = _attention(kv_heads)
    assert att.qkv.weight.shape == (H * DK + 2 * kv_heads * DK, D)
    x = torch.randn(3, 7, D)
    pad = _padding([7, 5, 2], 7)
    mask = self_attention_mask(pad, 7, causal_after=0 if causal_mask else None, device=x.device)
    allowed = ~pad[:, None, None, :]
    if causal_mask:
        allowed = allowed & causal(7, 7)
    expected = reference(att, x, allowed, 1 / math.sqrt(DK))
    torch.testing.assert_close(att(x, mask), expected, atol=1e-5, rtol=1e-5)
    att.recorded = []  # the explicit path repeats K and V itself
    torch.testing.assert_close(att(x, mask), expected, atol=1e-5, rtol=1e-5)


def test_as_many_kv_heads_as_heads_is_nn_multiheadattention() -> None:
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(D, H, batch_first=True)
    ours = MultiHeadAttention(D, H, D // H, D // H, kv_heads=H)
    with torch.no_grad():
        ours.qkv.weight.copy_(ref.in_proj_weight)
        ours.qkv.bias.copy_(ref.in_proj_bias)
        ours.out.load_state_dict(ref.out_proj.state_dict())
    x = torch.randn(2, 6, D)
    pad = _padding([6, 3], 6)
    expected, _ = ref(x, x, x, key_padding_mask=pad, need_weights=False)
    mask = self_attention_mask(pad, 6, causal_after=None, device=x.device)
    torch.testing.assert_close(ours(x, mask), expected, atol=1e-5, rtol=1e-5)


def test_multi_query_attention_has_one_key_and_value_head() -> None:
    att = _attention(1)
    q, k, v = att.project(torch.randn(2, 5, D))
    assert q.shape == (2, H, 5, DK) and k.shape == (2, 1, 5, DK) and v.shape == (2, 1, 5, DK)


@pytest.mark.parametrize("scale", [1.0, 0.3])
def test_scale_replaces_one_over_sqrt_dk(scale: float) -> None:
    att = _attention(2, scale=scale)
    x = torch.randn(2, 6, D)
    mask = self_attention_mask(None, 6, causal_after=0, device=x.device)
    expected = reference(att, x, causal(6, 6), scale)
    torch.testing.assert_close(att(x, mask), expected, atol=1e-5, rtol=1e-5)
    default = reference(att, x, causal(6, 6), 1 / math.sqrt(DK))
    assert not torch.allclose(att(x, mask), default, atol=1e-3)


@pytest.mark.parametrize("norm", ["layernorm", "rmsnorm"])
def test_qk_norm_normalises_each_head_over_dk(norm: str) -> None:
    def make() -> nn.Module:
        return LayerNorm(DK, eps=1e-6) if norm == "layernorm" else RMSNorm(DK, eps=1e-6)

    att = _attention(2, q_norm=make(), k_norm=make())
    x = torch.randn(2, 6, D) * 5
    q, k, _ = att.project(x)
    w_q = att.qkv.weight[: H * DK]
    raw = (x @ w_q.T + att.qkv.bias[: H * DK]).view(2, 6, H, DK).transpose(1, 2)
    if norm == "rmsnorm":  # x / sqrt(mean(x^2) + eps) * gain, written out
        expected = raw / torch.sqrt(raw.pow(2).mean(-1, keepdim=True) + 1e-6) * att.q_norm.weight
    else:
        mu, var = raw.mean(-1, keepdim=True), raw.var(-1, unbiased=False, keepdim=True)
        expected = (raw - mu) / torch.sqrt(var + 1e-6) * att.q_norm.weight + att.q_norm.bias
    torch.testing.assert_close(q, expected, atol=1e-5, rtol=1e-5)
    mask = self_attention_mask(None, 6, causal_after=0, device=x.device)
    want = reference(att, x, causal(6, 6), 1 / math.sqrt(DK))
    torch.testing.assert_close(att(x, mask), want, atol=1e-5, rtol=1e-5)


def test_query_key_projection_biases_apart_from_the_output_bias() -> None:
    att = MultiHeadAttention(D, H, DK, DK, kv_heads=2, bias=True, out_bias=False)
    assert att.qkv.bias is not None and att.out.bias is None


@pytest.mark.parametrize("kv_heads", [1, 2, 8])
def test_cached_decoding_equals_the_full_forward_at_every_step(kv_heads: int) -> None:
    att = _attention(kv_heads).eval()
    x = torch.randn(2, 9, D)
    full = att(x, self_attention_mask(None, 9, causal_after=0, device=x.device))
    cache = LayerCache()
    prefill = att(
        x[:, :3], self_attention_mask(None, 3, causal_after=0, device=x.device), cache=cache
    )
    torch.testing.assert_close(prefill, full[:, :3], atol=1e-5, rtol=1e-5)
    for i in range(3, 9):
        step = att(
            x[:, i : i + 1],
            incremental_mask(None, 1, i + 1, causal_after=0, device=x.device),
            cache=cache,
        )
        torch.testing.assert_close(step, full[:, i : i + 1], atol=1e-5, rtol=1e-5)
    assert cache.k is not None and cache.k.shape == (2, kv_heads, 9, DK)  # G heads cached


def test_kv_heads_must_divide_heads() -> None:
    with pytest.raises(ValueError, match="kv_heads 3 must divide heads 8"):
        MultiHeadAttention(D, H, DK, DK, kv_heads=3)


def test_a_logits_bias_reaches_sdpa_with_grouped_heads() -> None:
    """Shaw's key term alone runs as a float attn_mask through SDPA's grouped path; the
    explicit path (recording) repeats K and V instead: both give the same outputs."""
    from archspec.nn.relative import RelativePositions

    torch.manual_seed(0)
    rel = RelativePositions(3, DK, DK, values=False)
    att = MultiHeadAttention(D, H, DK, DK, kv_heads=2, position=rel)
    x, pad = torch.randn(2, 7, D), _padding([7, 4], 7)
    mask = self_attention_mask(pad, 7, causal_after=0, device=x.device)
    fused = att(x, mask)
    att.recorded = []
    torch.testing.assert_close(att(x, mask), fused, atol=1e-5, rtol=1e-5)
    assert att.recorded[0].shape == (2, H, 7, 7)  # the weights of every query head


def test_attention_dropout_trains_with_grouped_heads() -> None:
    att = MultiHeadAttention(D, H, DK, DK, kv_heads=2, dropout=0.5).train()
    x = torch.randn(2, 6, D, requires_grad=True)
    y = att(x, self_attention_mask(None, 6, causal_after=0, device=x.device))
    y.sum().backward()
    assert x.grad is not None and att.qkv.weight.grad is not None
    att.eval()
    with torch.no_grad():
        want = reference(att, x, causal(6, 6), 1 / math.sqrt(DK))
        got = att(x, self_attention_mask(None, 6, causal_after=0, device=x.device))
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)

"""Shaw relative attention's fused causal path (archspec/nn/relative.py `attend`) against the
explicit computation it replaces, written out plainly here (the implementation before it:
q k^T plus the gathered key term, softmax, weights v plus the bucket-summed value term), and
against what autograd keeps: no [B, H, T, T] tensor."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

from archspec.nn.attention import MultiHeadAttention
from archspec.nn.masks import AttentionMask, causal
from archspec.nn.relative import RelativePositions


def _explicit(att: MultiHeadAttention, x: Tensor) -> Tensor:
    """Causal Shaw attention through [B, H, T, T] tensors: the reference."""
    b, t, _ = x.shape
    h, dk, dv = att.heads, att.d_k, att.d_v
    rel = att.position
    assert isinstance(rel, RelativePositions) and rel.value_table is not None
    q, k, v = att.qkv(x).split([h * dk, h * dk, h * dv], dim=-1)
    q, k, v = (y.view(b, t, h, -1).transpose(1, 2) for y in (q, k, v))  # (B, H, T, D.)
    q = q / math.sqrt(dk)
    n = rel.max_distance
    i, j = torch.arange(t)[:, None], torch.arange(t)[None, :]
    index = (j - i).clamp(-n, n) + n  # (T, T): the clipped distance's row
    key_term = (q @ rel.key_table.T).gather(-1, index.expand(b, h, t, t))  # (B, H, T, T)
    scores = (q @ k.transpose(-2, -1) + key_term).masked_fill(j > i, float("-inf"))
    weights = scores.softmax(-1)  # (B, H, T, T)
    buckets = torch.zeros(b, h, t, 2 * n + 1).scatter_add(-1, index.expand(b, h, t, t), weights)
    z = weights @ v + buckets @ rel.value_table  # (B, H, T, Dv)
    return att.out(z.transpose(1, 2).reshape(b, t, h * dv))


def _attention(dk: int, dv: int, n: int, seed: int = 0) -> MultiHeadAttention:
    torch.manual_seed(seed)
    att = MultiHeadAttention(16, 2, dk, dv, position=RelativePositions(n, dk, dv, block=4))
    with torch.no_grad():  # tables far from zero, so that a wrong distance shows
        att.position.key_table.normal_(0, 1.0)
        att.position.value_table.normal_(0, 1.0)
        att.qkv.bias.normal_()
    return att


@pytest.mark.parametrize(
    ("t", "dk", "dv", "n"),
    [(9, 4, 4, 3), (17, 3, 5, 2), (5, 4, 4, 8), (12, 6, 2, 1), (13, 4, 4, 4)],
    ids=["blocks", "dk<dv-partial-block", "shorter-than-k", "k=1", "k=block"],
)
def test_fused_path_matches_the_explicit_one_in_outputs_and_gradients(
    t: int, dk: int, dv: int, n: int
) -> None:
    att = _attention(dk, dv, n)
    x = torch.randn(3, t, 16, requires_grad=True)
    grad = torch.randn(3, t, 16)
    params = [x, *att.parameters()]
    expected = _explicit(att, x)
    want = torch.autograd.grad(expected, params, grad)
    got = att(x, AttentionMask(is_causal=True))
    have = torch.autograd.grad(got, params, grad)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    for name, a, e in zip(["x", *dict(att.named_parameters())], have, want, strict=True):
        torch.testing.assert_close(a, e, atol=1e-5, rtol=1e-4, msg=name)


def test_the_explicit_mask_and_the_fused_path_agree_and_large_logits_stay_finite() -> None:
    """The same causal mask given explicitly (the explicit path of attention.py) gives the
    same numbers; logits of a few hundred (softmax saturated) stay finite."""
    att = _attention(4, 4, 3, seed=1)
    with torch.no_grad():
        att.qkv.weight.mul_(30.0)
    x = torch.randn(2, 11, 16)
    fused = att(x, AttentionMask(is_causal=True))
    explicit = att(x, AttentionMask(mask=causal(11, 11)[None, None]))
    assert torch.isfinite(fused).all()
    torch.testing.assert_close(fused, explicit, atol=1e-4, rtol=1e-4)


def test_fused_path_keeps_no_t_by_t_tensor_for_backward() -> None:
    torch.manual_seed(0)
    b, h, t = 2, 2, 128
    att = MultiHeadAttention(16, h, 8, 8, position=RelativePositions(16, 8, 8))  # block 32
    params = {p.untyped_storage().data_ptr() for p in att.parameters()}
    kept: list[int] = []

    def pack(saved: Tensor) -> Tensor:
        if saved.untyped_storage().data_ptr() not in params:
            kept.append(saved.untyped_storage().nbytes() // saved.element_size())
        return saved

    x = torch.randn(b, t, 16)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda s: s):
        att(x, AttentionMask(is_causal=True))
    assert kept and max(kept) < b * h * t * t / 2  # the explicit path keeps b*h*t*t weights
    kept.clear()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda s: s):
        att(x, AttentionMask(mask=causal(t, t)[None, None]))
    assert max(kept) >= b * h * t * t  # the check above can fail


def test_dropout_padding_and_cached_decoding_keep_the_explicit_path() -> None:
    rel = RelativePositions(3, 4, 4)
    q = k = v = torch.randn(1, 2, 6, 4)
    assert rel.attend(q, k, v, AttentionMask(is_causal=True), dropout=0.1) is None
    assert rel.attend(q, k, v, AttentionMask(mask=causal(6, 6)[None, None]), 0.0) is None
    assert rel.attend(q, k, v, AttentionMask(), 0.0) is None  # bidirectional
    assert rel.attend(q[:, :, -1:], k, v, AttentionMask(is_causal=True), 0.0) is None  # cache
    assert RelativePositions(3, 4, 4, values=False).attend(q, k, v, AttentionMask(), 0.0) is None
    assert rel.attend(q, k, v, AttentionMask(is_causal=True), 0.0) is not None

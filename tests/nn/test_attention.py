"""Multi-head attention against nn.MultiheadAttention, and relative attention against the
Shaw et al. (2018) formulas written out as loops."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from archspec.nn.attention import MultiHeadAttention
from archspec.nn.masks import cross_attention_mask, self_attention_mask
from archspec.nn.relative import RelativePositions

D, H = 16, 4


def _padding(lengths: list[int], t: int) -> torch.Tensor:
    return torch.arange(t)[None, :] >= torch.tensor(lengths)[:, None]  # True = padding


def self_attention_pair() -> tuple[nn.MultiheadAttention, MultiHeadAttention]:
    """nn.MultiheadAttention (seed 0) and ours holding its weights (its packed in-projection is
    our fused QKV)."""
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(D, H, batch_first=True)
    ours = MultiHeadAttention(D, H, D // H, D // H)
    with torch.no_grad():
        ours.qkv.weight.copy_(ref.in_proj_weight)
        ours.qkv.bias.copy_(ref.in_proj_bias)
        ours.out.weight.copy_(ref.out_proj.weight)
        ours.out.bias.copy_(ref.out_proj.bias)
    return ref, ours


@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_matches_nn_multiheadattention(causal: bool) -> None:
    ref, ours = self_attention_pair()
    x = torch.randn(3, 7, D)
    pad = _padding([7, 5, 2], 7)
    future = torch.triu(torch.ones(7, 7, dtype=torch.bool), 1) if causal else None
    expected, _ = ref(x, x, x, key_padding_mask=pad, attn_mask=future, need_weights=False)
    mask = self_attention_mask(pad, 7, causal_after=0 if causal else None, device=x.device)
    torch.testing.assert_close(ours(x, mask), expected, atol=1e-5, rtol=1e-5)


def test_cross_attention_matches_nn_multiheadattention() -> None:
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(D, H, batch_first=True)
    ours = MultiHeadAttention(D, H, D // H, D // H, cross=True)
    with torch.no_grad():
        ours.q.weight.copy_(ref.in_proj_weight[:D])
        ours.kv.weight.copy_(ref.in_proj_weight[D:])
        ours.q.bias.copy_(ref.in_proj_bias[:D])
        ours.kv.bias.copy_(ref.in_proj_bias[D:])
        ours.out.load_state_dict(ref.out_proj.state_dict())
    x, memory = torch.randn(2, 5, D), torch.randn(2, 9, D)
    pad = _padding([9, 4], 9)
    expected, _ = ref(x, memory, memory, key_padding_mask=pad, need_weights=False)
    torch.testing.assert_close(
        ours(x, cross_attention_mask(pad), memory), expected, atol=1e-5, rtol=1e-5
    )


def _shaw_loop(att: MultiHeadAttention, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """e_ij = q_i.(k_j + a^K_ij)/sqrt(dk), z_i = sum_j alpha_ij (v_j + a^V_ij), term by term."""
    h, dk, dv = att.heads, att.d_k, att.d_v
    rel = att.position
    kmax = rel.max_distance
    w_q, w_k, w_v = att.qkv.weight.split([h * dk, h * dk, h * dv])
    b_q, b_k, b_v = att.qkv.bias.split([h * dk, h * dk, h * dv])
    batch, t, _ = x.shape
    out = torch.zeros(batch, t, h * dv)
    for b in range(batch):
        q = (x[b] @ w_q.T + b_q).view(t, h, dk)
        k = (x[b] @ w_k.T + b_k).view(t, h, dk)
        v = (x[b] @ w_v.T + b_v).view(t, h, dv)
        for head in range(h):
            for i in range(t):
                e = torch.full((t,), float("-inf"))
                for j in range(t):
                    r = min(max(j - i, -kmax), kmax) + kmax
                    if allowed[b, i, j]:
                        e[j] = q[i, head] @ (k[j, head] + rel.key_table[r]) / math.sqrt(dk)
                if not allowed[b, i].any():
                    continue  # attends to nothing: zero output
                alpha = torch.softmax(e, dim=0)
                z = torch.zeros(dv)
                for j in range(t):
                    r = min(max(j - i, -kmax), kmax) + kmax
                    a_v = rel.value_table[r] if rel.value_table is not None else 0.0
                    z = z + alpha[j] * (v[j, head] + a_v)
                out[b, i, head * dv : (head + 1) * dv] = z
    return att.out(out)


@pytest.mark.parametrize("values", [True, False])
@pytest.mark.parametrize("causal", [False, True])
def test_relative_attention_is_shaws_formula(values: bool, causal: bool) -> None:
    torch.manual_seed(0)
    d_k, d_v, t = 3, 5, 8
    att = MultiHeadAttention(D, 2, d_k, d_v, position=RelativePositions(2, d_k, d_v, values))
    with torch.no_grad():
        att.qkv.bias.normal_()
    x = torch.randn(3, t, D)
    pad = _padding([8, 6, 3], t)
    pad[2] = True  # an all-padding sequence: zero output, no NaN
    allowed = ~pad[:, None, :].expand(3, t, t)
    if causal:
        allowed = allowed & torch.tril(torch.ones(t, t, dtype=torch.bool))
    mask = self_attention_mask(pad, t, causal_after=0 if causal else None, device=x.device)
    with torch.no_grad():
        expected = _shaw_loop(att, x, allowed)
    got = att(x, mask)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    got.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in att.parameters())


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("values", [True, False])
def test_relative_attention_without_padding_takes_the_unmasked_path(
    values: bool, causal: bool
) -> None:
    torch.manual_seed(1)
    att = MultiHeadAttention(D, 2, 4, 4, position=RelativePositions(3, 4, 4, values))
    x = torch.randn(2, 6, D)
    allowed = torch.ones(2, 6, 6, dtype=torch.bool)
    if causal:
        allowed = allowed & torch.tril(torch.ones(6, 6, dtype=torch.bool))
    with torch.no_grad():
        expected = _shaw_loop(att, x, allowed)
    mask = self_attention_mask(None, 6, causal_after=0 if causal else None, device=x.device)
    assert mask.is_causal == causal and mask.mask is None
    got = att(x, mask)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    got.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in att.parameters())


def test_a_stack_builds_its_causal_mask_and_distances_once_per_forward(monkeypatch) -> None:
    """Every relative layer needs the explicit causal mask and the distance index; the first
    layer makes them and the others reuse them, instead of rebuilding them per layer."""
    from archspec.build import build_model
    from archspec.nn import masks, relative
    from archspec.spec import Recipe

    recipe = Recipe.model_validate(
        {"model": {"kind": "decoder", "d_model": 16, "heads": 2, "d_ff": 32, "vocab_size": 11,
                   "max_len": 12, "positional": {"kind": "relative", "max_distance": 3},
                   "decoder": {"layers": 4}}}
    )  # fmt: skip
    model = build_model(recipe)
    calls = {"causal": 0, "index": 0}
    real_causal, real_index = masks.causal, relative.RelativePositions.index

    def counting_causal(*args, **kwargs):
        calls["causal"] += 1
        return real_causal(*args, **kwargs)

    def counting_index(self, *args, **kwargs):
        calls["index"] += 1
        return real_index(self, *args, **kwargs)

    monkeypatch.setattr(masks, "causal", counting_causal)
    monkeypatch.setattr(relative.RelativePositions, "index", counting_index)
    pad = torch.zeros(2, 9, dtype=torch.bool)
    pad[1, 6:] = True  # padding: the explicit path, which needs both
    model(torch.randint(0, 11, (2, 9)), pad)
    assert calls == {"causal": 1, "index": 1}
    model(torch.randint(0, 11, (2, 9)))  # causal without padding: the fused path needs neither
    assert calls == {"causal": 1, "index": 1}


def test_d_k_and_d_v_are_independent() -> None:
    att = MultiHeadAttention(D, 3, 7, 2)
    assert att.qkv.out_features == 3 * (7 + 7 + 2) and att.out.in_features == 3 * 2
    x = torch.randn(2, 5, D)
    assert att(x, self_attention_mask(None, 5, causal_after=0, device=x.device)).shape == (2, 5, D)


def test_projection_slices_get_glorot_bounds_of_their_own_shape() -> None:
    att = MultiHeadAttention(64, 8, 2, 32)  # W^Q, W^K: 64 x 16; W^V: 64 x 256
    w_q, _, w_v = att.qkv.weight.split([16, 16, 256])
    assert w_q.abs().max() <= math.sqrt(6 / 80) and w_q.abs().max() > math.sqrt(6 / 320)
    assert w_v.abs().max() <= math.sqrt(6 / 320)

"""ALiBi against Press et al.'s slopes written out and attention computed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from archspec.nn.alibi import AlibiPositions, alibi_slopes
from archspec.nn.attention import MultiHeadAttention
from archspec.nn.masks import AttentionMask, self_attention_mask


def test_slopes_of_eight_heads_are_one_half_to_one_256th() -> None:
    assert alibi_slopes(8) == pytest.approx(
        [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256]
    )


def test_slopes_of_twelve_heads_follow_the_rule_for_non_powers_of_two() -> None:
    # the 8 slopes of 8 heads, then every other slope of 16 heads (ratio 2^-0.5): 4 of them
    eight = [2.0**-k for k in range(1, 9)]
    extra = [2.0**-0.5, 2.0**-1.5, 2.0**-2.5, 2.0**-3.5]
    assert alibi_slopes(12) == pytest.approx(eight + extra)


def test_slopes_of_one_and_two_heads() -> None:
    assert alibi_slopes(1) == pytest.approx([2.0**-8])
    assert alibi_slopes(2) == pytest.approx([2.0**-4, 2.0**-8])


@pytest.mark.parametrize("causal", [True, False])
def test_attention_with_alibi_equals_the_formula_written_out(causal: bool) -> None:
    torch.manual_seed(0)
    h, dk, t = 4, 8, 9
    att = MultiHeadAttention(h * dk, h, dk, dk, position=AlibiPositions(h, causal=causal)).eval()
    x = torch.randn(2, t, h * dk)
    pad = torch.zeros(2, t, dtype=torch.bool)
    pad[1, -2:] = True  # row 1 ends with padding
    mask = self_attention_mask(pad, t, causal_after=0 if causal else None, device=x.device)
    got = att(x, mask)
    q, k, v = (y.view(2, t, h, dk).transpose(1, 2) for y in att.qkv(x).chunk(3, dim=-1))
    m = torch.tensor([2.0**-2, 2.0**-4, 2.0**-6, 2.0**-8])[:, None, None]  # 4 heads
    i, j = torch.arange(t)[:, None], torch.arange(t)[None, :]
    scores = q @ k.transpose(-2, -1) / math.sqrt(dk) - m * (i - j).abs()
    hidden = pad[:, None, None, :] | ((j > i) if causal else torch.zeros(t, t, dtype=torch.bool))
    weights = scores.masked_fill(hidden, float("-inf")).softmax(-1)
    want = att.out((weights @ v).transpose(1, 2).reshape(2, t, h * dk))
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


def test_the_bias_is_made_once_per_stack_forward() -> None:
    hook = AlibiPositions(2, causal=True)
    mask = AttentionMask(is_causal=True)
    q = torch.zeros(1, 2, 5, 4)
    assert hook.bias(q, 5, mask) is hook.bias(q, 5, mask)  # the second layer reuses it
    assert hook.bias(q, 5, AttentionMask(is_causal=True)) is not hook.bias(q, 5, mask)

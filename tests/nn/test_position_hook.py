"""The position hook of attention: schemes of the next issue (ALiBi's additive bias, rotary's
rotation of q and k) written here from their papers' formulas, plugged into MultiHeadAttention
through the hook alone, checked against attention written out by hand and with the cache."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from archspec.nn.attention import MultiHeadAttention
from archspec.nn.cache import LayerCache
from archspec.nn.hooks import PositionHook
from archspec.nn.masks import AttentionMask, incremental_mask, self_attention_mask

D, H, DK = 16, 2, 8


class Alibi(PositionHook):
    """Press et al. (2022): logits - m_h * (i - j) for keys j <= i; slopes 2^-4, 2^-8 for H=2."""

    def bias(self, q_scaled: Tensor, s: int, mask: AttentionMask) -> Tensor:
        t = q_scaled.shape[2]
        i = torch.arange(s - t, s)[:, None]  # queries are the last T of S positions
        j = torch.arange(s)[None, :]
        slopes = torch.tensor([2.0**-4, 2.0**-8])[:, None, None]  # (H, 1, 1)
        return (-slopes * (i - j).abs()).unsqueeze(0)  # (1, H, T, S), fresh


class Rotary(PositionHook):
    """Su et al. (2021), interleaved pairs: (x1, x2) -> (x1 cos - x2 sin, x1 sin + x2 cos)."""

    def rotate(self, q: Tensor, k: Tensor, offset: int) -> tuple[Tensor, Tensor]:
        t, d = q.shape[2], q.shape[3]
        angle = torch.arange(offset, offset + t)[:, None] * 10000.0 ** (-torch.arange(0, d, 2) / d)
        cos, sin = angle.cos(), angle.sin()  # (T, d/2)

        def turn(x: Tensor) -> Tensor:
            x1, x2 = x[..., 0::2], x[..., 1::2]
            return torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).flatten(-2)

        return turn(q), turn(k)


def _by_hand(att: MultiHeadAttention, x: Tensor, bias: Tensor | None, rotate: bool) -> Tensor:
    """softmax(q k^T / sqrt(dk) + bias, causal) v W^O, every step written out."""
    b, t, _ = x.shape
    q, k, v = att.qkv(x).split([H * DK, H * DK, H * DK], dim=-1)
    q, k, v = (y.view(b, t, H, DK).transpose(1, 2) for y in (q, k, v))
    if rotate:
        q, k = Rotary().rotate(q, k, 0)
    scores = q @ k.transpose(-2, -1) / math.sqrt(DK)
    if bias is not None:
        scores = scores + bias
    future = torch.ones(t, t, dtype=torch.bool).triu(1)
    weights = scores.masked_fill(future, float("-inf")).softmax(-1)
    z = (weights @ v).transpose(1, 2).reshape(b, t, H * DK)
    return att.out(z)


def test_an_additive_bias_hook_is_attention_plus_that_bias() -> None:
    torch.manual_seed(0)
    att = MultiHeadAttention(D, H, DK, DK, position=Alibi()).eval()
    x = torch.randn(2, 6, D)
    ours = att(x, self_attention_mask(None, 6, causal_after=0, device=x.device))
    expected = _by_hand(att, x, Alibi().bias(torch.empty(1, H, 6, DK), 6, AttentionMask()), False)
    torch.testing.assert_close(ours, expected, atol=1e-5, rtol=1e-5)
    assert not torch.allclose(ours, _by_hand(att, x, None, False), atol=1e-3)  # the bias acts


def test_a_rotation_hook_rotates_q_and_k_before_attention() -> None:
    torch.manual_seed(0)
    att = MultiHeadAttention(D, H, DK, DK, position=Rotary()).eval()
    x = torch.randn(2, 6, D)
    ours = att(x, self_attention_mask(None, 6, causal_after=0, device=x.device))
    torch.testing.assert_close(ours, _by_hand(att, x, None, True), atol=1e-5, rtol=1e-5)
    assert not torch.allclose(ours, _by_hand(att, x, None, False), atol=1e-3)


def test_hooks_give_the_full_forward_when_decoding_with_a_cache() -> None:
    for hook in (Alibi(), Rotary()):
        torch.manual_seed(0)
        att = MultiHeadAttention(D, H, DK, DK, position=hook).eval()
        x = torch.randn(2, 7, D)
        full = att(x, self_attention_mask(None, 7, causal_after=0, device=x.device))
        cache, steps = LayerCache(), []
        prefill = 3
        mask = self_attention_mask(None, prefill, causal_after=0, device=x.device)
        steps.append(att(x[:, :prefill], mask, cache=cache))
        for s in range(prefill + 1, 8):
            mask = incremental_mask(None, 1, s, causal_after=0, device=x.device)
            steps.append(att(x[:, s - 1 : s], mask, cache=cache))
        torch.testing.assert_close(torch.cat(steps, dim=1), full, atol=1e-5, rtol=1e-5)


def test_checkpoints_with_the_old_relative_names_still_load() -> None:
    from archspec.nn.relative import RelativePositions

    torch.manual_seed(0)
    saved = MultiHeadAttention(D, H, DK, DK, position=RelativePositions(3, DK, DK)).state_dict()
    old = {k.replace("position.", "relative."): v for k, v in saved.items()}
    assert "relative.key_table" in old and "position.key_table" not in old
    torch.manual_seed(1)
    fresh = MultiHeadAttention(D, H, DK, DK, position=RelativePositions(3, DK, DK))
    fresh.load_state_dict(old)  # strict: every key found under its new name
    assert torch.equal(fresh.position.value_table, saved["position.value_table"])

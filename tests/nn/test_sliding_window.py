"""Sliding-window attention (Mistral): query i sees keys i - W < j <= i, in training and in
cached decoding, against masks written out element by element here."""

from __future__ import annotations

import pytest
import torch

from archspec.build import build_model
from archspec.nn.cache import KVCache
from archspec.nn.masks import incremental_mask, self_attention_mask
from archspec.spec import Recipe


def written_out(t: int, s: int, w: int) -> torch.Tensor:
    """Bool[T, S]: query p = s - t + i sees key j when p - w < j <= p."""
    out = torch.zeros(t, s, dtype=torch.bool)
    for i in range(t):
        p = s - t + i
        for j in range(s):
            out[i, j] = p - w < j <= p
    return out


@pytest.mark.parametrize(("t", "w"), [(7, 3), (7, 1), (9, 8)])
def test_training_mask_is_the_band_below_the_diagonal(t: int, w: int) -> None:
    mask = self_attention_mask(None, t, causal_after=0, device=torch.device("cpu"), window=w)
    assert mask.mask is not None and not mask.is_causal
    assert torch.equal(mask.mask[0, 0], written_out(t, t, w))


def test_a_window_no_query_reaches_past_keeps_the_fast_causal_path() -> None:
    mask = self_attention_mask(None, 6, causal_after=0, device=torch.device("cpu"), window=6)
    assert mask.is_causal and mask.mask is None


def test_padding_is_hidden_on_top_of_the_window() -> None:
    pad = torch.tensor([[False] * 6, [True, True, False, False, False, False]])
    mask = self_attention_mask(pad, 6, causal_after=0, device=torch.device("cpu"), window=3)
    assert mask.mask is not None
    expected = written_out(6, 6, 3)[None] & ~pad[:, None, :]
    assert torch.equal(mask.mask[:, 0], expected)


@pytest.mark.parametrize(("t", "s"), [(1, 4), (1, 9), (3, 9)])
def test_decoding_mask_covers_the_cached_keys(t: int, s: int) -> None:
    mask = incremental_mask(None, t, s, causal_after=0, device=torch.device("cpu"), window=4)
    if s <= 4 and t == 1:
        assert mask.mask is None  # every cached key is inside the window
    else:
        assert mask.mask is not None and torch.equal(mask.mask[0, 0], written_out(t, s, 4))


def _model(window: int, positional: str = "sinusoidal") -> torch.nn.Module:
    recipe = Recipe.model_validate(
        {
            "model": {
                "kind": "decoder",
                "d_model": 32,
                "heads": 4,
                "d_ff": 48,
                "vocab_size": 30,
                "max_len": 32,
                "positional": {"kind": positional},
                "decoder": {"layers": 2, "mask": {"kind": "causal", "window": window}},
                "attention": {"kind": "multihead", "kv_heads": 2},
            }
        }
    )
    torch.manual_seed(0)
    return build_model(recipe).eval()


def test_the_window_changes_what_a_model_computes_beyond_it() -> None:
    tokens = torch.randint(0, 30, (2, 12))
    narrow, wide = _model(3), _model(3)
    wide.decoder.mask.window = None  # the same weights with a plain causal mask
    with torch.no_grad():
        a, b = narrow(tokens), wide(tokens)
    torch.testing.assert_close(a[:, :3], b[:, :3])  # nothing to hide yet
    assert not torch.allclose(a[:, 6:], b[:, 6:], atol=1e-4)
    changed = tokens.clone()
    changed[:, 0] = (tokens[:, 0] + 1) % 30
    with torch.no_grad():  # two layers of window 3 reach 4 positions back, no further
        far = narrow(changed)
    torch.testing.assert_close(far[:, 5:], a[:, 5:])
    assert not torch.allclose(far[:, 4], a[:, 4], atol=1e-6)


@pytest.mark.parametrize("positional", ["sinusoidal", "relative", "rotary"])
def test_cached_decoding_equals_the_full_forward_at_every_step(positional: str) -> None:
    model = _model(4, positional)
    tokens = torch.randint(0, 30, (2, 14))
    pad = torch.zeros(2, 14, dtype=torch.bool)
    pad[1, :2] = True  # left padding in the second row
    with torch.no_grad():
        full = model(tokens, pad)
        cache = KVCache()
        first = model(tokens[:, :5], pad[:, :5], cache=cache)
        torch.testing.assert_close(first, full[:, :5], atol=1e-5, rtol=1e-5)
        for i in range(5, 14):
            step = model(tokens[:, i : i + 1], pad[:, i : i + 1], cache=cache)
            torch.testing.assert_close(step, full[:, i : i + 1], atol=1e-5, rtol=1e-5)
        assert cache.layers[0].k is not None and cache.layers[0].k.shape[1] == 2  # kv_heads

"""Masks: the prefix-LM mask against its definition, and the choices that keep SDPA fast."""

from __future__ import annotations

import pytest
import torch

from archspec.build import build_model
from archspec.errors import ArchspecError
from archspec.nn.masks import self_attention_mask
from archspec.spec import Recipe


def _expected(t: int, prefix: list[int], pad: torch.Tensor | None) -> torch.Tensor:
    out = torch.zeros(len(prefix), t, t, dtype=torch.bool)
    for b, p in enumerate(prefix):
        for i in range(t):
            for j in range(t):
                out[b, i, j] = (j <= i or j < p) and (pad is None or not pad[b, j])
    return out


def test_prefix_masks_match_their_definition() -> None:
    pad = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    fixed = self_attention_mask(pad, 6, causal_after=3, device=torch.device("cpu"))
    assert torch.equal(fixed.mask[:, 0], _expected(6, [3, 3], pad))
    per_seq = self_attention_mask(pad, 6, causal_after=torch.tensor([2, 5]), device="cpu")
    assert torch.equal(per_seq.mask[:, 0], _expected(6, [2, 5], pad))


def test_no_mask_when_none_is_needed() -> None:
    full = self_attention_mask(None, 5, causal_after=None, device=torch.device("cpu"))
    assert full.mask is None and not full.is_causal
    causal = self_attention_mask(None, 5, causal_after=0, device=torch.device("cpu"))
    assert causal.mask is None and causal.is_causal


def _prefix_lm(length: int | None, positional: str = "sinusoidal") -> torch.nn.Module:
    torch.manual_seed(0)
    pos = {"kind": positional, "max_len": 16} if positional == "learned" else {"kind": positional}
    recipe = Recipe.model_validate(
        {
            "model": {
                "kind": "decoder",
                "d_model": 16,
                "heads": 2,
                "d_ff": 32,
                "vocab_size": 11,
                "max_len": 16,
                "positional": pos,
                "decoder": {"layers": 2, "mask": {"kind": "prefix", "length": length}},
            }
        }
    )
    return build_model(recipe).eval()


@pytest.mark.parametrize("positional", ["sinusoidal", "relative"])
def test_prefix_positions_see_each_other_and_the_rest_stays_causal(positional: str) -> None:
    model = _prefix_lm(3, positional)
    tokens = torch.randint(0, 11, (2, 8))
    base = model(tokens)
    inside = tokens.clone()
    inside[:, 2] = (inside[:, 2] + 1) % 11  # last prefix position: the first ones see it
    assert not torch.allclose(model(inside)[:, 0], base[:, 0])
    for t in range(3, 7):
        after = tokens.clone()
        after[:, t + 1] = (after[:, t + 1] + 1) % 11
        torch.testing.assert_close(model(after)[:, : t + 1], base[:, : t + 1])


def test_per_sequence_prefix_lengths() -> None:
    model = _prefix_lm(None)
    tokens = torch.randint(0, 11, (2, 8))
    prefix = torch.tensor([1, 5])
    base = model(tokens, prefix_len=prefix)
    changed = tokens.clone()
    changed[:, 4] = (changed[:, 4] + 1) % 11
    out = model(changed, prefix_len=prefix)
    torch.testing.assert_close(out[0, :4], base[0, :4])  # prefix 1: causal from position 1
    assert not torch.allclose(out[1, 0], base[1, 0])  # prefix 5: position 0 sees position 4
    with pytest.raises(ArchspecError, match="must supply prefix_len"):
        model(tokens)


def test_prefix_len_for_a_causal_model_is_an_error() -> None:
    recipe = Recipe.model_validate(
        {"model": {"kind": "decoder", "d_model": 8, "heads": 2, "d_ff": 8, "vocab_size": 5}}
    )
    with pytest.raises(ArchspecError, match="mask is causal"):
        build_model(recipe)(torch.zeros(1, 3, dtype=torch.long), prefix_len=2)


def test_an_encoder_prefix_without_length_is_refused_at_build_time() -> None:
    recipe = Recipe.model_validate(
        {
            "model": {
                "kind": "encoder",
                "d_model": 8,
                "heads": 2,
                "d_ff": 8,
                "vocab_size": 5,
                "encoder": {"layers": 1, "mask": {"kind": "prefix"}},
            }
        }
    )
    with pytest.raises(ArchspecError, match=r"model.encoder.mask.length"):
        build_model(recipe)


def test_too_long_input_is_a_clear_error() -> None:
    model = _prefix_lm(2)
    with pytest.raises(ArchspecError, match="17 positions is longer than the 16"):
        model(torch.zeros(1, 17, dtype=torch.long))

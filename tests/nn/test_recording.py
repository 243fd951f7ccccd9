"""Recorded attention weights are nn.MultiheadAttention's, and recording changes nothing else."""

from __future__ import annotations

import pytest
import torch

from archspec.nn.attention import MultiHeadAttention
from archspec.nn.masks import self_attention_mask
from archspec.nn.recording import record_attention
from tests.nn.test_attention import D, H, self_attention_pair


@pytest.mark.parametrize("causal", [False, True])
def test_recorded_weights_are_multiheadattentions(causal: bool) -> None:
    ref, ours = self_attention_pair()
    x = torch.randn(2, 6, D)
    pad = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    future = torch.triu(torch.ones(6, 6, dtype=torch.bool), 1) if causal else None
    expected_out, expected = ref(
        x, x, x, key_padding_mask=pad, attn_mask=future, average_attn_weights=False
    )
    mask = self_attention_mask(pad, 6, causal_after=0 if causal else None, device=x.device)
    plain = ours(x, mask)
    with record_attention(ours) as records:
        out = ours(x, mask)
    (weights,) = records[""]
    torch.testing.assert_close(weights, expected, atol=1e-6, rtol=1e-5)  # (B, H, T, S)
    torch.testing.assert_close(out, expected_out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out, plain, atol=1e-6, rtol=1e-5)
    assert ours.recorded is None  # recording ends with the block


def test_relative_attention_records_and_returns_the_same_output() -> None:
    from archspec.nn.relative import RelativePositions

    torch.manual_seed(0)
    att = MultiHeadAttention(D, H, 4, 4, position=RelativePositions(3, 4, 4, values=False))
    x = torch.randn(2, 7, D)
    mask = self_attention_mask(None, 7, causal_after=0, device=x.device)
    plain = att(x, mask)
    with record_attention(att) as records:
        recorded = att(x, mask)
    torch.testing.assert_close(recorded, plain, atol=1e-6, rtol=1e-5)
    weights = records[""][0]
    assert torch.allclose(weights.sum(-1), torch.ones(2, H, 7))
    assert torch.all(weights.triu(1) == 0)  # nothing attends to the future

"""T5's bucketed relative bias against bucket values written out and Hugging Face's
T5Attention (its bucket function and compute_bias, weights copied; built from a config)."""

from __future__ import annotations

import pytest
import torch

from archspec.nn.masks import AttentionMask
from archspec.nn.t5_bias import T5RelativeBias, t5_buckets

# (distance j - i, bucket) for T5's 32 buckets and max_distance 128, worked out by hand:
# bidirectional: 16 per direction, 8 exact (0..7), then 8 + floor(8 log(d/8) / log(16))
BIDIRECTIONAL = [(0, 0), (-1, 1), (-7, 7), (-8, 8), (-16, 10), (-32, 12), (-64, 14), (-127, 15),
                 (-128, 15), (-500, 15), (1, 17), (8, 24), (16, 26), (200, 31)]  # fmt: skip
# causal: later keys -> 0; 16 exact, then 16 + floor(16 log(d/16) / log(8))
CAUSAL = [(0, 0), (5, 0), (-3, 3), (-15, 15), (-16, 16), (-32, 21), (-64, 26), (-128, 31),
          (-1000, 31)]  # fmt: skip


@pytest.mark.parametrize(("causal", "table"), [(False, BIDIRECTIONAL), (True, CAUSAL)])
def test_buckets_at_chosen_distances(causal: bool, table: list[tuple[int, int]]) -> None:
    distance = torch.tensor([d for d, _ in table])
    got = t5_buckets(distance, causal=causal, buckets=32, max_distance=128)
    assert got.tolist() == [b for _, b in table]


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(("buckets", "max_distance"), [(32, 128), (8, 12), (16, 40)])
def test_buckets_equal_hf_relative_position_bucket(causal, buckets, max_distance) -> None:
    from transformers.models.t5.modeling_t5 import T5Attention

    distance = torch.arange(-300, 301)[None, :].expand(3, -1)
    want = T5Attention._relative_position_bucket(
        distance, bidirectional=not causal, num_buckets=buckets, max_distance=max_distance
    )
    got = t5_buckets(distance, causal=causal, buckets=buckets, max_distance=max_distance)
    assert torch.equal(got, want)


@pytest.mark.parametrize("causal", [False, True])
def test_bias_equals_hf_compute_bias_with_copied_weights(causal: bool) -> None:
    from transformers import T5Config
    from transformers.models.t5.modeling_t5 import T5Attention

    config = T5Config(d_model=32, d_kv=8, num_heads=4, is_decoder=causal)
    torch.manual_seed(0)
    hf = T5Attention(config, has_relative_attention_bias=True)
    ours = T5RelativeBias(4, buckets=32, max_distance=128, causal=causal)
    with torch.no_grad():
        ours.weight.copy_(hf.relative_attention_bias.weight)
    q = torch.zeros(1, 4, 150, 8)
    got = ours.bias(q, 150, AttentionMask())  # no mask: the bias alone, [1, H, T, S]
    torch.testing.assert_close(got, hf.compute_bias(150, 150))
    # a decoding step: the last 3 queries of 150 positions (HF: past_seen_tokens)
    step = ours.bias(q[:, :, :3], 150, AttentionMask())
    torch.testing.assert_close(step, hf.compute_bias(150, 150)[:, :, -3:])


def test_hidden_positions_are_minus_infinity_and_the_table_gets_gradients() -> None:
    hook = T5RelativeBias(2, buckets=8, max_distance=12, causal=True)
    bias = hook.bias(torch.zeros(1, 2, 4, 8), 4, AttentionMask(is_causal=True))
    assert torch.isinf(bias[0, :, 0, 1:]).all() and torch.isfinite(bias[0, :, 3]).all()
    bias[torch.isfinite(bias)].sum().backward()
    assert hook.weight.grad is not None and hook.weight.grad.abs().sum() > 0

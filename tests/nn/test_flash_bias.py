"""Biased attention on the CPU flash kernel (ALiBi, T5) against SDPA's own path with the same
float mask: equal outputs and equal gradients of q, k, v and the bias, causal or not, padded,
grouped keys, a bias per batch row or one for all; and a T5 stack takes the new path."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from archspec.nn import flash_bias

B, H, T, D = 2, 4, 24, 8


def _inputs(kv_heads: int = H, rows: int = 1, seed: int = 0):
    torch.manual_seed(seed)
    q = torch.randn(B, H, T, D, requires_grad=True)
    k, v = (torch.randn(B, kv_heads, T, D, requires_grad=True) for _ in range(2))
    weight = torch.randn(rows, H, T, T, requires_grad=True)
    return q, k, v, weight


@pytest.mark.parametrize(
    ("causal", "kv_heads", "rows", "padded"),
    [(True, H, 1, False), (False, H, 1, True), (True, 2, 1, False), (False, 1, B, True)],
    ids=["causal", "bidirectional-padded", "causal-gqa", "mqa-per-row-padded"],
)
@pytest.mark.parametrize("block", [256, 8], ids=["one-block", "blocks-of-8"])
def test_outputs_and_gradients_equal_sdpa_with_the_float_mask(
    causal, kv_heads, rows, padded, block, monkeypatch
):
    monkeypatch.setattr(flash_bias, "_BLOCK", block)  # 8: the causal gradient in 3 blocks
    q, k, v, weight = _inputs(kv_heads, rows)
    hidden = torch.zeros(B, 1, T, T, dtype=torch.bool)
    if causal:
        hidden |= ~torch.ones(T, T, dtype=torch.bool).tril()
    if padded:
        hidden[1, ..., -5:] = True  # the last 5 keys of row 1 are padding
    bias = weight.masked_fill(hidden, float("-inf"))  # (B|1, H, T, T), as masked_bias makes it
    assert flash_bias.can_use(q, k, v, bias, 0.0)
    got = flash_bias.biased_attention(q, k, v, bias, causal and not padded)
    want = F.scaled_dot_product_attention(
        q, k, v, attn_mask=bias, scale=1.0, enable_gqa=kv_heads < H
    )
    assert torch.allclose(got, want, atol=1e-5)
    grad = torch.randn_like(want)
    ours = torch.autograd.grad(got, (q, k, v, weight), grad, retain_graph=True)
    theirs = torch.autograd.grad(want, (q, k, v, weight), grad)
    for name, a, b in zip(("q", "k", "v", "bias"), ours, theirs, strict=True):
        assert torch.allclose(a, b, atol=1e-5), name
    assert ours[3].abs().sum() > 0


def test_a_constant_bias_needs_no_bias_gradient_and_dropout_falls_back():
    q, k, v, weight = _inputs()
    bias = weight.detach()
    out = flash_bias.biased_attention(q, k, v, bias, False)
    want = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=1.0)
    assert torch.allclose(out, want, atol=1e-5)
    assert not flash_bias.can_use(q, k, v, bias, 0.1)  # dropout: SDPA's math path
    assert not flash_bias.can_use(q, k, v[..., :4], bias, 0.0)  # d_k != d_v


def test_a_t5_decoder_trains_through_it_and_keeps_no_t_by_t_probabilities(monkeypatch):
    """The T5 bias no longer sends SDPA to its math path: the flash kernel runs, and the saved
    tensors hold no [B, H, T, T] per layer (only the stack's one shared bias)."""
    from archspec.build import build_model
    from archspec.recipe import recipe_from_dict

    model = {
        "kind": "decoder", "d_model": 32, "heads": 4, "d_ff": 64, "max_len": 64,
        "vocab_size": 50, "tying": "decoder", "decoder": {"layers": 3},
        "positional": {"kind": "t5", "buckets": 16, "max_distance": 32},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
    }  # fmt: skip
    net = build_model(recipe_from_dict({"model": model})).train()
    calls = []
    real = flash_bias.biased_attention
    monkeypatch.setattr(flash_bias, "biased_attention", lambda *a: calls.append(1) or real(*a))
    square = []

    def pack(t: torch.Tensor) -> torch.Tensor:
        if t.dim() == 4 and t.shape[-2:] == (48, 48) and t.dtype == torch.float32:
            square.append(t.untyped_storage().data_ptr())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = net(torch.randint(0, 50, (2, 48))).logsumexp(-1).mean()
    loss.backward()
    assert len(calls) == 3  # every layer
    assert len(set(square)) == 1  # the one shared bias, not a T x T matrix per layer
    table = net.decoder.layers[0].self_attn.sublayer.position.weight
    assert table.grad is not None and table.grad.abs().sum() > 0

"""A T5 encoder layer and decoder layer against Hugging Face's T5Block (built from a T5Config,
random weights copied), fp32, with padding: pre RMSNorm, unscaled attention, no biases, ReLU
feed-forward, the bucketed relative bias (bidirectional in the encoder, causal in the decoder)."""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.nn.masks import cross_attention_mask, self_attention_mask
from archspec.spec import Recipe

D, H, DK, FF, B, S, T = 32, 4, 8, 64, 3, 11, 9


def _ours() -> torch.nn.Module:
    model = {
        "kind": "encoder-decoder", "d_model": D, "heads": H, "d_k": DK, "d_v": DK, "d_ff": FF,
        "activation": "relu", "vocab_size": 50, "tying": "all", "max_len": 64,
        "positional": {"kind": "t5", "buckets": 32, "max_distance": 128},
        "attention": {"kind": "multihead", "scale": "none"},
        "norm": {"kind": "rmsnorm", "placement": "pre", "eps": 1e-6}, "bias": False,
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0}, "embed_scale": False,
        "encoder": {"layers": 1}, "decoder": {"layers": 1},
    }  # fmt: skip
    return build_model(Recipe.model_validate({"model": model})).eval()


def _hf_block(decoder: bool):
    from transformers import T5Config
    from transformers.models.t5.modeling_t5 import T5Block

    config = T5Config(
        d_model=D, d_kv=DK, d_ff=FF, num_heads=H, dropout_rate=0.0, is_decoder=decoder,
        layer_norm_epsilon=1e-6, feed_forward_proj="relu", use_cache=False,
    )  # fmt: skip
    torch.manual_seed(1)
    block = T5Block(config, has_relative_attention_bias=True, layer_idx=0).eval()
    for p in block.parameters():  # T5's own init leaves norms at one: make them matter
        torch.nn.init.normal_(p, 0.0, 0.3) if p.dim() > 1 else torch.nn.init.uniform_(p, 0.5, 1.5)
    return block


def _copy_attention(ours: torch.nn.Module, hf: torch.nn.Module, cross: bool) -> None:
    if cross:
        ours.q.weight.copy_(hf.q.weight)
        ours.kv.weight.copy_(torch.cat([hf.k.weight, hf.v.weight]))
    else:
        ours.qkv.weight.copy_(torch.cat([hf.q.weight, hf.k.weight, hf.v.weight]))
        ours.position.weight.copy_(hf.relative_attention_bias.weight)
    ours.out.weight.copy_(hf.o.weight)


def _copy_ffn(ours: torch.nn.Module, hf: torch.nn.Module) -> None:
    ours.sublayer.w_in.weight.copy_(hf.DenseReluDense.wi.weight)
    ours.sublayer.w_out.weight.copy_(hf.DenseReluDense.wo.weight)
    ours.norm.weight.copy_(hf.layer_norm.weight)


def _additive(allowed: torch.Tensor) -> torch.Tensor:
    """HF's extended mask: 0 where allowed, finfo.min where hidden."""
    return (~allowed).float() * torch.finfo(torch.float32).min


@torch.no_grad()
def test_encoder_layer_equals_hf_t5_block_with_padding() -> None:
    layer, hf = _ours().encoder.layers[0], _hf_block(decoder=False)
    _copy_attention(layer.self_attn.sublayer, hf.layer[0].SelfAttention, cross=False)
    layer.self_attn.norm.weight.copy_(hf.layer[0].layer_norm.weight)
    _copy_ffn(layer.ffn, hf.layer[1])
    torch.manual_seed(2)
    x = torch.randn(B, S, D)
    pad = torch.arange(S)[None, :] >= torch.tensor([S, 7, 4])[:, None]  # (B, S)
    got = layer(x, self_attention_mask(pad, S, causal_after=None, device=x.device))
    want = hf(x, attention_mask=_additive(~pad[:, None, None, :]))[0]
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


@torch.no_grad()
def test_decoder_layer_equals_hf_t5_block_with_padding() -> None:
    layer, hf = _ours().decoder.layers[0], _hf_block(decoder=True)
    _copy_attention(layer.self_attn.sublayer, hf.layer[0].SelfAttention, cross=False)
    layer.self_attn.norm.weight.copy_(hf.layer[0].layer_norm.weight)
    _copy_attention(layer.cross_attn.sublayer, hf.layer[1].EncDecAttention, cross=True)
    layer.cross_attn.norm.weight.copy_(hf.layer[1].layer_norm.weight)
    _copy_ffn(layer.ffn, hf.layer[2])
    torch.manual_seed(3)
    x, memory = torch.randn(B, T, D), torch.randn(B, S, D)
    tgt_pad = torch.arange(T)[None, :] >= torch.tensor([T, 6, 5])[:, None]  # right padding
    src_pad = torch.arange(S)[None, :] >= torch.tensor([S, 8, 3])[:, None]
    got = layer(
        x,
        self_attention_mask(tgt_pad, T, causal_after=0, device=x.device),
        memory,
        cross_attention_mask(src_pad),
    )
    causal = torch.ones(T, T, dtype=torch.bool).tril()[None, None] & ~tgt_pad[:, None, None, :]
    want = hf(
        x,
        attention_mask=_additive(causal),
        encoder_hidden_states=memory,
        encoder_attention_mask=_additive(~src_pad[:, None, None, :]),
    )[0]
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)

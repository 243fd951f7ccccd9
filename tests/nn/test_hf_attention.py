"""Grouped-query attention, sliding windows, q/k/v biases and QK-norm against Hugging Face's
LLaMA, Mistral, Qwen2 and Qwen3 modules, built from small configs (random weights, nothing
downloaded) with their weights copied into ours: equal in fp32 within 1e-5, with padding."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from archspec.build import build_model
from archspec.nn.masks import self_attention_mask
from archspec.spec import Recipe

transformers = pytest.importorskip("transformers")

D, H, G, DK, F, V, EPS = 64, 8, 2, 8, 96, 50, 1e-5
B, T = 3, 10
LENGTHS = [10, 7, 4]  # right padding: HF and archspec number the kept positions alike


def _ours(window: int | None = None, layers: int = 1, **attention: Any) -> nn.Module:
    """A LLaMA-shaped archspec decoder: pre RMSNorm, SwiGLU, rotary halves, no biases."""
    mask: dict[str, Any] = {"kind": "causal"}
    if window is not None:
        mask["window"] = window
    recipe = Recipe.model_validate(
        {
            "model": {
                "kind": "decoder",
                "d_model": D,
                "heads": H,
                "d_ff": F,
                "vocab_size": V,
                "max_len": 64,
                "activation": "swiglu",
                "bias": False,
                "embed_scale": False,
                "positional": {"kind": "rotary", "base": 10000.0},
                "norm": {"kind": "rmsnorm", "placement": "pre", "eps": EPS},
                "attention": {"kind": "multihead", "kv_heads": G, **attention},
                "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
                "decoder": {"layers": layers, "mask": mask},
            }
        }
    )
    return build_model(recipe).eval()


def _config(cls: Any, **extra: Any) -> Any:
    return cls(
        hidden_size=D,
        intermediate_size=F,
        num_attention_heads=H,
        num_key_value_heads=G,
        num_hidden_layers=1,
        vocab_size=V,
        max_position_embeddings=64,
        rms_norm_eps=EPS,
        rope_theta=10000.0,
        attention_dropout=0.0,
        attn_implementation="eager",
        **extra,
    )


def _copy_attention(ours: nn.Module, attn: nn.Module) -> None:
    """HF's q_proj, k_proj, v_proj stacked into our fused qkv (rows [W^Q | W^K | W^V])."""
    with torch.no_grad():
        ours.qkv.weight.copy_(
            torch.cat([attn.q_proj.weight, attn.k_proj.weight, attn.v_proj.weight])
        )
        if attn.q_proj.bias is not None:
            ours.qkv.bias.copy_(torch.cat([attn.q_proj.bias, attn.k_proj.bias, attn.v_proj.bias]))
        ours.out.weight.copy_(attn.o_proj.weight)


def _copy_layer(ours: nn.Module, layer: nn.Module) -> None:
    _copy_attention(ours.self_attn.sublayer, layer.self_attn)
    with torch.no_grad():
        ours.self_attn.norm.weight.copy_(layer.input_layernorm.weight)
        ours.ffn.norm.weight.copy_(layer.post_attention_layernorm.weight)
        mlp = layer.mlp
        ours.ffn.sublayer.w_in.weight.copy_(torch.cat([mlp.gate_proj.weight, mlp.up_proj.weight]))
        ours.ffn.sublayer.w_out.weight.copy_(mlp.down_proj.weight)


def _randomised(module: nn.Module) -> nn.Module:
    """Norm gains away from one, so that a norm left uncopied shows."""
    torch.manual_seed(1)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name:
                p.uniform_(0.5, 1.5)
    return module.eval()


def _pad() -> torch.Tensor:
    return torch.arange(T)[None, :] >= torch.tensor(LENGTHS)[:, None]  # (B, T), True = padding


def _hf_mask(pad: torch.Tensor) -> torch.Tensor:
    """HF's eager additive mask [B, 1, T, T]: causal, padding keys hidden."""
    allowed = torch.ones(T, T, dtype=torch.bool).tril()[None] & ~pad[:, None, :]  # (B, T, T)
    return torch.zeros(B, 1, T, T).masked_fill(~allowed[:, None], torch.finfo(torch.float32).min)


def _kept(x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
    return x[~pad]  # (kept positions, D): padded queries are not compared


def test_llama_decoder_layer_with_grouped_query_attention() -> None:
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer, LlamaRotaryEmbedding

    torch.manual_seed(0)
    config = _config(LlamaConfig)
    ref = _randomised(LlamaDecoderLayer(config, layer_idx=0))
    model = _ours()
    layer = model.decoder.layers[0]
    _copy_layer(layer, ref)
    x, pad = torch.randn(B, T, D), _pad()
    positions = torch.arange(T)[None].expand(B, T)
    cos_sin = LlamaRotaryEmbedding(config)(x, positions)
    with torch.no_grad():
        expected = ref(
            x, attention_mask=_hf_mask(pad), position_ids=positions, position_embeddings=cos_sin
        )
        expected = expected[0] if isinstance(expected, tuple) else expected
        got = layer(x, self_attention_mask(pad, T, causal_after=0, device=x.device))
    torch.testing.assert_close(_kept(got, pad), _kept(expected, pad), atol=1e-5, rtol=1e-5)


def test_llama_attention_with_grouped_query_attention() -> None:
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaAttention, LlamaRotaryEmbedding

    torch.manual_seed(0)
    config = _config(LlamaConfig)
    ref = LlamaAttention(config, layer_idx=0).eval()
    att = _ours().decoder.layers[0].self_attn.sublayer
    _copy_attention(att, ref)
    x, pad = torch.randn(B, T, D), _pad()
    positions = torch.arange(T)[None].expand(B, T)
    with torch.no_grad():
        expected, _ = ref(x, LlamaRotaryEmbedding(config)(x, positions), _hf_mask(pad))
        got = att(x, self_attention_mask(pad, T, causal_after=0, device=x.device))
    torch.testing.assert_close(_kept(got, pad), _kept(expected, pad), atol=1e-5, rtol=1e-5)


def test_mistral_with_a_sliding_window_shorter_than_the_sequence() -> None:
    """Two Mistral layers (window 4 < T) end to end: HF builds its own sliding-window mask."""
    from transformers import MistralConfig, MistralForCausalLM

    torch.manual_seed(0)
    config = _config(MistralConfig, sliding_window=4, tie_word_embeddings=False)
    config.num_hidden_layers = 2
    ref = _randomised(MistralForCausalLM(config))
    model = _ours(window=4, layers=2)
    with torch.no_grad():
        model.embed.tokens.weight.copy_(ref.model.embed_tokens.weight)
        model.decoder.norm.weight.copy_(ref.model.norm.weight)
        model.output.weight.copy_(ref.lm_head.weight)
    for ours_layer, hf_layer in zip(model.decoder.layers, ref.model.layers, strict=True):
        _copy_layer(ours_layer, hf_layer)
    tokens, pad = torch.randint(0, V, (B, T)), _pad()
    with torch.no_grad():
        expected = ref(tokens, attention_mask=(~pad).long()).logits
        got = model(tokens, pad)
        unwindowed = _ours(layers=2)
        unwindowed.load_state_dict(model.state_dict())
        wide = unwindowed(tokens, pad)
    torch.testing.assert_close(_kept(got, pad), _kept(expected, pad), atol=1e-5, rtol=1e-5)
    assert not torch.allclose(_kept(wide, pad), _kept(expected, pad), atol=1e-3)  # it matters


def test_qwen2_attention_with_qkv_bias_and_no_output_bias() -> None:
    from transformers import Qwen2Config
    from transformers.models.qwen2.modeling_qwen2 import Qwen2Attention, Qwen2RotaryEmbedding

    torch.manual_seed(0)
    config = _config(Qwen2Config)
    ref = Qwen2Attention(config, layer_idx=0).eval()
    assert ref.q_proj.bias is not None and ref.o_proj.bias is None
    with torch.no_grad():
        for proj in (ref.q_proj, ref.k_proj, ref.v_proj):
            proj.bias.normal_()
    att = _ours(qkv_bias=True, out_bias=False).decoder.layers[0].self_attn.sublayer
    _copy_attention(att, ref)
    x, pad = torch.randn(B, T, D), _pad()
    positions = torch.arange(T)[None].expand(B, T)
    with torch.no_grad():
        expected, _ = ref(x, Qwen2RotaryEmbedding(config)(x, positions), _hf_mask(pad))
        got = att(x, self_attention_mask(pad, T, causal_after=0, device=x.device))
    torch.testing.assert_close(_kept(got, pad), _kept(expected, pad), atol=1e-5, rtol=1e-5)


def test_qwen3_attention_normalises_queries_and_keys_before_the_rotation() -> None:
    from transformers import Qwen3Config
    from transformers.models.qwen3.modeling_qwen3 import Qwen3Attention, Qwen3RotaryEmbedding

    torch.manual_seed(0)
    config = _config(Qwen3Config, head_dim=DK, attention_bias=False)
    ref = _randomised(Qwen3Attention(config, layer_idx=0))
    att = _ours(qk_norm="rmsnorm", qk_norm_eps=EPS).decoder.layers[0].self_attn.sublayer
    _copy_attention(att, ref)
    with torch.no_grad():
        att.q_norm.weight.copy_(ref.q_norm.weight)
        att.k_norm.weight.copy_(ref.k_norm.weight)
    x, pad = torch.randn(B, T, D) * 3, _pad()
    positions = torch.arange(T)[None].expand(B, T)
    with torch.no_grad():
        expected, _ = ref(x, Qwen3RotaryEmbedding(config)(x, positions), _hf_mask(pad))
        got = att(x, self_attention_mask(pad, T, causal_after=0, device=x.device))
    torch.testing.assert_close(_kept(got, pad), _kept(expected, pad), atol=1e-5, rtol=1e-5)

"""The modern published recipes count what Hugging Face's own classes count when built (on the
meta device, nothing downloaded or allocated) from the config values each recipe's header cites,
and their parameter shapes match HF's, name by name, under the documented mapping (q/k/v
stacked into our fused qkv, gate/up into the fused w_in)."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from archspec.analysis.structure import parameter_manifest
from archspec.recipe.loader import load_recipe
from tests.conftest import RECIPES
from tests.hf.conftest import transformers

COMMON = {"vocab_size": 32000, "rms_norm_eps": 1e-5, "tie_word_embeddings": False}
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "llama-2-7b": (
        "LlamaConfig",
        dict(COMMON, hidden_size=4096, intermediate_size=11008, num_attention_heads=32,
             num_key_value_heads=32, num_hidden_layers=32, max_position_embeddings=4096),
    ),
    "tinyllama-1.1b": (
        "LlamaConfig",
        dict(COMMON, hidden_size=2048, intermediate_size=5632, num_attention_heads=32,
             num_key_value_heads=4, num_hidden_layers=22, max_position_embeddings=2048),
    ),
    "mistral-7b": (
        "MistralConfig",
        dict(COMMON, hidden_size=4096, intermediate_size=14336, num_attention_heads=32,
             num_key_value_heads=8, num_hidden_layers=32, max_position_embeddings=32768,
             sliding_window=4096),
    ),
    "qwen2.5-0.5b": (
        "Qwen2Config",
        dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_attention_heads=14,
             num_key_value_heads=2, num_hidden_layers=24, max_position_embeddings=32768,
             rms_norm_eps=1e-6, tie_word_embeddings=True, rope_theta=1e6),
    ),
}  # fmt: skip
CAUSAL_LM = {
    "LlamaConfig": "LlamaForCausalLM",
    "MistralConfig": "MistralForCausalLM",
    "Qwen2Config": "Qwen2ForCausalLM",
}


def _hf(name: str) -> torch.nn.Module:
    config_class, values = CONFIGS[name]
    config = getattr(transformers, config_class)(**values)
    with torch.device("meta"):
        return getattr(transformers, CAUSAL_LM[config_class])(config)


def _mapped(hf: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    """HF's parameters renamed to archspec's layout, fused where archspec fuses."""
    shapes = {n: tuple(p.shape) for n, p in hf.named_parameters()}  # tied weights once
    out: dict[str, tuple[int, ...]] = {"embed.tokens.weight": shapes["model.embed_tokens.weight"]}
    layers = hf.config.num_hidden_layers
    for i in range(layers):
        hf_l, ours = f"model.layers.{i}", f"decoder.layers.{i}"
        att = f"{hf_l}.self_attn"
        for kind in ("weight", "bias"):
            if f"{att}.q_proj.{kind}" in shapes:  # q, k, v stacked by rows: [W^Q | W^K | W^V]
                parts = [shapes[f"{att}.{p}_proj.{kind}"] for p in "qkv"]
                rows = sum(s[0] for s in parts)
                out[f"{ours}.self_attn.sublayer.qkv.{kind}"] = (rows, *parts[0][1:])
        out[f"{ours}.self_attn.sublayer.out.weight"] = shapes[f"{att}.o_proj.weight"]
        out[f"{ours}.self_attn.norm.weight"] = shapes[f"{hf_l}.input_layernorm.weight"]
        gate, down = shapes[f"{hf_l}.mlp.gate_proj.weight"], shapes[f"{hf_l}.mlp.down_proj.weight"]
        out[f"{ours}.ffn.sublayer.w_in.weight"] = (2 * gate[0], gate[1])
        out[f"{ours}.ffn.sublayer.w_out.weight"] = down
        out[f"{ours}.ffn.norm.weight"] = shapes[f"{hf_l}.post_attention_layernorm.weight"]
    out["decoder.norm.weight"] = shapes["model.norm.weight"]
    if "lm_head.weight" in shapes:
        out["output.weight"] = shapes["lm_head.weight"]
    return out


@pytest.mark.parametrize("name", CONFIGS)
def test_recipe_counts_and_shapes_equal_the_hf_class(name: str) -> None:
    hf = _hf(name)
    manifest = parameter_manifest(load_recipe(RECIPES / "published" / f"{name}.yaml"))
    assert sum(torch.Size(s).numel() for s in manifest.values()) == hf.num_parameters()
    assert manifest == _mapped(hf)

"""Decoder families (gpt2, llama, mistral, qwen2) through archspec's own mapping
(archspec/interop/hf): a folder written by HF's save_pretrained gives the same logits, the same
greedy tokens and the same parameter count in archspec, and archspec's export loads in HF's
AutoModelForCausalLM with the same logits."""

from __future__ import annotations

import json

import pytest
import torch

from archspec import load_hf
from archspec.decoding.greedy import greedy
from archspec.decoding.session import DecoderSession
from archspec.interop.export_hf import export_hf
from tests.interop.conftest import CONFIGS, TOL, padded, saved, transformers

FAMILIES = sorted(CONFIGS)


@pytest.mark.parametrize("name", FAMILIES)
def test_logits_equal_with_padding(name: str, tmp_path) -> None:
    hf = saved(name, tmp_path)
    _, ours = load_hf(tmp_path)
    ids, pad = padded(3, 12, [12, 7, 3])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=(~pad).long()).logits
        got = ours(ids, pad)
    keep = ~pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)


@pytest.mark.parametrize("name", FAMILIES)
def test_parameter_counts_equal(name: str, tmp_path) -> None:
    hf = saved(name, tmp_path)
    _, ours = load_hf(tmp_path)
    hf_count = sum(p.numel() for p in hf.parameters())  # parameters() counts a tied one once
    assert sum(p.numel() for p in ours.parameters()) == hf_count


@pytest.mark.parametrize("name", FAMILIES)
def test_greedy_generation_equal_token_for_token(name: str, tmp_path) -> None:
    hf = saved(name, tmp_path)
    _, ours = load_hf(tmp_path)
    prompt = torch.tensor([[5, 9, 17, 3], [8, 8, 40, 2]])
    new = 14  # past mistral's window of 5: the cache must drop what leaves it
    expected = hf.generate(
        prompt, max_new_tokens=new, do_sample=False, use_cache=True, eos_token_id=None,
        pad_token_id=0, min_new_tokens=new,
    )[:, prompt.size(1) :].tolist()  # fmt: skip
    session = DecoderSession(ours, prompt_len=prompt.size(1), use_cache=True)
    assert greedy(session, prompt, new, eos=None) == expected


@pytest.mark.parametrize("name", FAMILIES)
def test_export_loads_in_auto_model_with_equal_logits(name: str, tmp_path) -> None:
    saved(name, tmp_path / "in")
    recipe, ours = load_hf(tmp_path / "in")
    export_hf(recipe, ours, tmp_path / "out")
    theirs = transformers.AutoModelForCausalLM.from_pretrained(tmp_path / "out").eval()
    ids, pad = padded(2, 10, [10, 6])
    with torch.no_grad():
        expected = theirs(input_ids=ids, attention_mask=(~pad).long()).logits
        got = ours(ids, pad)
    keep = ~pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)


MATTERS = {
    "gpt2": ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "activation_function",
             "layer_norm_epsilon", "tie_word_embeddings", "resid_pdrop", "attn_pdrop"],
    "llama": ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
              "num_attention_heads", "num_key_value_heads", "hidden_act", "rms_norm_eps",
              "max_position_embeddings", "tie_word_embeddings", "attention_bias", "mlp_bias"],
}  # fmt: skip
MATTERS["gpt_neox"] = [
    "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
    "hidden_act", "layer_norm_eps", "use_parallel_residual", "attention_bias",
    "tie_word_embeddings",
]  # fmt: skip
MATTERS["mistral"] = [k for k in MATTERS["llama"] if "bias" not in k] + ["sliding_window"]
MATTERS["qwen2"] = [k for k in MATTERS["llama"] if "bias" not in k] + ["use_sliding_window"]


@pytest.mark.parametrize("name", FAMILIES)
def test_import_export_round_trip_keeps_the_config(name: str, tmp_path) -> None:
    saved(name, tmp_path / "in")
    recipe, ours = load_hf(tmp_path / "in")
    export_hf(recipe, ours, tmp_path / "out")
    before = json.loads((tmp_path / "in" / "config.json").read_text())
    after = json.loads((tmp_path / "out" / "config.json").read_text())
    for key in MATTERS[name] + ["model_type", "architectures"]:
        assert after.get(key) == before.get(key), key
    assert _theta(after) == _theta(before)


def _theta(config: dict) -> float:
    return (config.get("rope_parameters") or {}).get("rope_theta", config.get("rope_theta", 0.0))

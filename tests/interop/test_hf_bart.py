"""The bart family through the protocol: BartForConditionalGeneration <-> archspec, logits
within 1e-5 in fp32 with source and target padding; greedy generation token for token;
counts; the config round trip; bart-base's published configuration."""

from __future__ import annotations

import pytest
import torch

from archspec.analysis import count_parameters
from archspec.interop.hf.family import Unsupported
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.hf.conftest import TOL, randomize, transformers
from tests.interop.enc_helpers import (
    assert_greedy_equals_generate,
    exported,
    family,
    hf_count,
    imported,
    ours_count,
    seq2seq_batch,
    seq2seq_logits,
)

V = 61
PAD, BOS, EOS, START = 1, 0, 2, 2
FIELDS = (
    "vocab_size", "d_model", "encoder_layers", "decoder_layers", "encoder_attention_heads",
    "decoder_attention_heads", "encoder_ffn_dim", "decoder_ffn_dim", "activation_function",
    "dropout", "attention_dropout", "max_position_embeddings", "scale_embedding",
    "tie_word_embeddings",
)  # fmt: skip


def _config(**changes):
    config = transformers.BartConfig(
        vocab_size=V, d_model=48, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=96, decoder_ffn_dim=96,
        max_position_embeddings=32, activation_function="gelu", dropout=0.0,
        attention_dropout=0.0, activation_dropout=0.0, scale_embedding=False,
        pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, decoder_start_token_id=START,
        forced_eos_token_id=None,
    )  # fmt: skip
    for k, v in changes.items():
        setattr(config, k, v)
    config._attn_implementation = "eager"
    return config


def _hf(seed: int = 0, **changes):
    torch.manual_seed(seed)  # the HF initial weights do not depend on the tests run before
    hf = transformers.BartForConditionalGeneration(_config(**changes)).eval()
    randomize(hf, seed)
    return hf


@torch.no_grad()
@pytest.mark.parametrize("scale", [False, True])
def test_import_equals_bart_with_source_and_target_padding(scale: bool) -> None:
    hf = _hf(scale_embedding=scale)
    recipe, ours = imported(hf, "bart")
    assert recipe.model.embed_scale is scale
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    got = ours(src, tgt, src_pad, tgt_pad)
    torch.testing.assert_close(got[~tgt_pad], want[~tgt_pad], **TOL)


def test_parameter_counts_equal() -> None:
    hf = _hf()
    recipe, ours = imported(hf, "bart")
    assert ours_count(ours) == hf_count(hf) == count_parameters(recipe)


@torch.no_grad()
def test_export_loads_into_bart_for_conditional_generation_and_equals(tmp_path) -> None:
    recipe, ours = imported(_hf(), "bart")
    randomize(ours, seed=5)
    hf = exported("bart", recipe, ours, transformers.AutoModelForSeq2SeqLM, tmp_path)
    assert not hf.final_logits_bias.any()
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    torch.testing.assert_close(ours(src, tgt, src_pad, tgt_pad)[~tgt_pad], want[~tgt_pad], **TOL)


@torch.no_grad()
def test_greedy_generation_equals_hugging_face_generate() -> None:
    hf = _hf(4)  # a seed whose rows generate differently
    _, ours = imported(hf, "bart")
    assert_greedy_equals_generate(
        hf, ours, V, START, EOS, PAD, forced_bos_token_id=None, forced_eos_token_id=None
    )


def test_a_nonzero_final_logits_bias_is_refused() -> None:
    hf = _hf()
    state = hf.state_dict()
    state["final_logits_bias"] = torch.ones_like(state["final_logits_bias"])
    recipe = Recipe.model_validate({"model": family("bart").to_recipe(hf.config.to_dict())})
    with pytest.raises(Unsupported, match="final_logits_bias"):
        family("bart").weights_in(state, recipe.model)


def test_config_round_trip_keeps_every_field_that_matters() -> None:
    original = _config(activation_function="relu", dropout=0.2, scale_embedding=True).to_dict()
    fam = family("bart")
    back = fam.from_recipe(Recipe.model_validate({"model": fam.to_recipe(original)}).model)
    assert back["architectures"] == ["BartForConditionalGeneration"]
    assert {k: back[k] for k in FIELDS} == {k: original[k] for k in FIELDS}


BART_BASE = {
    "activation_dropout": 0.1, "activation_function": "gelu", "add_bias_logits": False,
    "add_final_layer_norm": False, "architectures": ["BartModel"], "attention_dropout": 0.1,
    "bos_token_id": 0, "classif_dropout": 0.1, "classifier_dropout": 0.0, "d_model": 768,
    "decoder_attention_heads": 12, "decoder_ffn_dim": 3072, "decoder_layerdrop": 0.0,
    "decoder_layers": 6, "decoder_start_token_id": 2, "dropout": 0.1, "early_stopping": True,
    "encoder_attention_heads": 12, "encoder_ffn_dim": 3072, "encoder_layerdrop": 0.0,
    "encoder_layers": 6, "eos_token_id": 2, "forced_bos_token_id": 0, "forced_eos_token_id": 2,
    "gradient_checkpointing": False, "init_std": 0.02, "is_encoder_decoder": True,
    "max_position_embeddings": 1024, "model_type": "bart", "no_repeat_ngram_size": 3,
    "normalize_before": False, "normalize_embedding": True, "num_beams": 4,
    "num_hidden_layers": 6, "pad_token_id": 1, "scale_embedding": False, "use_cache": True,
    "vocab_size": 50265,
}  # fmt: skip
"""facebook/bart-base's config.json as published (id2label and task_specific_params left out)."""


def test_published_bart_base_imports_as_the_shipped_recipe() -> None:
    recipe = Recipe.model_validate({"model": family("bart").to_recipe(BART_BASE)})
    shipped = load_recipe(str(RECIPES / "published" / "bart-base.yaml"))
    assert count_parameters(recipe) == count_parameters(shipped) == 139_420_416
    assert recipe.model == shipped.model


def test_unequal_stacks_and_layerdrop_are_named() -> None:
    config = {**BART_BASE, "decoder_ffn_dim": 1024, "encoder_layerdrop": 0.1}
    with pytest.raises(Unsupported) as err:
        family("bart").to_recipe(config)
    assert "encoder_ffn_dim=3072 != decoder_ffn_dim=1024" in str(err.value)
    assert "encoder_layerdrop=0.1" in str(err.value)

"""The t5 family through the protocol: T5ForConditionalGeneration <-> archspec, logits within
1e-5 in fp32 with source and target padding, for T5 1.0 (ReLU, tied head with d_model^-0.5)
and T5 v1.1 as transformers >= 5 builds it from a config (gated-gelu, no scale, the head tied);
greedy generation token for token; counts; the config round trip; t5-small's published
configuration. T5 v1.1 with its head of its own (tying embeddings): test_hf_t5_v11.py."""

from __future__ import annotations

import pytest
import torch

from archspec.analysis import count_parameters
from archspec.interop.export_hf import export_hf
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
from tests.interop.t5_helpers import (
    EOS,
    FIELDS,
    PAD,
    START,
    V11,
    V,
    hf_t5,
    scaled,
    t5_config,
)  # fmt: skip


@torch.no_grad()
@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_import_equals_t5_with_source_and_target_padding(variant) -> None:
    hf = hf_t5(**variant)
    _, ours = imported(hf, "t5")
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    got = ours(src, tgt, src_pad, tgt_pad)
    torch.testing.assert_close(got[~tgt_pad], want[~tgt_pad], **TOL)


def test_parameter_counts_equal() -> None:
    hf = hf_t5()
    recipe, ours = imported(hf, "t5")
    assert ours_count(ours) == hf_count(hf) == count_parameters(recipe)


@torch.no_grad()
@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_export_loads_into_t5_for_conditional_generation_and_equals(variant, tmp_path) -> None:
    recipe, ours = imported(hf_t5(**variant), "t5")
    randomize(ours, seed=5)
    hf = exported("t5", recipe, ours, transformers.AutoModelForSeq2SeqLM, tmp_path)
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    torch.testing.assert_close(ours(src, tgt, src_pad, tgt_pad)[~tgt_pad], want[~tgt_pad], **TOL)


@torch.no_grad()
def test_exported_folder_of_a_tied_t5_loads_with_from_pretrained(tmp_path) -> None:
    """One shared table for shared, both embed_tokens and lm_head: written once."""
    recipe, ours = imported(hf_t5(), "t5")
    randomize(ours, seed=5)
    export_hf(recipe, ours, tmp_path)
    hf = transformers.AutoModelForSeq2SeqLM.from_pretrained(tmp_path).eval()
    assert hf.lm_head.weight is hf.shared.weight and scaled(hf.config)
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    torch.testing.assert_close(ours(src, tgt, src_pad, tgt_pad)[~tgt_pad], want[~tgt_pad], **TOL)


@torch.no_grad()
@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_greedy_generation_equals_hugging_face_generate(variant) -> None:
    hf = hf_t5(6, num_decoder_layers=2, **variant)  # 5.24 generate: equal stacks
    _, ours = imported(hf, "t5")
    assert_greedy_equals_generate(hf, ours, V, START, EOS, PAD)


@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_config_round_trip_keeps_every_field_that_matters(variant) -> None:
    original = t5_config(dropout_rate=0.2, layer_norm_epsilon=1e-5, **variant).to_dict()
    fam = family("t5")
    back = fam.from_recipe(Recipe.model_validate({"model": fam.to_recipe(original)}).model)
    assert back["architectures"] == ["T5ForConditionalGeneration"]
    read = transformers.T5Config.from_dict(back)  # as HF reads the written config.json
    want = transformers.T5Config.from_dict(original)
    assert {k: getattr(read, k) for k in FIELDS} == {k: getattr(want, k) for k in FIELDS}
    assert scaled(read) == scaled(want) == (variant == {})


T5_SMALL = {
    "architectures": ["T5ForConditionalGeneration"], "d_ff": 2048, "d_kv": 64, "d_model": 512,
    "decoder_start_token_id": 0, "dropout_rate": 0.1, "eos_token_id": 1,
    "initializer_factor": 1.0, "is_encoder_decoder": True, "layer_norm_epsilon": 1e-06,
    "model_type": "t5", "n_positions": 512, "num_heads": 8, "num_layers": 6,
    "output_past": True, "pad_token_id": 0, "relative_attention_num_buckets": 32,
    "vocab_size": 32128,
}  # fmt: skip
"""google-t5/t5-small's config.json as published (task_specific_params left out)."""


def test_published_t5_small_imports_as_the_shipped_recipe() -> None:
    recipe = Recipe.model_validate({"model": family("t5").to_recipe(T5_SMALL)})
    shipped = load_recipe(str(RECIPES / "published" / "t5-small.yaml"))
    assert count_parameters(recipe) == count_parameters(shipped) == 60_506_624
    assert recipe.model.output_scale == "d_model^-0.5"  # T5's scale before the tied head
    assert recipe.model == shipped.model


def test_unknown_feed_forward_is_named() -> None:
    with pytest.raises(Unsupported, match="feed_forward_proj='gated-tanh'"):
        family("t5").to_recipe({**T5_SMALL, "feed_forward_proj": "gated-tanh"})

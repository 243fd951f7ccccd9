"""The t5 family through the protocol: T5ForConditionalGeneration <-> archspec, logits within
1e-5 in fp32 with source and target padding, for T5 1.0 (ReLU, tied head with d_model^-0.5)
and T5 v1.1 (gated-gelu, an untied head); greedy generation token for token; counts; the
config round trip; t5-small's published configuration."""

from __future__ import annotations

import pytest
import torch

from archspec.analysis import count_parameters
from archspec.build import build_model
from archspec.decoding.greedy import greedy_translate
from archspec.interop.hf.family import Unsupported
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.hf.conftest import TOL, padded, randomize, transformers
from tests.interop.enc_helpers import exported, family, hf_count, imported, ours_count

V, D = 61, 32
PAD, EOS, START = 0, 1, 0
FIELDS = (
    "vocab_size", "d_model", "d_kv", "d_ff", "num_layers", "num_decoder_layers", "num_heads",
    "relative_attention_num_buckets", "relative_attention_max_distance", "dropout_rate",
    "layer_norm_epsilon", "feed_forward_proj", "is_gated_act", "dense_act_fn",
)  # fmt: skip
V11 = {"feed_forward_proj": "gated-gelu", "tie_word_embeddings": False}
"""T5 v1.1 / flan-t5: no d_model^-0.5 before the head (transformers >= 5 still ties the head
to `shared` and says scale_decoder_outputs false)."""


def _scaled(config) -> bool:
    return getattr(config, "scale_decoder_outputs", config.tie_word_embeddings)


def _config(**changes):
    fields = dict(
        vocab_size=V, d_model=D, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=3,
        num_heads=4, relative_attention_num_buckets=16, relative_attention_max_distance=20,
        dropout_rate=0.0, layer_norm_epsilon=1e-6, feed_forward_proj="relu",
        pad_token_id=PAD, eos_token_id=EOS, decoder_start_token_id=START,
    )  # fmt: skip
    config = transformers.T5Config(**(fields | changes))  # it derives is_gated_act
    config._attn_implementation = "eager"
    return config


def _hf(seed: int = 0, **changes):
    torch.manual_seed(seed)  # the HF initial weights do not depend on the tests run before
    hf = transformers.T5ForConditionalGeneration(_config(**changes)).eval()
    randomize(hf, seed)
    if not _scaled(hf.config):  # logits of T5 1.0's size: at |25| 1e-5 would be float noise
        with torch.no_grad():
            hf.decoder.final_layer_norm.weight.mul_(D**-0.5)
    return hf


def _batch():
    src, src_pad = padded(3, 11, V, [11, 6, 3], seed=1)
    tgt, tgt_pad = padded(3, 9, V, [9, 9, 4], seed=2)
    return src, src_pad, tgt, tgt_pad


def _logits(hf, src, src_pad, tgt, tgt_pad):
    return hf(
        input_ids=src,
        attention_mask=(~src_pad).long(),
        decoder_input_ids=tgt,
        decoder_attention_mask=(~tgt_pad).long(),
    ).logits


@torch.no_grad()
@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_import_equals_t5_with_source_and_target_padding(variant) -> None:
    hf = _hf(**variant)
    _, ours = imported(hf, "t5")
    src, src_pad, tgt, tgt_pad = _batch()
    want = _logits(hf, src, src_pad, tgt, tgt_pad)
    got = ours(src, tgt, src_pad, tgt_pad)
    torch.testing.assert_close(got[~tgt_pad], want[~tgt_pad], **TOL)


def test_parameter_counts_equal() -> None:
    hf = _hf()
    recipe, ours = imported(hf, "t5")
    assert ours_count(ours) == hf_count(hf) == count_parameters(recipe)


def _untied(hf):
    """The recipe of a flan-t5-style config.json that unties the head, and its model with
    the HF weights (transformers >= 5 ties the head anyway, so lm_head equals shared here)."""
    config = {**hf.config.to_dict(), "tie_word_embeddings": False}
    config.pop("scale_decoder_outputs", None)
    recipe = Recipe.model_validate({"model": family("t5").to_recipe(config)})
    ours = build_model(recipe).eval()
    ours.load_state_dict(family("t5").weights_in(hf.state_dict(), recipe.model), strict=True)
    return recipe, ours


@torch.no_grad()
def test_an_untied_head_imports_as_tying_none_with_one_table_more() -> None:
    """tying none: the table both HF stacks share is two tables in archspec."""
    hf = _hf(**V11)
    recipe, ours = _untied(hf)
    assert recipe.model.tying == "none" and recipe.model.activation == "geglu_tanh"
    assert recipe.model.output_scale == 1.0
    tables = 2 if hf.lm_head.weight is hf.shared.weight else 1  # transformers >= 5 ties it
    assert ours_count(ours) == count_parameters(recipe) == hf_count(hf) + tables * V * D
    src, src_pad, tgt, tgt_pad = _batch()
    want = _logits(hf, src, src_pad, tgt, tgt_pad)
    torch.testing.assert_close(ours(src, tgt, src_pad, tgt_pad)[~tgt_pad], want[~tgt_pad], **TOL)


def test_export_refuses_two_different_embedding_tables() -> None:
    recipe, ours = _untied(_hf(**V11))
    randomize(ours, seed=5)
    with pytest.raises(Unsupported, match="token tables differ"):
        family("t5").weights_out(ours.state_dict(), recipe.model)


@torch.no_grad()
@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_export_loads_into_t5_for_conditional_generation_and_equals(variant, tmp_path) -> None:
    recipe, ours = imported(_hf(**variant), "t5")
    randomize(ours, seed=5)
    hf = exported("t5", recipe, ours, transformers.AutoModelForSeq2SeqLM, tmp_path)
    src, src_pad, tgt, tgt_pad = _batch()
    want = _logits(hf, src, src_pad, tgt, tgt_pad)
    torch.testing.assert_close(ours(src, tgt, src_pad, tgt_pad)[~tgt_pad], want[~tgt_pad], **TOL)


@torch.no_grad()
@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_greedy_generation_equals_hugging_face_generate(variant) -> None:
    hf = _hf(6, num_decoder_layers=2, **variant)  # 5.24 generate: equal stacks
    _, ours = imported(hf, "t5")
    src, src_pad, _, _ = _batch()
    steps = 10
    want = hf.generate(
        src, attention_mask=(~src_pad).long(), max_new_tokens=steps, do_sample=False, num_beams=1
    )[:, 1:]  # HF's output starts with decoder_start_token_id
    got = greedy_translate(ours, src, src_pad, bos=START, eos=EOS, pad=PAD, max_new=steps)
    assert got.tolist() == want.tolist()
    assert len({tuple(row) for row in got.tolist()}) > 1  # the rows follow their sources


@pytest.mark.parametrize("variant", [{}, V11], ids=["t5", "v1.1"])
def test_config_round_trip_keeps_every_field_that_matters(variant) -> None:
    original = _config(dropout_rate=0.2, layer_norm_epsilon=1e-5, **variant).to_dict()
    fam = family("t5")
    back = fam.from_recipe(Recipe.model_validate({"model": fam.to_recipe(original)}).model)
    assert back["architectures"] == ["T5ForConditionalGeneration"]
    read = transformers.T5Config.from_dict(back)  # as HF reads the written config.json
    want = transformers.T5Config.from_dict(original)
    assert {k: getattr(read, k) for k in FIELDS} == {k: getattr(want, k) for k in FIELDS}
    assert _scaled(read) == _scaled(want) == (variant == {})


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
    with pytest.raises(Unsupported, match="feed_forward_proj: 'gated-tanh'"):
        family("t5").to_recipe({**T5_SMALL, "feed_forward_proj": "gated-tanh"})

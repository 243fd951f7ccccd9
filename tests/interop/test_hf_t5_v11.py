"""T5 v1.1 / flan-t5 / mT5 (tie_word_embeddings false): both stacks share one table, lm_head is
its own matrix and there is no d_model^-0.5 before it; archspec's tying: embeddings. Against
T5ForConditionalGeneration with such a head: logits within 1e-5 with padding, greedy
generation token for token, equal counts (google/t5-v1_1-small's published configuration
included), an exported folder that from_pretrained loads with its own head, the config round
trip."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch

from archspec.analysis import count_parameters
from archspec.build import build_model
from archspec.errors import ArchspecError
from archspec.interop.export_hf import export_hf
from archspec.interop.hf.family import Unsupported
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.hf.conftest import TOL, randomize, transformers
from tests.interop.enc_helpers import (
    assert_greedy_equals_generate,
    family,
    hf_count,
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
    untie,
)  # fmt: skip

T5_V1_1_SMALL = {
    "architectures": ["T5ForConditionalGeneration"], "d_ff": 1024, "d_kv": 64, "d_model": 512,
    "decoder_start_token_id": 0, "dropout_rate": 0.1, "eos_token_id": 1,
    "feed_forward_proj": "gated-gelu", "initializer_factor": 1.0, "is_encoder_decoder": True,
    "layer_norm_epsilon": 1e-06, "model_type": "t5", "num_decoder_layers": 8, "num_heads": 6,
    "num_layers": 8, "output_past": True, "pad_token_id": 0,
    "relative_attention_num_buckets": 32, "tie_word_embeddings": False, "vocab_size": 32128,
}  # fmt: skip
"""google/t5-v1_1-small's config.json as published."""
T5_V1_1_SMALL_PARAMETERS = 76_961_152
"""T5ForConditionalGeneration's count for it with lm_head its own matrix (as the checkpoint
has it): measured by test_published_t5_v1_1_small_counts_what_hugging_face_counts."""


def _v11(hf: Any) -> dict[str, Any]:
    """The config.json of a v1.1 model as published (transformers >= 5's to_dict says
    tie_word_embeddings true and scale_decoder_outputs false instead)."""
    config = {**hf.config.to_dict(), "tie_word_embeddings": False}
    config.pop("scale_decoder_outputs", None)
    return config


def _imported(hf: Any) -> tuple[Recipe, Any]:
    fam = family("t5")
    recipe = Recipe.model_validate({"model": fam.to_recipe(_v11(hf))})
    ours = build_model(recipe).eval()
    ours.load_state_dict(fam.weights_in(hf.state_dict(), recipe.model), strict=True)
    return recipe, ours


@torch.no_grad()
def test_import_with_its_own_head_equals_hf_with_padding_and_counts_equal() -> None:
    hf = untie(hf_t5(**V11))
    recipe, ours = _imported(hf)
    m = recipe.model
    assert (m.tying, m.output_scale, m.activation) == ("embeddings", 1.0, "geglu_tanh")
    assert ours.output.weight is not ours.src_embed.tokens.weight
    assert ours_count(ours) == count_parameters(recipe) == hf_count(hf)
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    torch.testing.assert_close(ours(src, tgt, src_pad, tgt_pad)[~tgt_pad], want[~tgt_pad], **TOL)


@torch.no_grad()
def test_greedy_generation_equals_hugging_face_generate() -> None:
    hf = untie(hf_t5(6, num_decoder_layers=2, **V11))  # 5.24 generate: equal stacks
    _, ours = _imported(hf)
    assert_greedy_equals_generate(hf, ours, V, START, EOS, PAD)


@torch.no_grad()
def test_exported_folder_loads_with_its_own_head_and_equal_logits(tmp_path) -> None:
    recipe, ours = _imported(untie(hf_t5(**V11)))
    randomize(ours, seed=5)
    export_hf(recipe, ours, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert (config["tie_word_embeddings"], config["scale_decoder_outputs"]) == (False, False)
    hf = transformers.AutoModelForSeq2SeqLM.from_pretrained(tmp_path).eval()
    assert hf.lm_head.weight is not hf.shared.weight and not scaled(hf.config)
    assert hf_count(hf) == ours_count(ours)
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    torch.testing.assert_close(ours(src, tgt, src_pad, tgt_pad)[~tgt_pad], want[~tgt_pad], **TOL)


MATTERS = tuple(k for k in T5_V1_1_SMALL if k not in ("initializer_factor", "output_past"))
"""Every published field but the initialisation factor and a caching switch."""


def test_config_round_trip_of_t5_v1_1_small_keeps_every_field_that_matters() -> None:
    fam = family("t5")
    recipe = Recipe.model_validate({"model": fam.to_recipe(T5_V1_1_SMALL)})
    back = fam.from_recipe(recipe.model)
    assert {k: back[k] for k in MATTERS} == {k: T5_V1_1_SMALL[k] for k in MATTERS}
    read = transformers.T5Config.from_dict(back)  # as HF reads the written config.json
    want = transformers.T5Config.from_dict(T5_V1_1_SMALL)
    assert {k: getattr(read, k) for k in FIELDS} == {k: getattr(want, k) for k in FIELDS}
    assert scaled(read) is scaled(want) is False


def test_published_t5_v1_1_small_counts_what_hugging_face_counts() -> None:
    config = transformers.T5Config.from_dict(T5_V1_1_SMALL)
    with torch.device("meta"):
        hf = transformers.T5ForConditionalGeneration(config)
        if hf.lm_head.weight is hf.shared.weight:  # transformers >= 5 ties it until loading
            hf.lm_head.weight = torch.nn.Parameter(torch.empty_like(hf.shared.weight))
    recipe = Recipe.model_validate({"model": family("t5").to_recipe(T5_V1_1_SMALL)})
    shipped = load_recipe(str(RECIPES / "published" / "t5-v1_1-small.yaml"))
    assert recipe.model == shipped.model
    assert count_parameters(shipped) == hf_count(hf) == T5_V1_1_SMALL_PARAMETERS


def test_weights_whose_head_differs_under_a_tied_config_say_what_to_change() -> None:
    hf = untie(hf_t5(**V11))
    config = {**_v11(hf), "tie_word_embeddings": True, "scale_decoder_outputs": False}
    recipe = Recipe.model_validate({"model": family("t5").to_recipe(config)})
    assert recipe.model.tying == "all"
    with pytest.raises(ArchspecError, match="set tie_word_embeddings to false"):
        family("t5").weights_in(hf.state_dict(), recipe.model)


def test_export_refuses_two_different_embedding_tables() -> None:
    recipe, _ = _imported(untie(hf_t5(**V11)))
    untied = Recipe.model_validate(
        {"model": {**recipe.model.model_dump(mode="json"), "tying": "none"}}
    )
    ours = build_model(untied)
    with pytest.raises(Unsupported, match="token tables differ"):
        family("t5").weights_out(ours.state_dict(), untied.model)

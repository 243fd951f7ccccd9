"""The roberta family through the protocol: RobertaModel <-> archspec, positions offset by
padding_idx + 1 (HF numbers them from the padding mask), one token type; counts; the config
round trip; roberta-base's published configuration."""

from __future__ import annotations

import pytest
import torch

from archspec.analysis import count_parameters
from archspec.interop.hf.family import Unsupported
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.hf.conftest import TOL, padded, randomize, transformers
from tests.interop.enc_helpers import exported, family, hf_count, imported, ours_count

V, T = 61, 12
FIELDS = (
    "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
    "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
    "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "pad_token_id",
)  # fmt: skip


def _config(**changes):
    config = transformers.RobertaConfig(
        vocab_size=V, hidden_size=48, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=96, hidden_act="gelu", max_position_embeddings=34, type_vocab_size=1,
        layer_norm_eps=1e-5, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        pad_token_id=1, bos_token_id=0, eos_token_id=2,
    )  # fmt: skip
    for k, v in changes.items():
        setattr(config, k, v)
    config._attn_implementation = "eager"
    return config


def _hf(cls=None, **changes):
    torch.manual_seed(0)  # the HF initial weights do not depend on the tests run before
    hf = (cls or transformers.RobertaModel)(_config(**changes)).eval()
    randomize(hf)
    return hf


@torch.no_grad()
def test_import_equals_roberta_model_with_padding() -> None:
    hf = _hf()
    recipe, ours = imported(hf, "roberta")
    assert recipe.model.positional.offset == 2 and recipe.model.max_len == 32
    ids, pad = padded(3, T, V, [T, 8, 4])  # padding id 1 = pad_token_id
    out = hf(input_ids=ids, attention_mask=(~pad).long())
    hidden = ours(ids, pad)
    torch.testing.assert_close(hidden[~pad], out.last_hidden_state[~pad], **TOL)
    torch.testing.assert_close(ours.pool(hidden), out.pooler_output, **TOL)


@torch.no_grad()
def test_another_pad_token_id_moves_the_offset() -> None:
    hf = _hf(pad_token_id=3, max_position_embeddings=36)
    recipe, ours = imported(hf, "roberta")
    assert recipe.model.positional.offset == 4
    ids, pad = padded(2, T, V, [T, 7])
    ids = ids.masked_fill(ids == 3, 5).masked_fill(pad, 3)  # the pad id only at padding
    out = hf(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
    torch.testing.assert_close(ours(ids, pad)[~pad], out[~pad], **TOL)


def test_parameter_counts_equal() -> None:
    hf = _hf()
    recipe, ours = imported(hf, "roberta")
    assert ours_count(ours) == hf_count(hf) == count_parameters(recipe)


@torch.no_grad()
def test_export_loads_into_roberta_model_and_equals(tmp_path) -> None:
    recipe, ours = imported(_hf(), "roberta")
    randomize(ours, seed=5)
    hf = exported("roberta", recipe, ours, transformers.AutoModel, tmp_path)
    ids, pad = padded(3, T, V, [T, 9, 2])
    out = hf(input_ids=ids, attention_mask=(~pad).long())
    hidden = ours(ids, pad)
    torch.testing.assert_close(hidden[~pad], out.last_hidden_state[~pad], **TOL)
    torch.testing.assert_close(ours.pool(hidden), out.pooler_output, **TOL)


@torch.no_grad()
def test_masked_lm_weights_import_without_their_head() -> None:
    hf = _hf(transformers.RobertaForMaskedLM)
    _, ours = imported(hf, "roberta")
    ids, pad = padded(2, T, V, [T, 5])
    want = hf.roberta(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
    torch.testing.assert_close(ours(ids, pad)[~pad], want[~pad], **TOL)


def test_config_round_trip_keeps_every_field_that_matters() -> None:
    original = _config(layer_norm_eps=1e-6, hidden_act="relu").to_dict()
    fam = family("roberta")
    back = fam.from_recipe(Recipe.model_validate({"model": fam.to_recipe(original)}).model)
    assert back["architectures"] == ["RobertaModel"]
    assert {k: back[k] for k in FIELDS} == {k: original[k] for k in FIELDS}


ROBERTA_BASE = {
    "architectures": ["RobertaForMaskedLM"], "attention_probs_dropout_prob": 0.1,
    "bos_token_id": 0, "eos_token_id": 2, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
    "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
    "layer_norm_eps": 1e-05, "max_position_embeddings": 514, "model_type": "roberta",
    "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 1,
    "type_vocab_size": 1, "vocab_size": 50265,
}  # fmt: skip
"""roberta-base's config.json as published."""


def test_published_roberta_base_imports_as_the_shipped_recipe() -> None:
    recipe = Recipe.model_validate({"model": family("roberta").to_recipe(ROBERTA_BASE)})
    shipped = load_recipe(str(RECIPES / "published" / "roberta-base.yaml"))
    assert count_parameters(recipe) == count_parameters(shipped) == 124_645_632
    assert recipe.model == shipped.model


def test_export_refuses_an_offset_of_zero() -> None:
    model = family("roberta").to_recipe(ROBERTA_BASE)
    model["positional"] = {"kind": "learned", "max_len": 512}
    with pytest.raises(Unsupported, match="positional.offset 0"):
        family("roberta").from_recipe(Recipe.model_validate({"model": model}).model)

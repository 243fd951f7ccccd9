"""The distilbert family through the protocol: DistilBertModel <-> archspec with padding;
counts; the config round trip; distilbert-base-uncased's published configuration."""

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
    "vocab_size", "dim", "n_layers", "n_heads", "hidden_dim", "activation", "dropout",
    "attention_dropout", "max_position_embeddings", "sinusoidal_pos_embds",
)  # fmt: skip


def _config(**changes):
    config = transformers.DistilBertConfig(
        vocab_size=V, dim=48, n_layers=2, n_heads=4, hidden_dim=96, activation="gelu",
        max_position_embeddings=32, dropout=0.0, attention_dropout=0.0, pad_token_id=1,
    )  # fmt: skip
    for k, v in changes.items():
        setattr(config, k, v)
    config._attn_implementation = "eager"
    return config


def _hf(cls=None, **changes):
    torch.manual_seed(0)  # the HF initial weights do not depend on the tests run before
    hf = (cls or transformers.DistilBertModel)(_config(**changes)).eval()
    randomize(hf)
    return hf


@torch.no_grad()
@pytest.mark.parametrize("act", ["gelu", "relu"])
def test_import_equals_distilbert_model_with_padding(act: str) -> None:
    hf = _hf(activation=act)
    _, ours = imported(hf, "distilbert")
    ids, pad = padded(3, T, V, [T, 8, 4])
    want = hf(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
    torch.testing.assert_close(ours(ids, pad)[~pad], want[~pad], **TOL)


def test_parameter_counts_equal() -> None:
    hf = _hf()
    recipe, ours = imported(hf, "distilbert")
    assert ours_count(ours) == hf_count(hf) == count_parameters(recipe)


@torch.no_grad()
def test_export_loads_into_distilbert_model_and_equals(tmp_path) -> None:
    recipe, ours = imported(_hf(), "distilbert")
    randomize(ours, seed=5)
    hf = exported("distilbert", recipe, ours, transformers.AutoModel, tmp_path)
    ids, pad = padded(3, T, V, [T, 9, 2])
    want = hf(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
    torch.testing.assert_close(ours(ids, pad)[~pad], want[~pad], **TOL)


@torch.no_grad()
def test_masked_lm_weights_import_without_their_head() -> None:
    hf = _hf(transformers.DistilBertForMaskedLM)
    _, ours = imported(hf, "distilbert")
    ids, pad = padded(2, T, V, [T, 5])
    want = hf.distilbert(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
    torch.testing.assert_close(ours(ids, pad)[~pad], want[~pad], **TOL)


def test_config_round_trip_keeps_every_field_that_matters() -> None:
    original = _config(activation="gelu_new", dropout=0.2).to_dict()
    fam = family("distilbert")
    back = fam.from_recipe(Recipe.model_validate({"model": fam.to_recipe(original)}).model)
    assert back["architectures"] == ["DistilBertModel"]
    assert {k: back[k] for k in FIELDS} == {k: original[k] for k in FIELDS}


DISTILBERT_BASE_UNCASED = {
    "activation": "gelu", "architectures": ["DistilBertForMaskedLM"], "attention_dropout": 0.1,
    "dim": 768, "dropout": 0.1, "hidden_dim": 3072, "initializer_range": 0.02,
    "max_position_embeddings": 512, "model_type": "distilbert", "n_heads": 12, "n_layers": 6,
    "pad_token_id": 0, "qa_dropout": 0.1, "seq_classif_dropout": 0.2,
    "sinusoidal_pos_embds": False, "tie_weights_": True, "vocab_size": 30522,
}  # fmt: skip
"""distilbert-base-uncased's config.json as published."""


def test_published_distilbert_imports_as_the_shipped_recipe() -> None:
    model = family("distilbert").to_recipe(DISTILBERT_BASE_UNCASED)
    recipe = Recipe.model_validate({"model": model})
    shipped = load_recipe(str(RECIPES / "published" / "distilbert-base-uncased.yaml"))
    assert count_parameters(recipe) == count_parameters(shipped) == 66_362_880
    assert recipe.model == shipped.model


def test_sinusoidal_tables_and_token_types_are_refused() -> None:
    with pytest.raises(Unsupported, match="sinusoidal_pos_embds=True"):
        family("distilbert").to_recipe({**DISTILBERT_BASE_UNCASED, "sinusoidal_pos_embds": True})
    model = family("distilbert").to_recipe(DISTILBERT_BASE_UNCASED) | {"token_types": 2}
    with pytest.raises(Unsupported, match="token_types 2"):
        family("distilbert").from_recipe(Recipe.model_validate({"model": model}).model)

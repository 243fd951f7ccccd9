"""The bert family through the protocol: BertModel -> archspec (to_recipe + weights_in) and
back (from_recipe + weights_out -> AutoModel), hidden states and pooler within 1e-5 in fp32
with padding; counts; the config round trip; bert-base-uncased's published configuration."""

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
    "max_position_embeddings", "type_vocab_size", "layer_norm_eps",
)  # fmt: skip
"""The BertConfig fields that change the computation."""


def _config(**changes):
    config = transformers.BertConfig(
        vocab_size=V, hidden_size=48, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=96, hidden_act="gelu", max_position_embeddings=32, type_vocab_size=2,
        layer_norm_eps=1e-12, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )  # fmt: skip
    for k, v in changes.items():
        setattr(config, k, v)
    config._attn_implementation = "eager"
    return config


def _hf(cls=None, **changes):
    torch.manual_seed(0)  # the HF initial weights do not depend on the tests run before
    hf = (cls or transformers.BertModel)(_config(**changes)).eval()
    randomize(hf)
    return hf


def _inputs():
    ids, pad = padded(3, T, V, [T, 8, 4])
    types = (torch.arange(T)[None, :] >= torch.tensor([6, 4, 2])[:, None]).long()
    return ids, pad, types


@torch.no_grad()
@pytest.mark.parametrize("act", ["gelu", "gelu_new", "relu"])
def test_import_equals_bert_model_with_padding(act: str) -> None:
    hf = _hf(hidden_act=act)
    _, ours = imported(hf, "bert")
    ids, pad, types = _inputs()
    out = hf(input_ids=ids, attention_mask=(~pad).long(), token_type_ids=types)
    hidden = ours(ids, pad, types)
    torch.testing.assert_close(hidden[~pad], out.last_hidden_state[~pad], **TOL)
    torch.testing.assert_close(ours.pool(hidden), out.pooler_output, **TOL)


def test_parameter_counts_equal() -> None:
    hf = _hf()
    recipe, ours = imported(hf, "bert")
    assert ours_count(ours) == hf_count(hf) == count_parameters(recipe)


@torch.no_grad()
def test_export_loads_into_bert_model_and_equals(tmp_path) -> None:
    recipe, ours = imported(_hf(), "bert")
    randomize(ours, seed=5)  # new weights: the export must carry them
    hf = exported("bert", recipe, ours, transformers.AutoModel, tmp_path)
    ids, pad, types = _inputs()
    out = hf(input_ids=ids, attention_mask=(~pad).long(), token_type_ids=types)
    hidden = ours(ids, pad, types)
    torch.testing.assert_close(hidden[~pad], out.last_hidden_state[~pad], **TOL)
    torch.testing.assert_close(ours.pool(hidden), out.pooler_output, **TOL)


@torch.no_grad()
def test_masked_lm_weights_import_without_their_head() -> None:
    """BertForMaskedLM: the 'bert.' prefix goes, cls.predictions.* is dropped, the missing
    pooler starts from its initial values."""
    hf = _hf(transformers.BertForMaskedLM)
    assert any(k.startswith("cls.predictions.") for k in hf.state_dict())
    _, ours = imported(hf, "bert")
    ids, pad, types = _inputs()
    want = hf.bert(input_ids=ids, attention_mask=(~pad).long(), token_type_ids=types)
    got = ours(ids, pad, types)
    torch.testing.assert_close(got[~pad], want.last_hidden_state[~pad], **TOL)


def test_config_round_trip_keeps_every_field_that_matters() -> None:
    config = _config(hidden_act="gelu_new", layer_norm_eps=1e-7, hidden_dropout_prob=0.2)
    original = config.to_dict()
    fam = family("bert")
    back = fam.from_recipe(Recipe.model_validate({"model": fam.to_recipe(original)}).model)
    assert back["model_type"] == "bert" and back["architectures"] == ["BertModel"]
    assert {k: back[k] for k in FIELDS} == {k: original[k] for k in FIELDS}


BERT_BASE_UNCASED = {
    "architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1,
    "gradient_checkpointing": False, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
    "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
    "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert",
    "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 0,
    "position_embedding_type": "absolute", "transformers_version": "4.6.0.dev0",
    "type_vocab_size": 2, "use_cache": True, "vocab_size": 30522,
}  # fmt: skip
"""bert-base-uncased's config.json as published."""


def test_published_bert_base_uncased_imports_as_the_shipped_recipe() -> None:
    model = family("bert").to_recipe(BERT_BASE_UNCASED)
    recipe = Recipe.model_validate({"model": model})
    shipped = load_recipe(str(RECIPES / "published" / "bert-base-uncased.yaml"))
    assert count_parameters(recipe) == count_parameters(shipped) == 109_482_240
    assert recipe.model == shipped.model


def test_a_config_field_without_equivalent_is_named() -> None:
    with pytest.raises(Unsupported, match="position_embedding_type='relative_key'"):
        family("bert").to_recipe({**BERT_BASE_UNCASED, "position_embedding_type": "relative_key"})
    with pytest.raises(Unsupported, match="hidden_act='silu'"):
        family("bert").to_recipe({**BERT_BASE_UNCASED, "hidden_act": "silu"})


def test_export_lists_every_part_bert_model_cannot_express() -> None:
    model = family("bert").to_recipe(BERT_BASE_UNCASED)
    model.update(norm={"kind": "rmsnorm", "placement": "pre"}, pooler=False)
    model["attention"] = {"kind": "multihead", "kv_heads": 4}
    with pytest.raises(Unsupported) as err:
        family("bert").from_recipe(Recipe.model_validate({"model": model}).model)
    for part in ("norm.kind rmsnorm", "norm.placement pre", "pooler false", "kv_heads 4"):
        assert part in str(err.value)


def test_weights_with_no_place_in_archspec_are_named() -> None:
    """A task head archspec has no part for (BertForSequenceClassification's classifier) is
    an error listing its tensors, never silently dropped."""
    hf = _hf(transformers.BertForSequenceClassification)
    recipe = Recipe.model_validate({"model": family("bert").to_recipe(hf.config.to_dict())})
    with pytest.raises(Unsupported, match="classifier.weight"):
        family("bert").weights_in(hf.state_dict(), recipe.model)

"""The published recipes count what the Hugging Face classes they follow count, built here on
the meta device from the published configurations (written out: nothing is downloaded)."""

from __future__ import annotations

import pytest
import torch

from archspec.analysis import count_parameters
from archspec.recipe import load_recipe
from tests.conftest import RECIPES
from tests.hf.conftest import transformers


def _hf(name: str) -> torch.nn.Module:
    t = transformers
    configs = {
        "gpt2": lambda: t.GPT2LMHeadModel(t.GPT2Config()),  # the defaults are gpt2's
        "bert-base-uncased": lambda: t.BertModel(t.BertConfig()),  # bert-base-uncased's
        "roberta-base": lambda: t.RobertaModel(
            t.RobertaConfig(
                vocab_size=50265, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1
            )
        ),
        "distilbert-base-uncased": lambda: t.DistilBertModel(t.DistilBertConfig()),
        "pythia-160m": lambda: t.GPTNeoXForCausalLM(
            t.GPTNeoXConfig(
                vocab_size=50304,
                hidden_size=768,
                num_hidden_layers=12,
                num_attention_heads=12,
                intermediate_size=3072,
                max_position_embeddings=2048,
            )
        ),
        "bart-base": lambda: t.BartModel(
            t.BartConfig(
                vocab_size=50265,
                d_model=768,
                encoder_layers=6,
                decoder_layers=6,
                encoder_attention_heads=12,
                decoder_attention_heads=12,
                encoder_ffn_dim=3072,
                decoder_ffn_dim=3072,
                max_position_embeddings=1024,
            )
        ),
    }
    with torch.device("meta"):
        return configs[name]()


@pytest.mark.parametrize(
    "name",
    [
        "gpt2",
        "bert-base-uncased",
        "roberta-base",
        "distilbert-base-uncased",
        "pythia-160m",
        "bart-base",
    ],
)
def test_recipe_counts_the_hugging_face_class(name: str) -> None:
    hf = sum(p.numel() for p in _hf(name).parameters())  # a tied parameter once
    assert count_parameters(load_recipe(RECIPES / "published" / f"{name}.yaml")) == hf

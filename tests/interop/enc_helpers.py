"""Helpers of the encoder and encoder-decoder family tests (tests/interop/test_hf_*.py):
HF models from tiny configs with random weights (nothing is downloaded), imports and exports
through the family protocol alone, and the batch, logits and greedy check the encoder-decoders
(BART, T5) share."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from archspec.build import build_model
from archspec.interop.hf.family import Family, family_for
from archspec.spec import Recipe
from tests.hf.conftest import padded, randomize, transformers


def family(model_type: str) -> Family:
    return family_for(model_type)


def imported(hf: torch.nn.Module, model_type: str) -> tuple[Recipe, torch.nn.Module]:
    """HF model -> (recipe, archspec model with its weights) via to_recipe and weights_in."""
    fam = family(model_type)
    recipe = Recipe.model_validate({"model": fam.to_recipe(hf.config.to_dict())})
    ours = build_model(recipe).eval()
    ours.load_state_dict(fam.weights_in(hf.state_dict(), recipe.model), strict=True)
    return recipe, ours


def exported(
    model_type: str, recipe: Recipe, ours: torch.nn.Module, auto: Any, tmp: Path
) -> torch.nn.Module:
    """archspec model -> config.json (read back by AutoConfig) + weights_out -> the HF class
    the config names, built by the Auto class `auto` and loaded strictly."""
    fam = family(model_type)
    config = fam.from_recipe(recipe.model)
    (tmp / "config.json").write_text(json.dumps(config))
    hf_config = transformers.AutoConfig.from_pretrained(tmp)
    hf_config._attn_implementation = "eager"
    hf = auto.from_config(hf_config).eval()
    assert type(hf).__name__ == config["architectures"][0]
    hf.load_state_dict(fam.weights_out(ours.state_dict(), recipe.model), strict=True)
    return hf


def random_ours(model: Mapping[str, Any], seed: int = 3) -> tuple[Recipe, torch.nn.Module]:
    recipe = Recipe.model_validate({"model": dict(model)})
    ours = build_model(recipe).eval()
    randomize(ours, seed)
    return recipe, ours


def hf_count(module: torch.nn.Module) -> int:
    """Parameters of an HF model, each tied tensor once."""
    return sum(p.numel() for p in module.parameters())


def ours_count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def matters(config: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: config[k] for k in keys}


# --- encoder-decoders (BART, T5) ----------------------------------------------------------


def seq2seq_batch(vocab: int) -> tuple[Any, Any, Any, Any]:
    """Source and target ids with their pad masks: rows of different lengths on both sides."""
    src, src_pad = padded(3, 11, vocab, [11, 6, 3], seed=1)
    tgt, tgt_pad = padded(3, 9, vocab, [9, 9, 4], seed=2)
    return src, src_pad, tgt, tgt_pad


def seq2seq_logits(hf: Any, src: Any, src_pad: Any, tgt: Any, tgt_pad: Any) -> Any:
    """An HF encoder-decoder's logits, masks as HF's attention masks (1 at real tokens)."""
    return hf(
        input_ids=src,
        attention_mask=(~src_pad).long(),
        decoder_input_ids=tgt,
        decoder_attention_mask=(~tgt_pad).long(),
    ).logits


def assert_greedy_equals_generate(
    hf: Any, ours: torch.nn.Module, vocab: int, start: int, eos: int, pad: int, **generate: Any
) -> None:
    """archspec's greedy translation of seq2seq_batch's sources equals HF `generate` id for id
    (10 new tokens), and the rows differ, so that each follows its own source."""
    from archspec.decoding.greedy import greedy_translate

    src, src_pad, _, _ = seq2seq_batch(vocab)
    steps = 10
    want = hf.generate(
        src,
        attention_mask=(~src_pad).long(),
        max_new_tokens=steps,
        do_sample=False,
        num_beams=1,
        **generate,
    )[:, 1:]  # HF's output starts with decoder_start_token_id
    got = greedy_translate(ours, src, src_pad, bos=start, eos=eos, pad=pad, max_new=steps)
    assert got.tolist() == want.tolist()
    assert len({tuple(row) for row in got.tolist()}) > 1

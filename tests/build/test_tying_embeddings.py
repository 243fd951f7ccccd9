"""tying: embeddings (T5 v1.1, flan-t5, mT5): the encoder and decoder share one token table and
the output projection is a matrix of its own. The structure (parameter manifest, counts, diff
rows) must say exactly what the builder makes."""

from __future__ import annotations

import itertools

import pytest
import torch
from pydantic import ValidationError

from archspec.analysis import count_parameters
from archspec.analysis.structure import parameter_manifest
from archspec.build import build_model
from archspec.diff.tree import structure_diff
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.diff.variants import ACTIVATIONS, NORM_KINDS, PLACEMENTS, POSITIONAL, V, model_section

D = 16  # model_section's d_model
VARIANTS = [
    Recipe.model_validate(
        {"model": model_section(2 * i, "encoder-decoder", "embeddings", pos, norm, place, act, b)}
    )
    for i, (pos, norm, place, act, b) in enumerate(
        itertools.product(POSITIONAL, NORM_KINDS, PLACEMENTS, ACTIVATIONS, [True, False])
    )
][::5]


@pytest.mark.parametrize("recipe", VARIANTS, ids=lambda r: f"{r.model.positional.kind}")
def test_manifest_equals_the_built_parameters(recipe: Recipe) -> None:
    with torch.device("meta"):
        model = build_model(recipe)
    built = [(n, tuple(p.shape)) for n, p in model.named_parameters()]
    assert built == list(parameter_manifest(recipe).items())
    assert count_parameters(recipe) == sum(p.numel() for p in model.parameters())


def test_one_table_for_both_stacks_and_a_head_of_its_own() -> None:
    recipe = VARIANTS[0]
    model = build_model(recipe)
    assert model.src_embed.tokens.weight is model.tgt_embed.tokens.weight
    assert model.output.weight is not model.src_embed.tokens.weight
    manifest = parameter_manifest(recipe)
    assert manifest["src_embed.tokens.weight"] == (V, D) and manifest["output.weight"] == (V, D)
    assert "tgt_embed.tokens.weight" not in manifest
    counts = {
        t: count_parameters(recipe.model.model_copy(update={"tying": t}))
        for t in ("none", "all", "embeddings")
    }  # one V x D matrix more than all, one fewer than none
    assert counts["embeddings"] == counts["all"] + V * D == counts["none"] - V * D


def test_diff_from_tying_all_adds_only_the_output_projection() -> None:
    base = RECIPES / "paper" / "base.yaml"  # tying all, 37000 x 512
    a, b = load_recipe(base), load_recipe(base, ["model.tying=embeddings"])
    rows = structure_diff(parameter_manifest(a), parameter_manifest(b))
    assert [(r.path, r.change, r.params_b) for r in rows] == [("output", "added", 37000 * 512)]


def test_two_vocabularies_are_refused_with_the_reason() -> None:
    section = model_section(0, "encoder-decoder", "embeddings", *_plain())
    section["vocab_size"] = {"source": V, "target": V + 4}
    with pytest.raises(ValidationError, match="'embeddings' shares one table"):
        Recipe.model_validate({"model": section})


def _plain() -> tuple:
    return POSITIONAL[0], NORM_KINDS[0], PLACEMENTS[0], ACTIVATIONS[0], True

"""The objective is filled in once, during validation, and its contract with the model and the
data is checked there (not when training reads the data)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from archspec.components.registry import kinds
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from archspec.spec.objective import objective_impl
from tests.conftest import RECIPES, run_cli

MODELS = {
    "encoder-decoder": {"kind": "encoder-decoder", "vocab_size": 64},
    "decoder": {"kind": "decoder", "vocab_size": 64},
    "encoder": {"kind": "encoder", "vocab_size": 64},
}
DEFAULTS = {"encoder-decoder": "seq2seq", "decoder": "causal-lm", "encoder": "masked-lm"}
"""What the recipe reference promises for a recipe without `objective:`."""


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("written", [{}, {"objective": None}])
def test_a_missing_or_null_objective_is_the_model_kinds_default(model: str, written) -> None:
    recipe = Recipe.model_validate({"model": MODELS[model], **written})
    assert recipe.objective is not None and recipe.objective.kind == DEFAULTS[model]
    assert (
        recipe.objective
        == Recipe.model_validate(
            {"model": MODELS[model], "objective": {"kind": DEFAULTS[model]}}
        ).objective
    )


def test_the_filled_objective_survives_a_dump_and_reload() -> None:
    recipe = load_recipe(RECIPES / "paper/base.yaml")
    again = Recipe.model_validate(recipe.model_dump(mode="json"))
    assert again == recipe and again.objective.kind == "seq2seq"


def test_show_prints_the_default_objective() -> None:
    result = run_cli("show", "recipes/paper/base.yaml")
    assert result.returncode == 0, result.stderr
    assert "objective:\n  kind: seq2seq\n  label_smoothing: 0.1\n" in result.stdout


@pytest.mark.parametrize(
    ("model", "source", "accepted"),
    [
        ("encoder", {"kind": "pairs", "path": "x.tsv"}, "text"),
        ("encoder-decoder", {"kind": "text", "path": "x.txt"}, "pairs or synthetic"),
        ("decoder", {"kind": "labelled", "path": "x.tsv"}, "text or synthetic"),
    ],
)
def test_a_source_the_objective_cannot_read_fails_validation(model, source, accepted) -> None:
    with pytest.raises(ValidationError) as err:
        Recipe.model_validate(
            {"model": {**MODELS[model], "vocab_size": 300}, "data": {"source": source}}
        )
    (error,) = err.value.errors()
    ((loc, message),) = error["ctx"]["issues"]
    assert loc == ("data", "source", "kind")
    assert f"reads {accepted} data, not '{source['kind']}'" in message


def test_every_source_kind_is_read_by_some_objective_and_every_model_kind_has_a_default() -> None:
    read = {s for k in kinds("objective") for s in objective_impl(k).source_kinds}
    assert read == set(kinds("source"))
    defaults = [m for k in kinds("objective") for m in objective_impl(k).default_for]
    assert sorted(defaults) == sorted(MODELS)


def test_the_checkpoint_metric_defaults_to_the_objectives_and_is_checked() -> None:
    recipe = Recipe.model_validate({"model": MODELS["encoder-decoder"]})
    assert (recipe.trainer.checkpoint_metric, recipe.trainer.checkpoint_mode) == ("val_loss", "min")
    chosen = {"checkpoint_metric": "val_bleu", "checkpoint_mode": "max"}
    picked = Recipe.model_validate({"model": MODELS["encoder-decoder"], "trainer": chosen})
    assert picked.trainer.checkpoint_metric == "val_bleu"
    with pytest.raises(ValidationError, match="'val_bleu' is not a metric causal-lm training logs"):
        Recipe.model_validate({"model": MODELS["decoder"], "trainer": chosen})

"""`vocab_size: auto`: sized from the trained tokenizer, rounded up to a multiple of 64, the
default with data; counting without data says what it assumed; a mostly unused fixed table
draws a warning."""

from __future__ import annotations

import json
from types import SimpleNamespace

import yaml

from archspec.recipe import dump_recipe
from archspec.spec import Recipe
from archspec.spec.vocab import (
    AssumedVocab,
    assumption_note,
    rounded,
    unused_vocabulary_warning,
)
from tests.conftest import run_cli
from tests.train.conftest import tiny


def auto_recipe(**model) -> Recipe:
    data = tiny("causal-lm", trainer={"max_steps": 2, "val_every": 2}).model_dump(mode="json")
    data["model"].update({"vocab_size": "auto", **model})
    return Recipe.model_validate(data)


def test_rounding_to_a_multiple_of_64() -> None:
    assert [rounded(n) for n in (1, 64, 65, 70, 2000)] == [64, 64, 128, 128, 2048]


def test_auto_reads_back_as_auto_and_counts_with_a_stated_assumption() -> None:
    recipe = auto_recipe()
    assert isinstance(recipe.model.vocab_size, AssumedVocab)
    assert recipe.model.vocab_size == 128  # the char tokenizer's assumption
    assert recipe.model_dump(mode="json")["model"]["vocab_size"] == "auto"
    assert Recipe.model_validate(recipe.model_dump(mode="json")) == recipe
    assert "counted as 128" in assumption_note(recipe)


def test_auto_is_the_default_with_data_only() -> None:
    data = tiny("causal-lm").model_dump(mode="json")
    del data["model"]["vocab_size"]
    assert isinstance(Recipe.model_validate(data).model.vocab_size, AssumedVocab)
    del data["data"]
    assert type(Recipe.model_validate(data).model.vocab_size) is int  # 32000, no data


def test_training_sizes_auto_from_the_tokenizer(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(dump_recipe(auto_recipe()))
    validated = run_cli("validate", str(path))
    assert validated.returncode == 0 and "vocab_size auto counted as 128" in validated.stdout
    run = tmp_path / "run"
    result = run_cli("train", str(path), "--run-dir", str(run), "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    tokens = len(json.loads((run / "tokenizer.json").read_text())["model"]["vocab"])
    resolved = yaml.safe_load((run / "recipe.yaml").read_text())
    assert resolved["model"]["vocab_size"] == rounded(tokens) and tokens < rounded(tokens) + 64
    summary = json.loads((run / "summary.json").read_text())
    d = resolved["model"]["d_model"]
    # tied decoder: one table of rounded(tokens) x d_model, counted in the trained model
    assert summary["model_parameters"] > rounded(tokens) * d > (rounded(tokens) - 64) * d


def test_a_mostly_unused_table_is_warned_about() -> None:
    recipe = tiny("causal-lm", {"vocab_size": 32000})
    datamodule = SimpleNamespace(source_vocab_size=70)
    warning = unused_vocabulary_warning(recipe, datamodule)
    assert warning is not None and "31,930 rows" in warning and "vocab_size: auto" in warning
    fitting = tiny("causal-lm", {"vocab_size": 96})
    assert unused_vocabulary_warning(fitting, datamodule) is None

"""Every shipped recipe that says what to train on trains as shipped (a few steps of it), from
the checkout as the README runs them, and writes a finished run."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import RECIPES, run_cli

TRAINABLE = sorted(
    p
    for p in RECIPES.glob("*/*.yaml")
    if p.parent.name in ("examples", "quickstart")
    and "data" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})
)


def test_the_examples_that_should_train_say_what_to_train_on() -> None:
    names = {f"{p.parent.name}/{p.stem}" for p in TRAINABLE}
    assert names >= {
        "quickstart/shakespeare-char",
        "examples/gpt-small",
        "examples/translate-en-es",
        "examples/sentiment",
    }


@pytest.mark.parametrize("recipe", TRAINABLE, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_shipped_recipe_trains_a_few_steps(recipe, tmp_path) -> None:
    run = tmp_path / "run"
    batching = yaml.safe_load(recipe.read_text(encoding="utf-8"))["data"].get("batching", {})
    small = ["--set", "data.batching.size=4"] if batching.get("kind") == "examples" else []
    result = run_cli(
        "train", str(recipe), "--run-dir", str(run), "--max-steps", "2",
        "--set", "trainer.val_every=2", "--set", "trainer.val_batches=1", *small,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["steps"] == 2
    assert (run / "checkpoints" / "last.ckpt").is_file()

"""trainer.early_stopping: a run stops when checkpoint_metric has not improved for `patience`
validations, says so in summary.json and the report, and resumes exactly with that count.

A min_delta far larger than any change of the loss makes every validation after the first
one "no improvement", so the step it stops at is known in advance: with val_every 2 and
patience 2, validations at steps 2 (the first, always an improvement), 4 and 6 -> stop after 6.
"""

from __future__ import annotations

import csv

import pytest
import torch

from archspec.errors import ArchspecError
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from archspec.train.report import report_lines
from archspec.train.run import train
from tests.conftest import RECIPES
from tests.train.conftest import tiny

NEVER_BETTER = {"patience": 2, "min_delta": 100.0}


def stopping(max_steps: int = 20, early: dict | None = None) -> Recipe:
    trainer = {"max_steps": max_steps, "val_every": 2, "log_every": 1}
    return tiny("causal-lm", trainer=dict(trainer, early_stopping=early or NEVER_BETTER))


def val_losses(run_dir) -> dict[int, float]:
    with open(run_dir / "metrics.csv", newline="") as f:
        return {int(r["step"]): float(r["val_loss"]) for r in csv.DictReader(f) if r["val_loss"]}


def last_weights(run_dir) -> dict[str, torch.Tensor]:
    path = run_dir / "checkpoints/last.ckpt"
    return torch.load(path, map_location="cpu", weights_only=False)["state_dict"]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """The run of 20 steps that stops early, never interrupted."""
    return train(stopping(20), run_dir=tmp_path_factory.mktemp("early") / "straight")


def test_a_run_stops_early_and_says_so(straight) -> None:
    result = straight
    s = result.summary
    assert s["status"] == "stopped early" and s["steps"] == 6
    losses = val_losses(result.run_dir)
    assert sorted(losses) == [2, 4, 6]
    assert s["early_stopping"] == {
        "step": 6,
        "epoch": 0,
        "metric": "val_loss",
        "best": pytest.approx(losses[2], rel=1e-5),  # the first validation: nothing beat it
        "patience": 2,
        "min_delta": 100.0,
    }
    text = "\n".join(report_lines(result))
    assert text.splitlines()[1].startswith("stopped early after 6 steps")
    assert "early stopping: val_loss did not improve by more than 100 in 2 validations" in text


def test_an_improving_run_is_not_stopped(tmp_path) -> None:
    result = train(stopping(8, {"patience": 2}), run_dir=tmp_path / "run")
    losses = val_losses(result.run_dir)
    assert losses[8] < losses[6] < losses[4] < losses[2]  # the loss falls at this length
    assert result.summary["status"] == "finished" and result.summary["early_stopping"] is None


def test_resume_keeps_the_count_of_validations_without_improvement(straight, tmp_path) -> None:
    """A run that ended after step 4 (one validation without improvement) resumed to 20 steps
    stops after step 6, with the weights of the uninterrupted run; a resume that forgot the
    count would train to step 10."""
    first = train(stopping(4), run_dir=tmp_path / "resumed")
    assert first.summary["status"] == "finished" and first.summary["steps"] == 4
    resumed = train(stopping(20), run_dir=tmp_path / "resumed", resume=True)
    assert resumed.summary["status"] == "stopped early"
    assert resumed.summary["early_stopping"]["step"] == straight.summary["steps"] == 6
    a, b = last_weights(straight.run_dir), last_weights(resumed.run_dir)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert resumed.summary["early_stopping"]["best"] == straight.summary["early_stopping"]["best"]

    with pytest.raises(ArchspecError, match="stopped early after step 6.*larger --early-stopping"):
        train(stopping(20), run_dir=tmp_path / "resumed", resume=True)
    more = train(stopping(20, {**NEVER_BETTER, "patience": 3}), tmp_path / "resumed", resume=True)
    assert more.summary["early_stopping"]["step"] == 8  # one more validation allowed


def test_recipe_syntax_and_the_objectives_direction() -> None:
    base = RECIPES / "quickstart" / "shakespeare-char.yaml"
    t = load_recipe(base, ["trainer.early_stopping={patience: 5, min_delta: 0.01}"]).trainer
    assert (t.early_stopping.patience, t.early_stopping.min_delta) == (5, 0.01)
    assert t.checkpoint_metric == "val_loss" and t.checkpoint_mode == "min"
    assert load_recipe(base).trainer.early_stopping is None
    for bad in ("{patience: 0}", "{min_delta: -1}", "{wait: 3}", "3"):
        with pytest.raises(ArchspecError, match="early_stopping"):
            load_recipe(base, [f"trainer.early_stopping={bad}"])

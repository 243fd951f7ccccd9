"""Divergence (trainer.on_nonfinite) and the checkpoint cadence: a run whose numbers stop being
finite ends as "diverged" with exit status 3, last.ckpt keeps the last finite weights and
best.ckpt never takes a non-finite model; last.ckpt is also saved by time."""

from __future__ import annotations

import json
import math

import lightning as L
import pytest
import torch

from archspec.cli import main
from archspec.train.run import train
from tests.robustness.helpers import lm
from tests.robustness.test_corpus import TINY_RECIPE, _sub


class Poison(L.Callback):
    """Makes optimizer step `at + 1` non-finite: NaN weights before it, or NaN gradients."""

    def __init__(self, at: set[int], what: str) -> None:
        self.at, self.what = at, what

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        if self.what == "weights" and trainer.global_step in self.at:
            with torch.no_grad():
                next(pl_module.parameters()).fill_(float("nan"))

    def on_after_backward(self, trainer, pl_module) -> None:
        if self.what == "gradients" and trainer.global_step in self.at:
            next(p for p in pl_module.parameters() if p.grad is not None).grad.fill_(float("inf"))


class Saves(L.Callback):
    """The global step of every checkpoint written."""

    def __init__(self) -> None:
        self.steps: list[int] = []

    def on_save_checkpoint(self, trainer, pl_module, checkpoint) -> None:
        self.steps.append(trainer.global_step)


def state(path):
    return torch.load(path, map_location="cpu", weights_only=True)


def all_finite(ckpt) -> bool:
    return all(torch.isfinite(t).all() for t in ckpt["state_dict"].values())


def test_nan_weights_stop_the_run_and_last_ckpt_keeps_the_last_finite_step(tmp_path) -> None:
    result = train(
        lm(checkpoint_every=2), run_dir=tmp_path / "run", extra_callbacks=[Poison({5}, "weights")]
    )

    assert result.summary["status"] == "diverged"
    summary = json.loads((tmp_path / "run/summary.json").read_text())
    assert summary["status"] == "diverged"
    last = state(tmp_path / "run/checkpoints/last.ckpt")
    assert last["global_step"] == 4  # saved at 2 and 4; step 6 never ran with finite weights
    assert all_finite(last)
    best = tmp_path / "run/checkpoints/best.ckpt"
    assert not best.exists() or all_finite(state(best))


def test_skip_drops_a_bad_step_and_goes_on(tmp_path) -> None:
    recipe = lm(on_nonfinite="skip", skip_limit=2)
    result = train(recipe, run_dir=tmp_path / "run", extra_callbacks=[Poison({3}, "gradients")])

    assert result.summary["status"] == "finished"
    last = state(tmp_path / "run/checkpoints/last.ckpt")
    assert last["global_step"] == 8 and all_finite(last)


def test_skip_stops_after_its_limit(tmp_path) -> None:
    recipe = lm(on_nonfinite="skip", skip_limit=1)
    poison = Poison({2, 4}, "gradients")
    result = train(recipe, run_dir=tmp_path / "run", extra_callbacks=[poison])

    assert result.summary["status"] == "diverged"
    assert all_finite(state(tmp_path / "run/checkpoints/last.ckpt"))


def test_a_huge_learning_rate_exits_3_and_says_diverged(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "tiny.yaml").write_text(_sub(TINY_RECIPE))
    monkeypatch.chdir(tmp_path)
    args = ["train", "tiny.yaml", "--run-dir", "run", "--max-steps", "6", "--val-every", "3"]
    args += ["--set", "schedule={kind: constant, lr: 1.0e+30}"]
    with pytest.raises(SystemExit) as stop:
        main(args)

    out = capsys.readouterr()
    assert stop.value.code == 3, out.out + out.err
    assert "Traceback" not in out.out + out.err
    assert "diverged" in out.out + out.err
    summary = json.loads((tmp_path / "run/summary.json").read_text())
    assert summary["status"] == "diverged"
    for name in ("last.ckpt", "best.ckpt"):
        path = tmp_path / "run/checkpoints" / name
        assert not path.exists() or all_finite(state(path)), name
    best_metric = summary.get("best_metric")
    assert best_metric is None or math.isfinite(best_metric)


@pytest.mark.parametrize(("minutes", "expected"), [(1e-9, [1, 2, 3, 4, 5, 6]), (None, [6])])
def test_last_ckpt_is_also_saved_by_time(tmp_path, minutes, expected) -> None:
    """checkpoint_minutes tiny: every step is past the interval; None: only validation/end."""
    saves = Saves()
    recipe = lm(max_steps=6, val_every=6, checkpoint_minutes=minutes)
    train(recipe, run_dir=tmp_path / "run", extra_callbacks=[saves])

    # best.ckpt is saved at the validation too (step 6)
    assert sorted(set(saves.steps)) == expected


def test_checkpoints_are_timed_by_default() -> None:
    assert lm().trainer.checkpoint_minutes == 10

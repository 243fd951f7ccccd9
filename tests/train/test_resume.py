"""A run stopped mid-way (Ctrl-C) and resumed ends with exactly the weights of a run that was
never stopped: optimizer, schedule, step, data position and random state all restored."""

from __future__ import annotations

import csv
import json
import os
import signal

import lightning as L
import pytest
import torch

from archspec.errors import ArchspecError
from archspec.train.run import train
from tests.train.conftest import tiny


class CtrlCAt(L.Callback):
    """Sends this process a real SIGINT (or another signal) after optimizer step `step`."""

    def __init__(self, step: int, sig: int = signal.SIGINT) -> None:
        self.step, self.sig = step, sig

    def on_train_batch_end(self, trainer, *args) -> None:
        if trainer.global_step == self.step:
            os.kill(os.getpid(), self.sig)


def weights(run_dir) -> dict[str, torch.Tensor]:
    ckpt = torch.load(run_dir / "checkpoints/last.ckpt", map_location="cpu", weights_only=False)
    return ckpt["state_dict"]


@pytest.mark.parametrize(
    ("objective", "sig"),
    [
        ("causal-lm", signal.SIGINT),
        ("masked-lm", signal.SIGINT),
        ("seq2seq", signal.SIGINT),
        ("causal-lm", signal.SIGTERM),  # what schedulers and `kill` send
    ],
    ids=["causal-lm-SIGINT", "masked-lm-SIGINT", "seq2seq-SIGINT", "causal-lm-SIGTERM"],
)
def test_interrupted_and_resumed_equals_uninterrupted(objective: str, sig: int, tmp_path) -> None:
    # dropout on, cosine schedule, validation in between: everything that could drift
    recipe = tiny(
        objective,
        {"dropout": {"residual": 0.2, "attention": 0.1, "embedding": 0.1}},
        schedule={"kind": "cosine", "lr": 3e-3, "warmup": 4},
        trainer={"max_steps": 24, "val_every": 10},
    )
    straight = train(recipe, run_dir=tmp_path / "straight")
    stopped = train(recipe, run_dir=tmp_path / "resumed", extra_callbacks=[CtrlCAt(13, sig)])
    # the signal lands between steps 13 and 14: step 14 finishes, then the run stops
    assert stopped.summary["status"] == "stopped" and stopped.summary["steps"] == 14
    resumed = train(recipe, run_dir=tmp_path / "resumed", resume=True)
    assert resumed.summary["steps"] == 24

    a, b = weights(straight.run_dir), weights(resumed.run_dir)
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name
    with open(resumed.run_dir / "metrics.csv") as f:
        steps = [int(r["step"]) for r in csv.DictReader(f) if r.get("train_loss")]
    assert steps == sorted(steps) and steps[0] < 13 < steps[-1]  # earlier metrics kept
    summary = json.loads((resumed.run_dir / "summary.json").read_text())
    assert summary["status"] == "finished"


def test_resume_needs_a_checkpoint(tmp_path) -> None:
    (tmp_path / "run").mkdir()
    with pytest.raises(ArchspecError, match="not a run directory"):
        train(tiny("causal-lm"), run_dir=tmp_path / "run", resume=True)


def test_a_run_directory_holding_results_is_never_overwritten(tmp_path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text("{}")
    with pytest.raises(ArchspecError, match="already holds files.*--resume"):
        train(tiny("causal-lm"), run_dir=run)
    assert (run / "summary.json").read_text() == "{}"

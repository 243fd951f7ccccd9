"""Every precision setting trains on CPU with the default gradient clipping (1.0).

Under bf16-mixed a fused optimizer would unscale inside its own step and Lightning would refuse
to clip; the optimizer falls back to PyTorch's default implementation there.  16-mixed needs a
GPU, and takes the same path (archspec.train.optim.MIXED).
"""

from __future__ import annotations

import math

import pytest
import torch

from archspec.train.optim import build_optimizer
from archspec.train.run import train
from tests.robustness.helpers import small


@pytest.mark.parametrize("precision", ["32", "bf16-mixed", "bf16-true"])
def test_every_precision_trains_with_default_clipping(tmp_path, precision: str) -> None:
    recipe = small(
        "causal-lm",
        trainer={"max_steps": 6, "val_every": 6, "log_every": 2, "precision": precision},
        objective={"kind": "causal-lm", "sample_tokens": 0},
    )
    assert recipe.trainer.clip_grad == 1.0
    result = train(recipe, run_dir=tmp_path / "run")
    assert result.summary["status"] == "finished"
    assert result.summary["steps"] == 6
    assert math.isfinite(result.summary["final"]["val_loss"])


@pytest.mark.parametrize(
    ("precision", "clip", "fused"),
    [
        ("32", 1.0, True),
        ("bf16-mixed", 1.0, None),
        ("16-mixed", 1.0, None),
        ("bf16-mixed", None, True),
        ("bf16-true", 1.0, True),
    ],
)
def test_fused_only_where_lightning_can_clip(precision, clip, fused) -> None:
    recipe = small("causal-lm", trainer={"precision": precision, "clip_grad": clip})
    model = torch.nn.Linear(4, 4)
    opt = build_optimizer(model, recipe.optimizer, recipe.trainer)
    assert opt.defaults["fused"] is fused
